"""QA (质检) writes and reports: reproducible stratified samples, scoring under the active
scorecard version, agent acknowledgement / dispute with a second reviewer, calibration and
habitual errors."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, F
from django.utils import timezone
from django.utils.translation import gettext as _

from opscenter.callcenter.choices import SCORE_TRANSITIONS, Outcome, ScoreStatus
from opscenter.callcenter.models import (
    Call,
    QaItem,
    QaItemScore,
    QaSample,
    QaSampleCall,
    QaScore,
    QaScorecard,
)
from opscenter.core.audit import as_actor
from opscenter.core.exceptions import ValidationError
from opscenter.org.selectors import scope_for

DEFAULT_ITEMS = (  # i18n: data (seed of an editable scorecard)
    ("问候语", 15, False),
    ("身份核实", 20, True),
    ("答复准确", 30, False),
    ("同理心", 15, False),
    ("结束语", 20, False),
)
HABITUAL_MIN = 2  # an item an agent misses at least this often in the period is a habit


def _require(actor, perm: str, site_id: int):
    scope = scope_for(actor)
    scope.require(perm)
    scope.require_site(site_id, write=True)
    return scope


def allocate(counts: dict[int, int], n: int) -> dict[int, int]:
    """Split `n` draws over strata proportionally to their sizes (largest remainder; ties by
    stratum key), never more than a stratum holds."""
    total = sum(counts.values())
    if n >= total:
        return dict(counts)
    exact = {k: Decimal(n) * c / total for k, c in counts.items()}
    out = {k: int(v) for k, v in exact.items()}
    for k in sorted(counts, key=lambda k: (-(exact[k] - out[k]), k))[: n - sum(out.values())]:
        out[k] += 1
    return out


def draw(candidates: list[tuple[int, int, int]], per_agent: int, seed: int) -> list[int]:
    """Call ids: `per_agent` per agent, stratified by disposition, from (call_id, agent_id,
    disposition_id or 0) sorted by call id. Same candidates and seed → same sample."""
    by_agent: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    for call_id, agent_id, disposition_id in sorted(candidates):
        by_agent[agent_id][disposition_id].append(call_id)
    picked: list[int] = []
    for agent_id in sorted(by_agent):
        strata = by_agent[agent_id]
        quotas = allocate({d: len(ids) for d, ids in strata.items()}, per_agent)
        rng = random.Random(f"{seed}:{agent_id}")
        for disposition_id in sorted(strata):
            picked.extend(rng.sample(strata[disposition_id], quotas[disposition_id]))
    return sorted(picked)


@transaction.atomic
@as_actor
def sample_draw(
    *,
    actor,
    site_id: int,
    start: dt.date,
    end: dt.date,
    per_agent: int,
    min_seconds: int = 30,
    seed: int | None = None,
) -> QaSample:
    """Draw and store a sample of answered calls of the site in [start, end]."""
    _require(actor, "callcenter.add_qasample", site_id)
    if end < start:
        raise ValidationError(_("结束日期早于开始日期"), field="end")
    if not 1 <= per_agent <= 100:
        raise ValidationError(_("每人抽样数应为 1–100"), field="per_agent")
    seed = seed if seed is not None else random.SystemRandom().randrange(1, 2**31)
    candidates = list(
        Call.objects.filter(
            site_id=site_id,
            local_date__gte=start,
            local_date__lte=end,
            outcome=Outcome.ANSWERED,
            agent__isnull=False,
            talk_seconds__gte=min_seconds,
        ).values_list("pk", "agent_id", "disposition_id")
    )
    ids = draw([(c, a, d or 0) for c, a, d in candidates], per_agent, seed)
    if not ids:
        raise ValidationError(_("所选期间没有符合条件的来电"), field="start")
    sample = QaSample.objects.create(
        site_id=site_id,
        start=start,
        end=end,
        per_agent=per_agent,
        min_seconds=min_seconds,
        seed=seed,
        created_by=actor,
    )
    QaSampleCall.objects.bulk_create(QaSampleCall(sample=sample, call_id=i) for i in ids)
    return sample


@transaction.atomic
@as_actor
def scorecard_save(
    *, actor, site_id: int, family: str, name: str, items: list[tuple[str, int, bool]]
) -> QaScorecard:
    """A new version of a scorecard (items: name, weight, fatal); the previous version is kept
    for the scores given under it."""
    if actor is not None:
        _require(actor, "callcenter.add_qascorecard", site_id)
    items = [(n.strip(), int(w), bool(f)) for n, w, f in items if n.strip()]
    if not items:
        raise ValidationError(_("评分表至少要有一个项目"), field="items")
    if any(w <= 0 for _n, w, _f in items):
        raise ValidationError(_("项目分值须为正数"), field="items")
    current = (
        QaScorecard.objects.select_for_update()
        .filter(site_id=site_id, family=family)
        .order_by("-version")
        .first()
    )
    QaScorecard.objects.filter(site_id=site_id, family=family, is_active=True).update(is_active=False)
    card = QaScorecard.objects.create(
        site_id=site_id, family=family, name=name, version=(current.version + 1) if current else 1
    )
    QaItem.objects.bulk_create(
        QaItem(scorecard=card, name=n, weight=w, is_fatal=f, position=i) for i, (n, w, f) in enumerate(items)
    )
    return card


def scorecard_ensure(*, site_id: int) -> QaScorecard:
    card = QaScorecard.objects.filter(site_id=site_id, is_active=True).first()
    return card or scorecard_save(
        actor=None, site_id=site_id, family="default", name=_("通话质检评分表"), items=list(DEFAULT_ITEMS)
    )


def _score_values(card: QaScorecard, points: dict[int, int]) -> tuple[Decimal, bool, list[QaItemScore]]:
    items = list(card.items.all())
    rows = []
    fatal = False
    got = 0
    for item in items:
        if item.pk not in points:
            raise ValidationError(_("请为“%(item)s”打分") % {"item": item.name}, field=f"item_{item.pk}")
        value = int(points[item.pk])
        if not 0 <= value <= item.weight:
            raise ValidationError(
                _("“%(item)s”的得分应在 0–%(max)s 之间") % {"item": item.name, "max": item.weight},
                field=f"item_{item.pk}",
            )
        missed = value < item.weight
        fatal = fatal or (item.is_fatal and missed)
        got += value
        rows.append(QaItemScore(item=item, points=value, missed=missed))
    weight = sum(i.weight for i in items)
    total = Decimal(0) if fatal else (Decimal(got) * 100 / weight).quantize(Decimal("0.01"))
    return total, fatal, rows


@transaction.atomic
@as_actor
def score_record(
    *,
    actor,
    call_id: int,
    points: dict[int, int],
    comment: str = "",
    review_of: QaScore | None = None,
    now=None,
) -> QaScore:
    """Score a call under its site's active scorecard. The first score of a call counts toward the
    agent's QA average; another reviewer's score of the same call is a calibration score (kept,
    not counted); a dispute review replaces the disputed score in the average."""
    now = now or timezone.now()
    call = Call.objects.select_related("site").filter(pk=call_id).first()
    if call is None:
        raise ValidationError(_("找不到该来电"), field="call")
    scope = _require(actor, "callcenter.add_qascore", call.site_id)
    if scope.staff_id is None:
        raise ValidationError(_("只有员工账号可以评分"), field="reviewer")
    if call.agent_id is None or call.outcome != Outcome.ANSWERED:
        raise ValidationError(_("只有已接听的来电可以质检"), field="call")
    if call.agent_id == scope.staff_id:
        raise ValidationError(_("不能为自己接听的来电评分"), field="reviewer")
    if review_of is not None:
        if review_of.status != ScoreStatus.DISPUTED:
            raise ValidationError(_("只有申诉中的评分可以复核"), field="review_of")
        if review_of.reviewer_id == scope.staff_id:
            raise ValidationError(_("复核须由另一位质检员进行"), field="reviewer")
        card = review_of.scorecard
    else:
        card = scorecard_ensure(site_id=call.site_id)
        if QaScore.objects.filter(call=call, reviewer_id=scope.staff_id, review_of__isnull=True).exists():
            raise ValidationError(_("您已为该来电评过分"), field="call")
    total, fatal, rows = _score_values(card, points)
    counts = review_of is not None or not QaScore.objects.filter(call=call, review_of__isnull=True).exists()
    score = QaScore.objects.create(
        call=call,
        scorecard=card,
        agent_id=call.agent_id,
        reviewer_id=scope.staff_id,
        total=total,
        fatal=fatal,
        comment=comment.strip(),
        review_of=review_of,
        counts=counts,
        local_date=timezone.localtime(now).date(),
        scored_at=now,
        status=ScoreStatus.REVIEWED if review_of is not None else ScoreStatus.SCORED,
    )
    for row in rows:
        row.score = score
    QaItemScore.objects.bulk_create(rows)
    if review_of is not None:
        QaScore.objects.filter(pk=review_of.pk).update(
            status=ScoreStatus.REVIEWED, counts=False, version=F("version") + 1
        )
    return score


@transaction.atomic
@as_actor
def score_transition(*, actor, score_id: int, to: str, version: int, reason: str = "") -> QaScore:
    """The agent acknowledges (确认) or disputes (申诉, with a reason) a score of their call;
    `version` is the one the agent saw (someone else acting first is refused)."""
    score = QaScore.objects.select_related("call").filter(pk=score_id).first()
    if score is None:
        raise ValidationError(_("找不到该评分"), field="score")
    scope = scope_for(actor)
    scope.require_site(score.call.site_id)
    if scope.staff_id != score.agent_id:
        raise ValidationError(_("只有被质检的坐席本人可以确认或申诉"), field="status")
    if to not in SCORE_TRANSITIONS.get(ScoreStatus(score.status), set()) or to == ScoreStatus.REVIEWED:
        raise ValidationError(_("当前状态不能进行该操作"), field="status")
    if to == ScoreStatus.DISPUTED and not reason.strip():
        raise ValidationError(_("请填写申诉理由"), field="reason")
    changed = QaScore.objects.filter(pk=score.pk, version=version, status=score.status).update(
        status=to, dispute_reason=reason.strip(), version=F("version") + 1
    )
    if changed != 1:
        raise ValidationError(_("该评分已被他人处理，请刷新后重试"), field="version")
    score.refresh_from_db()
    return score


def agent_averages(*, site_ids, start: dt.date, end: dt.date) -> dict[int, tuple[Decimal, int]]:
    """agent_id → (QA average, scores counted) in [start, end] (scoring date)."""
    from django.db.models import Avg

    rows = (
        QaScore.objects.filter(
            counts=True, call__site_id__in=site_ids, local_date__gte=start, local_date__lte=end
        )
        .values("agent_id")
        .annotate(avg=Avg("total"), n=Count("pk"))
        .order_by()
    )
    return {r["agent_id"]: (Decimal(r["avg"]).quantize(Decimal("0.01")), r["n"]) for r in rows}


def habitual_errors(*, site_ids, start: dt.date, end: dt.date, minimum: int = HABITUAL_MIN) -> dict:
    """Items an agent missed at least `minimum` times, and items missed by several agents."""
    base = QaItemScore.objects.filter(
        missed=True,
        score__counts=True,
        score__call__site_id__in=site_ids,
        score__local_date__gte=start,
        score__local_date__lte=end,
    )
    per_agent = list(
        base.values("score__agent_id", "score__agent__name", "item__name")
        .annotate(n=Count("pk"))
        .filter(n__gte=minimum)
        .order_by("-n", "score__agent__name", "item__name")
    )
    per_item = list(
        base.values("item__name")
        .annotate(agents=Count("score__agent_id", distinct=True), n=Count("pk"))
        .filter(agents__gte=2)
        .order_by("-agents", "-n", "item__name")
    )
    return {"per_agent": per_agent, "per_item": per_item}


def calibration(*, site_ids, start: dt.date, end: dt.date) -> list[dict]:
    """Calls scored by two or more reviewers (not dispute reviews): each reviewer's total and
    the spread between them."""
    calls = (
        QaScore.objects.filter(
            review_of__isnull=True, call__site_id__in=site_ids, local_date__gte=start, local_date__lte=end
        )
        .values("call_id")
        .annotate(n=Count("pk"))
        .filter(n__gte=2)
        .values("call_id")
    )
    out: dict[int, dict] = {}
    for s in (
        QaScore.objects.filter(call_id__in=calls, review_of__isnull=True)
        .select_related("reviewer", "call", "agent")
        .order_by("call_id", "scored_at")
    ):
        row = out.setdefault(s.call_id, {"call": s.call, "agent": s.agent, "scores": []})
        row["scores"].append(s)
    for row in out.values():
        totals = [s.total for s in row["scores"]]
        row["spread"] = max(totals) - min(totals)
    return sorted(out.values(), key=lambda r: -r["spread"])
