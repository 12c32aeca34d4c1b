"""Reads of the call-center app, scoped to the acting user's sites."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from opscenter.callcenter.choices import Outcome
from opscenter.callcenter.models import (
    Call,
    Disposition,
    KnowledgeArticle,
    QaSample,
    QaScore,
    QaScorecard,
    Queue,
)
from opscenter.core.exceptions import NotFound, PermissionDenied
from opscenter.org.selectors import scope_for


def require_view(user) -> None:
    if not user.has_module_perms("callcenter"):
        raise PermissionDenied(_("您没有查看客服中心的权限"))


def queue_list(*, user) -> QuerySet[Queue]:
    return scope_for(user).filter_sites(Queue.objects.select_related("site").filter(is_active=True))


def queues_for(*, user, site_id: int | None = None, queue_id: int | None = None) -> list[Queue]:
    qs = queue_list(user=user)
    if site_id:
        qs = qs.filter(site_id=site_id)
    if queue_id:
        qs = qs.filter(pk=queue_id)
    return list(qs)


def call_list(*, user, params: dict[str, Any]) -> QuerySet[Call]:
    """Calls behind a number: every filter the dashboard's links use (site, queue, agent, team,
    department, dates, interval, outcome, first legs, within T, short abandons)."""
    qs = scope_for(user).filter_sites(
        Call.objects.select_related("queue", "agent", "disposition", "site", "parent")
    )
    for key, lookup in (
        ("site", "site_id"),
        ("queue", "queue_id"),
        ("agent", "agent_id"),
        ("team", "agent__team_id"),
        ("department", "agent__department_id"),
        ("disposition", "disposition_id"),
    ):
        if params.get(key):
            qs = qs.filter(**{lookup: params[key]})
    if params.get("from"):
        qs = qs.filter(local_date__gte=params["from"])
    if params.get("to"):
        qs = qs.filter(local_date__lte=params["to"])
    minutes = int(params.get("minutes") or 30)
    if params.get("interval") not in (None, ""):
        per = minutes // 15
        first = int(params["interval"]) * per
        qs = qs.filter(slot__gte=first, slot__lt=first + per)
    outcome = params.get("outcome")
    if outcome == "answered":
        qs = qs.filter(outcome=Outcome.ANSWERED)
    elif outcome == "abandoned":
        qs = qs.filter(outcome=Outcome.ABANDONED)
    elif outcome == "waiting":
        qs = qs.filter(outcome=Outcome.WAITING)
    if params.get("first") == "1":
        qs = qs.filter(parent__isnull=True)
    if params.get("fcr") == "1":
        qs = qs.filter(fcr=True)
    short = Q()
    within = Q()
    if params.get("short") in ("1", "0") or params.get("within") in ("1", "0"):
        for queue in Queue.objects.filter(pk__in=qs.values("queue_id").distinct()):
            short |= Q(queue_id=queue.pk, wait_seconds__lt=queue.short_abandon_seconds)
            within |= Q(queue_id=queue.pk, wait_seconds__lte=queue.sl_seconds)
    if params.get("short") == "1":
        qs = qs.filter(Q(outcome=Outcome.ABANDONED) & short) if short else qs.none()
    elif params.get("short") == "0":
        qs = qs.exclude(Q(outcome=Outcome.ABANDONED) & short) if short else qs
    if params.get("within") == "1":
        qs = qs.filter(within) if within else qs.none()
    return qs.order_by("-arrived_at", "-pk")


def call_get(*, user, call_id: int) -> Call:
    call = (
        scope_for(user)
        .filter_sites(
            Call.objects.select_related("queue", "agent", "disposition", "site", "parent", "customer")
        )
        .filter(pk=call_id)
        .first()
    )
    if call is None:
        raise NotFound(_("来电不存在或无权访问"))
    return call


def dispositions(*, user, site_id: int) -> QuerySet[Disposition]:
    return scope_for(user).filter_sites(Disposition.objects.filter(site_id=site_id, is_active=True))


def scorecard_active(*, site_id: int) -> QaScorecard | None:
    return (
        QaScorecard.objects.filter(site_id=site_id, is_active=True)
        .prefetch_related("items")
        .order_by("-version")
        .first()
    )


def scorecard_list(*, user) -> QuerySet[QaScorecard]:
    return scope_for(user).filter_sites(QaScorecard.objects.select_related("site").prefetch_related("items"))


def sample_list(*, user) -> QuerySet[QaSample]:
    return scope_for(user).filter_sites(QaSample.objects.select_related("site").annotate(n=Count("calls")))


def sample_get(*, user, sample_id: int) -> QaSample:
    sample = (
        scope_for(user).filter_sites(QaSample.objects.select_related("site")).filter(pk=sample_id).first()
    )
    if sample is None:
        raise NotFound(_("抽样不存在或无权访问"))
    return sample


def score_list(*, user) -> QuerySet[QaScore]:
    return scope_for(user).filter_sites(
        QaScore.objects.select_related("call", "agent", "reviewer", "scorecard"), "call__site"
    )


def score_get(*, user, score_id: int) -> QaScore:
    score = score_list(user=user).filter(pk=score_id).first()
    if score is None:
        raise NotFound(_("评分不存在或无权访问"))
    return score


def article_list(*, user) -> QuerySet[KnowledgeArticle]:
    return scope_for(user).filter_sites(
        KnowledgeArticle.objects.select_related("owner_department", "disposition")
    )


def call_followup(*, user, call: Call):
    """The pipeline follow-up a 回访 call completed, through the pipeline's scoped selector (None
    when there is none or the user may not see it)."""
    if not call.followup_id:
        return None
    from opscenter.pipeline.selectors import followup_get

    try:
        return followup_get(user=user, followup_id=call.followup_id)
    except (NotFound, PermissionDenied):
        return None
