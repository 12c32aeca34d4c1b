"""Reads of the appraisal app, always scoped to the acting user.

Who sees what: appraisal managers (view permission) see their sites; a department manager or team
leader sees their unit's appraisals; everyone sees their own (self-service 绩效查询). Pay is seen by
finance/HR (payout view permission) in their sites; everyone sees their own pay lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from opscenter.appraisal import scoring
from opscenter.appraisal.choices import ItemKind, ItemMethod, PeriodStatus, ScorecardStatus, ScoreStatus
from opscenter.appraisal.models import (
    Appeal,
    Appraisal,
    IncentivePlan,
    ItemScore,
    Partner,
    Payout,
    PayoutLine,
    Period,
    Scorecard,
)
from opscenter.core.exceptions import NotFound
from opscenter.metrics import all_metrics, get_metric
from opscenter.org.selectors import scope_for


def _staff_id(user) -> int | None:
    return scope_for(user).staff_id


def managed_units(user) -> tuple[set[int], set[int]]:
    """(department ids the user manages, team ids the user leads)."""
    from opscenter.org.models import Department, Team

    staff_id = _staff_id(user)
    if staff_id is None:
        return set(), set()
    return (
        set(Department.objects.filter(manager_id=staff_id).values_list("pk", flat=True)),
        set(Team.objects.filter(leader_id=staff_id).values_list("pk", flat=True)),
    )


def appraisal_visible(user) -> QuerySet[Appraisal]:
    scope = scope_for(user)
    qs = Appraisal.objects.all()
    if scope.is_superuser:
        return qs
    if scope.user_id is None:
        return qs.none()
    if scope.can("appraisal.view_appraisal") and scope.all_sites:
        return qs
    cond = Q(staff_id=scope.staff_id) if scope.staff_id else Q(pk__in=[])
    if scope.can("appraisal.view_appraisal"):
        cond |= Q(site_id__in=scope.site_ids)
    departments, teams = managed_units(user)
    if departments:
        cond |= Q(department_id__in=departments)
    if teams:
        cond |= Q(team_id__in=teams)
    return qs.filter(cond)


def appraisal_get(*, user, appraisal_id: int) -> Appraisal:
    a = (
        appraisal_visible(user)
        .select_related("period", "scorecard", "site", "department", "staff", "team")
        .filter(pk=appraisal_id)
        .first()
    )
    if a is None:
        raise NotFound(_("考核结果不存在或无权查看"))
    return a


def can_manage(user, appraisal: Appraisal) -> bool:
    scope = scope_for(user)
    return scope.can("appraisal.change_appraisal") and scope.writes_site(appraisal.site_id)


def period_list(*, user) -> QuerySet[Period]:
    return Period.objects.all().order_by("-start", "kind")


def period_get(*, user, label: str) -> Period:
    period = Period.objects.filter(label=label).first()
    if period is None:
        raise NotFound(_("考核周期不存在"))
    return period


def scorecard_list(*, user) -> QuerySet[Scorecard]:
    scope = scope_for(user)
    scope.require("appraisal.view_scorecard")
    return scope.filter_sites(Scorecard.objects.select_related("site", "department", "position"))


def scorecard_get(*, user, scorecard_id: int) -> Scorecard:
    card = scorecard_list(user=user).filter(pk=scorecard_id).first()
    if card is None:
        raise NotFound(_("考核方案不存在或无权查看"))
    return card


def metric_choices(grain: str | None) -> list[tuple[str, str]]:
    """Registered metrics answering this grain by month, for the item editor's picker."""
    if grain is None:
        return []
    return sorted(
        ((m.code, f"{m.label} ({m.code})") for m in all_metrics().values() if m.supports(grain, "month")),
        key=lambda x: x[0],
    )


@dataclass
class StatementLine:
    row: ItemScore
    metric_label: str
    drill_url: str
    weighted: Decimal | None
    appeals: list


def statement(*, user, appraisal: Appraisal) -> list[StatementLine]:
    """Every item with its data, drill-down URL (asked from the metric), score and weighted points."""
    from opscenter.appraisal.choices import SUBJECT_GRAIN

    rows = list(
        appraisal.scores.select_related("item", "item__appraiser", "entered_by").order_by(
            "item__order", "item_id"
        )
    )
    appeals: dict[int, list] = {}
    for ap in Appeal.objects.filter(appraisal=appraisal).order_by("filed_at"):
        appeals.setdefault(ap.item_score_id, []).append(ap)
    grain = SUBJECT_GRAIN.get(appraisal.subject_kind)
    out = []
    for row in rows:
        item = row.item
        label, url = "", ""
        if item.method == ItemMethod.METRIC and grain:
            try:
                metric = get_metric(item.metric_code)
                label = metric.label
                url = metric.drill(grain, appraisal.subject_id, "month", appraisal.period.start)
                if item.denominator_code:
                    label = f"{label} ÷ {get_metric(item.denominator_code).label}"
            except Exception:  # a metric unregistered since: the stored value still shows
                label = item.metric_code
        weighted = scoring.q2((row.score or 0) * item.weight / 100) if item.kind == ItemKind.SCORED else None
        out.append(StatementLine(row, label, url, weighted, appeals.get(row.pk, [])))
    return out


def appraiser_queue(*, user) -> QuerySet[ItemScore]:
    """Manual and checklist items waiting for this appraiser (unpublished periods or reopened)."""
    staff_id = _staff_id(user)
    if staff_id is None:
        return ItemScore.objects.none()
    return (
        ItemScore.objects.filter(item__appraiser_id=staff_id)
        .filter(
            Q(status=ScoreStatus.PENDING, appraisal__period__status__in=[PeriodStatus.DRAFT])
            | Q(status=ScoreStatus.REOPENED)
        )
        .select_related("item", "appraisal", "appraisal__period")
        .order_by("appraisal__period__start", "appraisal__subject_name", "item__order")
    )


def open_appeals(*, user) -> QuerySet[Appeal]:
    scope = scope_for(user)
    qs = Appeal.objects.filter(status="open").select_related("appraisal", "item_score__item")
    if scope.is_superuser:
        return qs
    if not scope.can("appraisal.change_appraisal"):
        return qs.none()
    return qs.filter(appraisal__site_id__in=scope.site_ids)


# ---------------------------------------------------------------- pay
def plan_list(*, user) -> QuerySet[IncentivePlan]:
    scope = scope_for(user)
    scope.require("appraisal.view_incentiveplan")
    return scope.filter_sites(IncentivePlan.objects.select_related("site"))


def plan_get(*, user, plan_id: int) -> IncentivePlan:
    plan = plan_list(user=user).filter(pk=plan_id).first()
    if plan is None:
        raise NotFound(_("激励方案不存在或无权查看"))
    return plan


def payout_lines_visible(user) -> QuerySet[PayoutLine]:
    """Finance/HR see pay lines of their sites; everyone else only their own."""
    scope = scope_for(user)
    qs = PayoutLine.objects.select_related("payout__plan", "staff", "department")
    if scope.is_superuser:
        return qs
    if scope.user_id is None:
        return qs.none()
    if scope.can("appraisal.view_payout") and scope.all_sites:
        return qs
    cond = Q(staff_id=scope.staff_id) if scope.staff_id else Q(pk__in=[])
    if scope.can("appraisal.view_payout"):
        cond |= Q(payout__plan__site_id__in=scope.site_ids)
    return qs.filter(cond)


def payout_get(*, user, payout_id: int) -> tuple[Payout, list[PayoutLine]]:
    lines = list(payout_lines_visible(user).filter(payout_id=payout_id).prefetch_related("instalments"))
    payout = Payout.objects.select_related("plan", "plan__site").filter(pk=payout_id).first()
    if payout is None or (not lines and not scope_for(user).can("appraisal.view_payout")):
        raise NotFound(_("绩效发放不存在或无权查看"))
    if not lines and not (scope_for(user).is_superuser or scope_for(user).sees_site(payout.plan.site_id)):
        raise NotFound(_("绩效发放不存在或无权查看"))
    return payout, lines


def partner_list(*, user) -> QuerySet[Partner]:
    scope = scope_for(user)
    scope.require("appraisal.view_partner")
    return scope.filter_sites(Partner.objects.select_related("site"))


def published_scorecards() -> QuerySet[Scorecard]:
    return Scorecard.objects.filter(status=ScorecardStatus.PUBLISHED)


@dataclass
class PeriodSite:
    site_id: int
    name: str
    appraisals: int
    pending: int
    publication: object | None
    can_publish: bool


def period_sites(*, user, period: Period) -> list[PeriodSite]:
    """Per site of the period's results the user may see: how many appraisals, how many still wait
    for manual scores, whether (and by whom) it is published, and whether this user may publish it."""
    from django.db.models import Count, Q

    from opscenter.appraisal.models import PeriodPublication
    from opscenter.org.models import Site

    scope = scope_for(user)
    rows = (
        appraisal_visible(user)
        .filter(period=period)
        .values("site_id")
        .annotate(n=Count("pk"), pending=Count("pk", filter=Q(pending_items__gt=0)))
        .order_by("site_id")
    )
    rows = list(rows)
    ids = [r["site_id"] for r in rows]
    names = dict(Site.objects.filter(pk__in=ids).values_list("pk", "name"))
    pubs = {
        p.site_id: p
        for p in PeriodPublication.objects.filter(period=period, site_id__in=ids).select_related(
            "published_by"
        )
    }
    may = scope.can("appraisal.change_period") and period.status == PeriodStatus.DRAFT
    return [
        PeriodSite(
            r["site_id"],
            names.get(r["site_id"], ""),
            r["n"],
            r["pending"],
            pubs.get(r["site_id"]),
            may and r["site_id"] not in pubs and scope.writes_site(r["site_id"]),
        )
        for r in rows
    ]


def appraisals_filtered(qs: QuerySet[Appraisal], filters: dict[str, str]) -> QuerySet[Appraisal]:
    """The period page's drill-down filters: a unit (site / department / team / staff id), a grade
    name, or `band=top|lowest` (the best or worst band of each appraisal's own scorecard)."""
    from django.db.models import F, OuterRef, Subquery

    from opscenter.appraisal.models import GradeBand

    for key in ("site", "department", "team", "staff"):
        if (filters.get(key) or "").isdigit():
            qs = qs.filter(**{f"{key}_id": int(filters[key])})
    if filters.get("grade"):
        qs = qs.filter(grade=filters["grade"])
    order = {"top": "-min_score", "lowest": "min_score"}.get(filters.get("band") or "")
    if order:
        band = (
            GradeBand.objects.filter(scorecard_id=OuterRef("scorecard_id")).order_by(order).values("name")[:1]
        )
        qs = qs.annotate(band_name=Subquery(band)).filter(grade=F("band_name"))
    return qs


def _date_or_none(text: str):
    import datetime as dt

    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def referral_list(*, user, filters: dict[str, str]) -> QuerySet:
    """全员营销 referrals the user may see: appraisal managers (view permission) their sites, a
    department manager or team leader their units', everyone their own; filtered by the metric's
    drill-down parameters (site / department / team / staff, from–to)."""
    from opscenter.appraisal.models import Referral

    scope = scope_for(user)
    qs = Referral.objects.select_related("staff", "customer", "site", "recorded_by")
    if not scope.is_superuser:
        if scope.can("appraisal.view_referral"):
            qs = scope.filter_sites(qs)
        else:
            departments, teams = managed_units(user)
            cond = Q(staff_id=scope.staff_id) if scope.staff_id else Q(pk__in=[])
            qs = qs.filter(cond | Q(staff__department_id__in=departments) | Q(staff__team_id__in=teams))
    unit = {
        "site": "site_id",
        "department": "staff__department_id",
        "team": "staff__team_id",
        "staff": "staff_id",
    }
    for key, field in unit.items():
        if (filters.get(key) or "").isdigit():
            qs = qs.filter(**{field: int(filters[key])})
    for key, lookup in (("from", "referred_on__gte"), ("to", "referred_on__lte")):
        day = _date_or_none(filters.get(key) or "")
        if day is not None:
            qs = qs.filter(**{lookup: day})
    if filters.get("active") == "1":
        qs = qs.filter(is_withdrawn=False)
    return qs.order_by("-referred_on", "-pk")


def referral_staff_choices(*, user) -> list[tuple[int, str]]:
    """Staff of the sites where the user may record referrals (the form's picker)."""
    from opscenter.org.models import Staff

    scope = scope_for(user)
    if not scope.can("appraisal.add_referral"):
        return []
    qs = Staff.objects.filter(is_active=True).select_related("department__site")
    if not scope.is_superuser:
        qs = qs.filter(department__site_id__in=scope.site_ids)
    return [
        (s.pk, f"{s.name} · {s.department.site.name}")
        for s in qs.order_by("department__site_id", "name")[:2000]
    ]
