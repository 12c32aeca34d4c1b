"""Periods and runs: compute every appraisal of a period as a draft (metric values gathered with
one registry call per metric and grain, never per person), manual entries, rule events, publish and
freeze, appeals (申诉) and interviews (绩效面谈)."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from opscenter.appraisal import scoring
from opscenter.appraisal.choices import (
    SUBJECT_GRAIN,
    AppealStatus,
    InterviewStatus,
    ItemKind,
    ItemMethod,
    PeriodKind,
    PeriodStatus,
    RuleKind,
    ScorecardStatus,
    ScoreStatus,
    SubjectKind,
)
from opscenter.appraisal.models import (
    Appeal,
    Appraisal,
    AppraisalRun,
    Interview,
    ItemScore,
    Partner,
    Period,
    PeriodPublication,
    Rule,
    RuleEvent,
    Scorecard,
)
from opscenter.appraisal.services import engine
from opscenter.core import audit
from opscenter.core.audit import as_actor
from opscenter.core.calendars import default_work_calendar
from opscenter.core.exceptions import PermissionDenied, ValidationError
from opscenter.metrics import MetricUnit, get_metric, metric_values
from opscenter.org.selectors import scope_for

# ---------------------------------------------------------------- periods
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER = re.compile(r"^(\d{4})-?Q([1-4])$", re.I)
_YEAR = re.compile(r"^(\d{4})$")


def _month_end(year: int, month: int) -> dt.date:
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def parse_period(label: str) -> tuple[str, str, dt.date, dt.date]:
    """'2026-10' → month, '2026-Q4' → quarter, '2026' → year: (kind, label, start, end)."""
    label = (label or "").strip()
    if m := _MONTH.match(label):
        y, mo = int(m[1]), int(m[2])
        if 1 <= mo <= 12:
            return PeriodKind.MONTH, f"{y}-{mo:02d}", dt.date(y, mo, 1), _month_end(y, mo)
    if m := _QUARTER.match(label):
        y, q = int(m[1]), int(m[2])
        return PeriodKind.QUARTER, f"{y}-Q{q}", dt.date(y, 3 * q - 2, 1), _month_end(y, 3 * q)
    if m := _YEAR.match(label):
        y = int(m[1])
        return PeriodKind.YEAR, str(y), dt.date(y, 1, 1), dt.date(y, 12, 31)
    raise ValidationError(
        _("考核周期“%(p)s”格式不对：月度写 2026-10，季度写 2026-Q4，年度写 2026") % {"p": label},
        field="period",
        log_message=f"bad period {label!r}",
    )


def period_get_or_create(*, label: str) -> Period:
    kind, label, start, end = parse_period(label)
    period, _created = Period.objects.get_or_create(
        label=label, defaults={"kind": kind, "start": start, "end": end}
    )
    return period


def interview_window(period_end: dt.date, calendar=None) -> tuple[dt.date, dt.date]:
    """Business days 4–6 of the month after the period (seed 003 第4—6个工作日), on the calendar."""
    calendar = calendar or default_work_calendar()
    day = period_end + dt.timedelta(days=1)
    count = 0
    found: dict[int, dt.date] = {}
    while count < 6:
        if calendar.is_workday(day):
            count += 1
            found[count] = day
        day += dt.timedelta(days=1)
    return found[4], found[6]


# ---------------------------------------------------------------- subjects and metric values
@dataclass(frozen=True)
class Subject:
    kind: str
    id: int
    name: str
    site_id: int
    department_id: int | None = None
    staff_id: int | None = None
    team_id: int | None = None


def subjects_for(card: Scorecard) -> list[Subject]:
    """Who a scorecard appraises, in one query."""
    from opscenter.org.models import Department, Site, Staff, Team

    kind = card.subject_kind
    if kind == SubjectKind.STAFF:
        qs = Staff.objects.filter(is_active=True, department__site_id=card.site_id)
        if card.department_id:
            qs = qs.filter(department_id=card.department_id)
        if card.position_id:
            qs = qs.filter(position_id=card.position_id)
        return [
            Subject(kind, pk, name, card.site_id, dept, pk, team)
            for pk, name, dept, team in qs.values_list("pk", "name", "department_id", "team_id").order_by(
                "pk"
            )
        ]
    if kind == SubjectKind.TEAM:
        qs = Team.objects.filter(department__site_id=card.site_id)
        if card.department_id:
            qs = qs.filter(department_id=card.department_id)
        return [
            Subject(kind, pk, name, card.site_id, dept, None, pk)
            for pk, name, dept in qs.values_list("pk", "name", "department_id").order_by("pk")
        ]
    if kind == SubjectKind.DEPARTMENT:
        qs = Department.objects.filter(site_id=card.site_id)
        if card.department_id:
            qs = qs.filter(pk=card.department_id)
        return [
            Subject(kind, pk, name, card.site_id, pk)
            for pk, name in qs.values_list("pk", "name").order_by("pk")
        ]
    if kind == SubjectKind.SITE:
        return [
            Subject(kind, pk, name, pk)
            for pk, name in Site.objects.filter(pk=card.site_id).values_list("pk", "name")
        ]
    qs = Partner.objects.filter(site_id=card.site_id, is_active=True)
    return [Subject(kind, pk, name, card.site_id) for pk, name in qs.values_list("pk", "name").order_by("pk")]


def subjects_by_card(cards: list[Scorecard]) -> dict[int, list[Subject]]:
    """Who each scorecard appraises: the staff of every staff scorecard in one query (a chain has a
    scorecard per site and position), the other kinds per scorecard."""
    from opscenter.org.models import Staff

    staff_cards = [c for c in cards if c.subject_kind == SubjectKind.STAFF]
    out = {c.pk: subjects_for(c) for c in cards if c.subject_kind != SubjectKind.STAFF}
    if not staff_cards:
        return out
    by_site: dict[int, list[tuple]] = defaultdict(list)
    rows = (
        Staff.objects.filter(is_active=True, department__site_id__in={c.site_id for c in staff_cards})
        .values_list("pk", "name", "department_id", "team_id", "position_id", "department__site_id")
        .order_by("pk")
    )
    for row in rows:
        by_site[row[5]].append(row)
    for card in staff_cards:
        out[card.pk] = [
            Subject(SubjectKind.STAFF, pk, name, site, dept, pk, team)
            for pk, name, dept, team, position, site in by_site[card.site_id]
            if (not card.department_id or dept == card.department_id)
            and (not card.position_id or position == card.position_id)
        ]
    return out


Totals = dict[int, tuple[int, int | None]]  # unit id → (Σ numerator, Σ denominator or None)


def gather_metrics(
    needed: dict[tuple[str, str], set[int]], start: dt.date, end: dt.date
) -> dict[tuple[str, str], Totals]:
    """One registry call per (metric, grain) for all units at once; months summed over the period
    (numerators and denominators apart, so a quarter's rate is Σ÷Σ, not an average of rates)."""
    out: dict[tuple[str, str], Totals] = {}
    for (code, grain), unit_ids in needed.items():
        values = metric_values(code, grain=grain, period="month", start=start, end=end, unit_ids=unit_ids)
        single = {unit_id: (mv.numerator, mv.denominator) for (unit_id, _month), mv in values.items()}
        if len(single) == len(values):  # one month per unit (a monthly period): nothing to sum
            out[(code, grain)] = single
            continue
        totals: dict[int, list] = {}
        for (unit_id, _month), mv in values.items():
            acc = totals.setdefault(unit_id, [0, None])
            acc[0] += mv.numerator
            if mv.denominator is not None:
                acc[1] = (acc[1] or 0) + mv.denominator
        out[(code, grain)] = {k: (v[0], v[1]) for k, v in totals.items()}
    return out


def _metric_value(item, grain: str, unit_id: int, data) -> tuple[int | None, int | None, Decimal | None]:
    """(numerator, denominator, value) of an automatic item for one unit."""
    num, den = data[(item.metric_code, grain)].get(unit_id, (0, None))
    if item.denominator_code:
        d_num, _d = data[(item.denominator_code, grain)].get(unit_id, (0, None))
        value = (Decimal(num) / Decimal(d_num)).quantize(Decimal("0.0001")) if d_num else None
        return num, d_num, value
    if den is None:
        return num, None, Decimal(num)
    return num, den, ((Decimal(num) / Decimal(den)).quantize(Decimal("0.0001")) if den else None)


def curve_for(item) -> scoring.Curve:
    is_rate = bool(item.denominator_code) or get_metric(item.metric_code).unit == MetricUnit.RATE
    money = not item.denominator_code and get_metric(item.metric_code).unit == MetricUnit.MONEY_FEN
    scale = Decimal(100) if is_rate and item.rate_in_percent else Decimal("0.01") if money else Decimal(1)
    return scoring.Curve(
        kind=item.curve,
        zero_at=item.zero_at if item.zero_at is not None else Decimal(0),
        full_at=item.full_at if item.full_at is not None else Decimal(100),
        target=item.target if item.target is not None else Decimal(0),
        steps=tuple((Decimal(t), Decimal(s)) for t, s in item.steps),
        higher_is_better=item.higher_is_better,
        scale=scale,
    )


# ---------------------------------------------------------------- the outcome of one appraisal
def checklist_score(item, checked: list[str]) -> Decimal:
    points = sum(
        (Decimal(str(c["points"])) for c in item.checklist if c["label"] in set(checked)), Decimal(0)
    )
    return scoring.q2(scoring.clamp(points))


def compute_outcome(
    card: Scorecard, items, bands, scores: dict[int, ItemScore], events
) -> tuple[scoring.Outcome, int, dict]:
    """Weighted score, rules, grade and the explanation shown on the statement."""
    parts = []
    pending = 0
    for item in items:
        if item.kind == ItemKind.SCORED:
            s = scores.get(item.pk)
            if s is None or s.status == ScoreStatus.PENDING:
                pending += 1
            parts.append(((s.score if s is not None else None) or Decimal(0), item.weight))
    hits = engine.hits_for(events)
    band_values = [scoring.Band(b.name, b.min_score, b.coefficient) for b in bands]
    outcome = scoring.apply_rules(scoring.weighted_total(parts), hits, band_values)
    explanation = {
        "scorecard": f"{card.name} v{card.version}",
        "weighted": str(outcome.weighted),
        "rules": outcome.fired,
        "score": str(outcome.score),
        "grade": outcome.grade,
        "bands": [[b.name, str(b.min_score), str(b.coefficient)] for b in scoring.sorted_bands(band_values)],
    }
    return outcome, pending, explanation


def _apply(appraisal: Appraisal, outcome: scoring.Outcome, pending: int, explanation: dict) -> None:
    appraisal.weighted_score = outcome.weighted
    appraisal.final_score = outcome.score
    appraisal.grade = outcome.grade
    appraisal.individual_coefficient = outcome.coefficient
    appraisal.coefficient = (outcome.coefficient * appraisal.team_coefficient).quantize(Decimal("0.0001"))
    appraisal.pending_items = pending
    appraisal.explanation = explanation
    appraisal.computed_at = timezone.now()


# ---------------------------------------------------------------- the run
def _insert_fresh(period: Period, cards, columns, rows: list[tuple], items: list[list[tuple]]) -> None:
    """Insert the new appraisals, read their ids back in one query, then their item scores."""
    if not rows:
        return
    engine.insert_rows(Appraisal, columns, rows, batch=2000)
    ids = {
        (card_id, kind, subject_id): pk
        for pk, card_id, kind, subject_id in Appraisal.objects.filter(
            period=period, scorecard__in=cards
        ).values_list("pk", "scorecard_id", "subject_kind", "subject_id")
    }
    empty = engine.prep(ItemScore, "checked", [])
    score_rows = []
    for row, mine in zip(rows, items, strict=True):
        pk = ids[(row[1], row[4], row[5])]
        score_rows.extend((pk, *r, empty, "") for r in mine)
    engine.insert_rows(
        ItemScore,
        (
            "appraisal_id",
            "item_id",
            "status",
            "numerator",
            "denominator",
            "value",
            "score",
            "checked",
            "note",
        ),
        score_rows,
    )


def _insert_fresh_interviews(period: Period, cards, due_from: dt.date, due_by: dt.date) -> None:
    """绩效面谈 rows for the staff appraisals that have none yet (one INSERT … SELECT)."""
    from django.db import connection

    q = connection.ops.quote_name
    a, i = Appraisal._meta.db_table, Interview._meta.db_table
    card_ids = [c.pk for c in cards]
    marks = ", ".join(["%s"] * len(card_ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {q(i)} (appraisal_id, due_from, due_by, status, notes) "
            f"SELECT a.id, %s, %s, %s, %s FROM {q(a)} a WHERE a.period_id = %s AND a.scorecard_id IN ({marks}) "
            f"AND a.staff_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {q(i)} x WHERE x.appraisal_id = a.id)",
            [due_from, due_by, InterviewStatus.DUE, "", period.pk, *card_ids],
        )


@dataclass
class RunSummary:
    period: str
    appraisals: int
    metric_calls: int
    pending_items: int


def _require_run(actor) -> None:
    if actor is not None:
        scope_for(actor).require("appraisal.change_appraisal")


@engine.without_gc
@transaction.atomic
def appraisal_run(
    *,
    period: Period,
    scorecard_name: str | None = None,
    actor=None,
    site_ids: set[int] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> RunSummary:
    """Compute every appraisal of the period as a draft (idempotent: a rerun updates the same rows,
    keeping manual entries and rule events)."""
    _require_run(actor)
    period = Period.objects.select_for_update().get(pk=period.pk)
    if period.status == PeriodStatus.PUBLISHED:
        raise ValidationError(
            _("考核周期 %(p)s 已发布，结果已冻结；如需更正请走申诉") % {"p": period.label}, field="period"
        )
    cards_qs = Scorecard.objects.filter(status=ScorecardStatus.PUBLISHED).prefetch_related(
        "items", "bands", "rules"
    )
    if scorecard_name:
        cards_qs = cards_qs.filter(name=scorecard_name)
    if site_ids is not None:
        cards_qs = cards_qs.filter(site_id__in=site_ids)
    # Sites already published for the period are frozen: the run leaves them alone.
    frozen = published_site_ids(period)
    cards = [c for c in cards_qs if c.site_id not in frozen]
    if scorecard_name and not cards:
        raise ValidationError(_("没有名为“%(n)s”的已发布考核方案") % {"n": scorecard_name}, field="scorecard")
    # Stale drafts of an older version of the same scorecards go (the period is not published).
    Appraisal.objects.filter(period=period, scorecard__site_id__in={c.site_id for c in cards}).filter(
        scorecard__name__in={c.name for c in cards}
    ).exclude(scorecard__in=cards).delete()

    subjects = subjects_by_card(cards)
    needed: dict[tuple[str, str], set[int]] = defaultdict(set)
    for card in cards:
        grain = SUBJECT_GRAIN.get(card.subject_kind)
        for item in card.items.all():
            if item.method == ItemMethod.METRIC and grain:
                for code in filter(None, (item.metric_code, item.denominator_code)):
                    needed[(code, grain)].update(s.id for s in subjects[card.pk])
    data = gather_metrics(needed, period.start, period.end)

    existing = {
        (a.scorecard_id, a.subject_kind, a.subject_id): a
        for a in Appraisal.objects.filter(period=period, scorecard__in=cards)
    }
    # Appraisals that existed before (a rerun of a draft) are updated through the ORM, keeping manual
    # entries and rule events; new ones (every appraisal of a first run) are scored with the compiled
    # plan and inserted as plain rows (engine.py), fully computed, with their item scores.
    scores: dict[tuple[int, int], ItemScore] = {}
    events: dict[int, list[RuleEvent]] = defaultdict(list)
    if existing:
        scores = {
            (s.appraisal_id, s.item_id): s
            for s in ItemScore.objects.filter(appraisal__period=period, appraisal__scorecard__in=cards)
        }
        for e in RuleEvent.objects.filter(
            appraisal__period=period, appraisal__scorecard__in=cards
        ).select_related("rule"):
            events[e.appraisal_id].append(e)

    total = sum(len(v) for v in subjects.values())
    done = 0
    to_create: list[ItemScore] = []
    to_update: list[ItemScore] = []
    fresh_rows: list[tuple] = []
    fresh_items: list[list[tuple]] = []
    fresh_staff = 0
    pending_total = 0
    now = timezone.now()
    now_db = engine.now_prepared(now)
    set_columns = (
        "period_id", "scorecard_id", "site_id", "department_id", "subject_kind", "subject_id",
        "subject_name", "staff_id", "team_id", "weighted_score", "final_score", "grade",
        "individual_coefficient", "team_coefficient", "coefficient", "explanation", "pending_items",
        "version", "computed_at",
    )  # fmt: skip
    defaults = engine.field_defaults(Appraisal, set(set_columns))
    engine.reset_memos()
    one = Decimal("1.00")
    for card in cards:
        grain = SUBJECT_GRAIN.get(card.subject_kind)
        items = list(card.items.all())
        bands = list(card.bands.all())
        curves = {i.pk: curve_for(i) for i in items if engine.is_auto(i, grain)}
        plan = engine.Plan(card, items, bands, curves, grain)
        for s in subjects[card.pk]:
            appraisal = existing.get((card.pk, s.kind, s.id))
            if appraisal is None:
                parts = []
                rows = []
                for ci in plan.auto:
                    num, den, value, value_param = ci.value(data, s.id)
                    score, cents = ci.score(value)
                    parts.append(cents * ci.weight_h)
                    rows.append((ci.item_id, ScoreStatus.AUTO, num, den, value_param, score))
                rows.extend((i.pk, ScoreStatus.PENDING, None, None, None, None) for i in plan.other)
                weighted = engine.weighted_from(parts)
                cents = engine.to_cents(weighted)
                grade, coef = plan.grade(cents)
                pending = len(plan.other_scored)
                fresh_rows.append(
                    (
                        period.pk, card.pk, s.site_id, s.department_id, s.kind, s.id, s.name,
                        s.staff_id, s.team_id, weighted, weighted, grade, coef, one,
                        coef.quantize(Decimal("0.0001")),
                        plan.fresh_explanation(weighted, grade),
                        pending, 1, now_db, *defaults.values(),
                    )
                )  # fmt: skip
                fresh_items.append(rows)
                fresh_staff += s.staff_id is not None
                pending_total += pending
                done += 1
                continue
            mine: dict[int, ItemScore] = {}
            for item in items:
                row = scores.get((appraisal.pk, item.pk))
                if row is None:
                    row = ItemScore(appraisal=appraisal, item=item)
                    to_create.append(row)
                else:
                    to_update.append(row)
                if item.pk in curves:
                    row.numerator, row.denominator, row.value = _metric_value(item, grain, s.id, data)
                    row.status = ScoreStatus.AUTO
                    row.score = curves[item.pk].score(row.value) if item.kind == ItemKind.SCORED else None
                elif row.status == ScoreStatus.AUTO:
                    row.status = ScoreStatus.PENDING
                mine[item.pk] = row
            outcome, pending, explanation = compute_outcome(
                card, items, bands, mine, events.get(appraisal.pk, [])
            )
            _apply(appraisal, outcome, pending, explanation)
            pending_total += pending
            done += 1
        if progress:
            progress(done, total)
    _insert_fresh(period, cards, set_columns + tuple(defaults), fresh_rows, fresh_items)
    ItemScore.objects.bulk_create(to_create, batch_size=5000)
    if to_update:
        ItemScore.objects.bulk_update(
            to_update, ["status", "numerator", "denominator", "value", "score"], batch_size=5000
        )
    updated = list(existing.values())
    if updated:
        Appraisal.objects.bulk_update(
            updated,
            [
                "weighted_score",
                "final_score",
                "grade",
                "individual_coefficient",
                "team_coefficient",
                "coefficient",
                "pending_items",
                "explanation",
                "computed_at",
            ],
            batch_size=2000,
        )
    due_from, due_by = interview_window(period.end)
    Interview.objects.bulk_create(
        [Interview(appraisal=a, due_from=due_from, due_by=due_by) for a in updated if a.staff_id],
        ignore_conflicts=True,
        batch_size=5000,
    )
    if fresh_staff:
        _insert_fresh_interviews(period, cards, due_from, due_by)
    team_coefficients_refresh(period=period)
    Period.objects.filter(pk=period.pk).update(status=PeriodStatus.DRAFT)
    return RunSummary(period.label, total, len(needed), pending_total)


def run_enqueue(*, period: Period, scorecard_name: str = "", actor=None) -> AppraisalRun:
    """Record a run and hand it to the background worker (django-tasks)."""
    from opscenter.appraisal.tasks import appraisal_run_task

    _require_run(actor)
    if period.status == PeriodStatus.PUBLISHED:
        raise ValidationError(_("考核周期 %(p)s 已发布，结果已冻结") % {"p": period.label}, field="period")
    run = AppraisalRun.objects.create(
        period=period,
        scorecard_name=scorecard_name,
        requested_by=actor if getattr(actor, "pk", None) else None,
    )
    transaction.on_commit(lambda: appraisal_run_task.enqueue(run.pk))
    return run


def run_execute(run_id: int) -> str:
    """Claim the queued run (claim one: two workers never run it twice), run it, record the outcome."""
    if (
        AppraisalRun.objects.filter(pk=run_id, status="queued").update(
            status="running", started_at=timezone.now()
        )
        != 1
    ):
        return "skipped"
    run = AppraisalRun.objects.select_related("period", "requested_by").get(pk=run_id)

    def progress(done: int, total: int) -> None:
        AppraisalRun.objects.filter(pk=run_id).update(done=done, total=total)

    actor = run.requested_by
    site_ids = None
    if actor is not None and not actor.is_superuser:
        site_ids = set(scope_for(actor).site_ids)
    try:
        summary = appraisal_run(
            period=run.period,
            scorecard_name=run.scorecard_name or None,
            actor=actor,
            site_ids=site_ids,
            progress=progress,
        )
    except ValidationError as exc:
        AppraisalRun.objects.filter(pk=run_id).update(
            status="failed", message=exc.message, finished_at=timezone.now()
        )
        return "failed"
    AppraisalRun.objects.filter(pk=run_id).update(
        status="done",
        done=summary.appraisals,
        total=summary.appraisals,
        queries=summary.metric_calls,
        message=_("已计算 %(n)s 份考核，待打分项目 %(p)s 个")
        % {"n": summary.appraisals, "p": summary.pending_items},
        finished_at=timezone.now(),
    )
    return "done"


def team_coefficients_refresh(*, period: Period, team_ids: set[int] | None = None) -> int:
    """Seed 000 个人与团队绩效系数相结合: a staff appraisal's team coefficient is the band coefficient
    (of its scorecard) for its team's average final score; coefficient = individual × team. Run after
    a run, before publishing and after a recompute (the team average moves with every entry)."""
    qs = Appraisal.objects.filter(period=period, subject_kind=SubjectKind.STAFF, team__isnull=False)
    if team_ids is not None:
        qs = qs.filter(team_id__in=team_ids)
    rows = list(qs.select_related("scorecard"))
    bands_by_card = {}
    by_team: dict[tuple[int, int], list[Appraisal]] = defaultdict(list)
    for a in rows:
        by_team[(a.scorecard_id, a.team_id)].append(a)
    for (card_id, _team), members in by_team.items():
        if card_id not in bands_by_card:
            bands_by_card[card_id] = [
                scoring.Band(b.name, b.min_score, b.coefficient) for b in members[0].scorecard.bands.all()
            ]
        bands = bands_by_card[card_id]
        avg = scoring.q2(sum((m.final_score or Decimal(0)) for m in members) / len(members))
        team_coef = scoring.sorted_bands(bands)[scoring.band_index(avg, bands)].coefficient
        for a in members:
            a.team_coefficient = team_coef
            a.coefficient = (a.individual_coefficient * team_coef).quantize(Decimal("0.0001"))
            a.explanation = {**(a.explanation or {}), "team_average": str(avg)}
    Appraisal.objects.bulk_update(rows, ["team_coefficient", "coefficient", "explanation"], batch_size=2000)
    return len(rows)


# ---------------------------------------------------------------- single-appraisal changes
def appraisal_recompute(*, appraisal: Appraisal) -> Appraisal:
    """Recompute one appraisal from its stored item scores and events (after an entry or appeal)."""
    card = appraisal.scorecard
    items = list(card.items.all())
    bands = list(card.bands.all())
    scores = {s.item_id: s for s in appraisal.scores.all()}
    events = list(appraisal.events.select_related("rule"))
    outcome, pending, explanation = compute_outcome(card, items, bands, scores, events)
    if "team_average" in (appraisal.explanation or {}):
        explanation["team_average"] = appraisal.explanation["team_average"]
    _apply(appraisal, outcome, pending, explanation)
    appraisal.version += 1
    appraisal.save()
    if appraisal.team_id and appraisal.subject_kind == SubjectKind.STAFF:
        team_coefficients_refresh(period=appraisal.period, team_ids={appraisal.team_id})
        appraisal.refresh_from_db()
    return appraisal


def _require_open(appraisal: Appraisal) -> None:
    if is_published(appraisal):
        raise ValidationError(
            _("考核周期 %(p)s 已发布，结果已冻结；如需更正请走申诉") % {"p": appraisal.period.label},
            log_message=f"period {appraisal.period_id} published",
        )


def _is_manager(actor, appraisal: Appraisal) -> bool:
    scope = scope_for(actor)
    return scope.can("appraisal.change_appraisal") and scope.writes_site(appraisal.site_id)


@transaction.atomic
def item_score_enter(
    *, actor, item_score: ItemScore, score=None, checked: list[str] | None = None, note: str = ""
) -> ItemScore:
    """A manual score (0–100) by the item's named appraiser (or an appraisal manager of the site),
    or the ticked checklist entries; the appraisal is recomputed."""
    row = (
        ItemScore.objects.select_for_update()
        .select_related("item", "appraisal__period")
        .get(pk=item_score.pk)
    )
    item, appraisal = row.item, row.appraisal
    if row.status != ScoreStatus.REOPENED:
        _require_open(appraisal)
    if item.method == ItemMethod.METRIC:
        raise ValidationError(_("自动计分项目不能手工打分"), field="score")
    staff = getattr(actor, "staff", None) if actor is not None else None
    is_appraiser = staff is not None and item.appraiser_id == staff.pk
    if actor is not None and not (is_appraiser or _is_manager(actor, appraisal)):
        raise PermissionDenied(_("只有该项目的考核人可以打分"), log_message=f"item {item.pk} appraiser")
    if item.method == ItemMethod.CHECKLIST:
        labels = {c["label"] for c in item.checklist}
        checked = [c for c in (checked or []) if c in labels]
        row.checked = checked
        value = checklist_score(item, checked)
    else:
        try:
            value = Decimal(str(score).strip())
        except Exception as exc:
            raise ValidationError(_("得分须为 0–100 的数字"), field="score") from exc
        if not value.is_finite() or not (Decimal(0) <= value <= Decimal(100)):
            raise ValidationError(
                _("“%(item)s”得分 %(v)s 超出 0–100") % {"item": item.name, "v": score}, field="score"
            )
    row.score = scoring.q2(value) if item.kind == ItemKind.SCORED else None
    if item.kind == ItemKind.OBSERVED and item.method == ItemMethod.MANUAL:
        row.value = scoring.q2(value)
    row.note = note
    row.status = ScoreStatus.ENTERED
    row.entered_by = actor if getattr(actor, "pk", None) else None
    row.entered_at = timezone.now()
    row.save()
    appraisal_recompute(appraisal=appraisal)
    return row


@transaction.atomic
def rule_event_add(
    *, actor, appraisal: Appraisal, rule: Rule, reason: str, points=None, complaint_id: int | None = None
) -> RuleEvent:
    """Record an event making a rule fire; deductions take points within the rule's range and, when the
    rule says so, the linked complaint (of the appraisal's site, once per appraisal)."""
    _require_open(appraisal)
    if actor is not None and not _is_manager(actor, appraisal):
        raise PermissionDenied(_("您没有执行此操作的权限"))
    if rule.scorecard_id != appraisal.scorecard_id:
        raise ValidationError(_("规则不属于该考核方案"), field="rule")
    if not (reason or "").strip():
        raise ValidationError(_("请填写事由"), field="reason")
    value = Decimal(0)
    if rule.kind == RuleKind.DEDUCTION:
        try:
            value = Decimal(str(points))
        except Exception as exc:
            raise ValidationError(_("扣分须为数字"), field="points") from exc
        if not (rule.points_min <= value <= rule.points_max):
            raise ValidationError(
                _("“%(rule)s”每次扣 %(a)s–%(b)s 分，不能扣 %(v)s 分")
                % {
                    "rule": rule.name,
                    "a": rule.points_min.normalize(),
                    "b": rule.points_max.normalize(),
                    "v": points,
                },
                field="points",
            )
    if rule.links_complaint and not complaint_id:
        raise ValidationError(_("该规则须关联一条投诉"), field="complaint")
    if complaint_id:
        from opscenter.commitments.models import Complaint

        if not Complaint.objects.filter(pk=complaint_id, site_id=appraisal.site_id).exists():
            raise ValidationError(
                _("投诉 #%(id)s 不存在或不属于该院区") % {"id": complaint_id}, field="complaint"
            )
        if RuleEvent.objects.filter(appraisal=appraisal, complaint_id=complaint_id).exists():
            raise ValidationError(_("投诉 #%(id)s 已计入本次考核") % {"id": complaint_id}, field="complaint")
    event = RuleEvent.objects.create(
        appraisal=appraisal,
        rule=rule,
        points=value,
        complaint_id=complaint_id,
        reason=reason.strip(),
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    appraisal_recompute(appraisal=appraisal)
    return event


def published_site_ids(period: Period) -> set[int]:
    """Sites whose results of the period are published (frozen)."""
    return set(PeriodPublication.objects.filter(period=period).values_list("site_id", flat=True))


def is_published(appraisal: Appraisal) -> bool:
    """Frozen: the whole period is published, or the appraisal's site is."""
    return (
        appraisal.period.status == PeriodStatus.PUBLISHED
        or PeriodPublication.objects.filter(period_id=appraisal.period_id, site_id=appraisal.site_id).exists()
    )


@transaction.atomic
@as_actor
def period_publish(
    *, actor, period: Period, site_ids: Iterable[int] | None = None
) -> list[PeriodPublication]:
    """Publish and freeze the period's results for several sites at once: the given sites, or every
    site with unpublished results the actor may write (a site manager their site, a group manager all
    of theirs). Refused while manual items are pending in those sites. Each site's publication is a
    row (audited); the period itself is published when no site with results is left."""
    from opscenter.org.models import Site

    period = Period.objects.select_for_update().get(pk=period.pk)
    scope = scope_for(actor) if actor is not None else None
    if scope is not None:
        scope.require("appraisal.change_period")
    if period.status != PeriodStatus.DRAFT:
        raise ValidationError(
            _("考核周期 %(p)s 当前为“%(s)s”，须先计算出草稿才能发布")
            % {"p": period.label, "s": period.get_status_display()},
            field="period",
        )
    counts = dict(
        period.appraisals.values_list("site_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("site_id", "n")
    )
    open_sites = set(counts) - published_site_ids(period)
    names = dict(Site.objects.filter(pk__in=set(counts) | set(site_ids or ())).values_list("pk", "name"))
    if site_ids is None:
        targets = {s for s in open_sites if scope is None or scope.writes_site(s)}
    else:
        targets = {int(s) for s in site_ids}
        for site_id in sorted(targets):
            if scope is not None:
                scope.require_site(site_id, write=True)
            if site_id not in open_sites:
                raise ValidationError(
                    _("%(site)s 在 %(p)s 没有待发布的考核结果")
                    % {"site": names.get(site_id, site_id), "p": period.label},
                    field="sites",
                )
    if not targets:
        raise ValidationError(_("没有您可以发布的院区考核结果"), field="sites")
    pending = dict(
        period.appraisals.filter(site_id__in=targets, pending_items__gt=0)
        .values_list("site_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("site_id", "n")
    )
    if pending:
        detail = "; ".join(f"{names.get(s, s)} {n}" for s, n in sorted(pending.items()))
        raise ValidationError(
            _("还有 %(n)s 份考核有待打分的项目，不能发布（%(d)s）")
            % {"n": sum(pending.values()), "d": detail},
            field="period",
        )
    team_coefficients_refresh(period=period)
    now = timezone.now()
    by = actor if getattr(actor, "pk", None) else None
    rows = [
        PeriodPublication.objects.create(
            period=period, site_id=site_id, appraisals=counts[site_id], published_at=now, published_by=by
        )
        for site_id in sorted(targets)
    ]
    for row in rows:
        audit.record_event(
            period,
            _("发布 %(site)s %(p)s 考核结果 %(n)s 份，结果冻结")
            % {"site": names.get(row.site_id, row.site_id), "p": period.label, "n": row.appraisals},
        )
    if not open_sites - targets:
        period.status = PeriodStatus.PUBLISHED
        period.published_at = now
        period.published_by = by
        period.save(update_fields=["status", "published_at", "published_by"])
    return rows


# ---------------------------------------------------------------- appeals and interviews
@transaction.atomic
def appeal_file(*, actor, item_score: ItemScore, reason: str) -> Appeal:
    """申诉: the appraised staff member (or their manager) reopens one item of a published appraisal."""
    row = (
        ItemScore.objects.select_for_update()
        .select_related("appraisal__period", "item")
        .get(pk=item_score.pk)
    )
    appraisal = row.appraisal
    if not is_published(appraisal):
        raise ValidationError(_("考核结果发布后才能申诉"), field="item")
    own = (
        actor is not None
        and appraisal.staff_id
        and getattr(getattr(actor, "staff", None), "pk", None) == appraisal.staff_id
    )
    if actor is not None and not (own or _is_manager(actor, appraisal)):
        raise PermissionDenied(_("只能对自己的考核结果申诉"))
    if not (reason or "").strip():
        raise ValidationError(_("请填写申诉理由"), field="reason")
    if row.appeals.filter(status=AppealStatus.OPEN).exists():
        raise ValidationError(_("该项目已有待处理的申诉"), field="item")
    appeal = Appeal.objects.create(
        appraisal=appraisal,
        item_score=row,
        reason=reason.strip(),
        filed_by=actor if getattr(actor, "pk", None) else None,
        old_score=row.score,
        old_final=appraisal.final_score,
        old_grade=appraisal.grade,
    )
    row.status = ScoreStatus.REOPENED
    row.save(update_fields=["status"])
    return appeal


@transaction.atomic
def appeal_decide(*, actor, appeal: Appeal, upheld: bool, decision: str, new_score=None) -> Appeal:
    """Uphold (the item gets `new_score`, the appraisal is recomputed; old and new kept) or reject."""
    appeal = (
        Appeal.objects.select_for_update().select_related("appraisal", "item_score__item").get(pk=appeal.pk)
    )
    if actor is not None and not _is_manager(actor, appeal.appraisal):
        raise PermissionDenied(_("您没有执行此操作的权限"))
    if appeal.status != AppealStatus.OPEN:
        raise ValidationError(_("该申诉已处理"), field="appeal")
    if not (decision or "").strip():
        raise ValidationError(_("请填写处理意见"), field="decision")
    row = appeal.item_score
    if upheld:
        try:
            value = Decimal(str(new_score).strip())
        except Exception as exc:
            raise ValidationError(_("新得分须为 0–100 的数字"), field="new_score") from exc
        if not value.is_finite() or not (Decimal(0) <= value <= Decimal(100)):
            raise ValidationError(_("新得分 %(v)s 超出 0–100") % {"v": new_score}, field="new_score")
        row.score = scoring.q2(value)
        row.note = _("申诉成立：%(d)s") % {"d": decision.strip()}
        row.entered_by = actor if getattr(actor, "pk", None) else None
        row.entered_at = timezone.now()
        appeal.new_score = row.score
    row.status = ScoreStatus.ENTERED if (upheld or row.item.method != ItemMethod.METRIC) else ScoreStatus.AUTO
    row.save()
    appeal.status = AppealStatus.UPHELD if upheld else AppealStatus.REJECTED
    appeal.decision = decision.strip()
    appeal.decided_by = actor if getattr(actor, "pk", None) else None
    appeal.decided_at = timezone.now()
    appeal.save()
    if upheld:
        appraisal_recompute(appraisal=appeal.appraisal)
    return appeal


@transaction.atomic
def interview_record(*, actor, interview: Interview, held_on: dt.date, notes: str) -> Interview:
    if actor is not None and not _is_manager(actor, interview.appraisal):
        raise PermissionDenied(_("您没有执行此操作的权限"))
    if not (notes or "").strip():
        raise ValidationError(_("请填写面谈记录"), field="notes")
    interview.held_on = held_on
    interview.notes = notes.strip()
    interview.status = InterviewStatus.HELD
    interview.save()
    return interview
