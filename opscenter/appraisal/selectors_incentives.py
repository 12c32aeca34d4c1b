"""Reads of the incentive side (seed 002 points, contests; seed 003 allocation and leave
settlements), scoped to the acting user like `selectors.py`.

Points are gathered from the metric registry by staff × month in one grouped call per rule (not per
person); each row keeps its metric and months so the statement asks the metric for the drill-down
URL of the rows behind it when shown.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from opscenter.appraisal.choices import PeriodKind
from opscenter.appraisal.models import (
    Appraisal,
    BonusAllocation,
    IncentivePlan,
    LeaveSettlement,
    SalesContest,
)
from opscenter.core.exceptions import NotFound
from opscenter.metrics import get_metric, metric_values
from opscenter.org.selectors import scope_for


def months_between(start: dt.date, end: dt.date) -> list[dt.date]:
    out, day = [], start.replace(day=1)
    while day <= end:
        out.append(day)
        day = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return out


def staff_counts(
    rules: list[dict], *, amount_key: str, staff_ids: list[int], start: dt.date, end: dt.date
) -> dict[int, list[dict]]:
    """Per staff: one row per rule {metric, label, count, each} from the registry (staff × month),
    one grouped call per rule. Staff with nothing counted get no rows."""
    out: dict[int, list[dict]] = {}
    for rule in rules:
        code = rule["metric"]
        metric = get_metric(code)
        counts: dict[int, int] = {}
        for (sid, _month), mv in metric_values(
            code, grain="staff", period="month", start=start, end=end, unit_ids=staff_ids
        ).items():
            if mv.numerator:
                counts[sid] = counts.get(sid, 0) + mv.numerator
        for sid, n in counts.items():
            out.setdefault(sid, []).append(
                {"metric": code, "label": str(metric.label), "count": n, "each": str(rule[amount_key])}
            )
    return out


def row_drills(line_inputs: dict, staff_id: int | None) -> list[dict]:
    """The rows of a points / per-deal / contest line with the drill-down URL of each month."""
    rows = []
    months = [dt.date.fromisoformat(m) for m in line_inputs.get("months", [])]
    for row in line_inputs.get("rows", []):
        links = []
        if staff_id is not None:
            try:
                metric = get_metric(row["metric"])
                links = [(f"{m:%Y-%m}", metric.drill("staff", staff_id, "month", m)) for m in months]
            except Exception:  # a metric unregistered since: the stored counts still show
                links = []
        rows.append({**row, "links": links})
    return rows


# ---------------------------------------------------------------- contests
def contest_list(*, user) -> QuerySet[SalesContest]:
    scope = scope_for(user)
    scope.require("appraisal.view_incentiveplan")
    return scope.filter_sites(SalesContest.objects.select_related("site", "plan", "paid_by"))


def contest_get(*, user, contest_id: int) -> SalesContest:
    contest = contest_list(user=user).filter(pk=contest_id).first()
    if contest is None:
        raise NotFound(_("销售竞赛不存在或无权查看"))
    return contest


@dataclass
class Standing:
    rank: int
    staff: object
    points: Decimal
    rows: list[dict] = field(default_factory=list)


def contest_standings(contest: SalesContest) -> list[Standing]:
    """The leaderboard: every eligible person's contest points (ties share a rank), from the metrics
    over the contest's months."""
    people = list(contest.eligible.select_related("department", "team").order_by("employee_no"))
    counts = staff_counts(
        contest.rules,
        amount_key="points",
        staff_ids=[s.pk for s in people],
        start=contest.starts_on,
        end=contest.ends_on,
    )
    standings = []
    for person in people:
        rows = [{**r, "points": str(Decimal(r["each"]) * r["count"])} for r in counts.get(person.pk, [])]
        standings.append(Standing(0, person, sum((Decimal(r["points"]) for r in rows), Decimal(0)), rows))
    standings.sort(key=lambda s: (-s.points, s.staff.employee_no))
    for n, s in enumerate(standings):
        s.rank = standings[n - 1].rank if n and standings[n - 1].points == s.points else n + 1
    return standings


def points_plans(*, user, site_id: int) -> QuerySet[IncentivePlan]:
    from opscenter.appraisal.selectors import plan_list

    return plan_list(user=user).filter(site_id=site_id, kind="points").order_by("name", "-version")


# ---------------------------------------------------------------- allocation
def allocation_for_plan(plan: IncentivePlan, period_label: str) -> BonusAllocation | None:
    return (
        BonusAllocation.objects.filter(plan=plan, period_label=period_label)
        .prefetch_related("entries")
        .first()
    )


def monthly_scores(staff_ids: list[int], start: dt.date, end: dt.date) -> dict[int, dict]:
    """Each person's monthly final scores inside [start, end]: {staff: {"avg", "months": [(label, score)]}}."""
    out: dict[int, dict] = {s: {"avg": None, "months": []} for s in staff_ids}
    rows = (
        Appraisal.objects.filter(
            staff_id__in=staff_ids,
            period__kind=PeriodKind.MONTH,
            period__start__gte=start,
            period__end__lte=end,
            final_score__isnull=False,
        )
        .order_by("period__start")
        .values_list("staff_id", "period__label", "final_score", "pk")
    )
    for sid, label, score, pk in rows:
        out[sid]["months"].append((label, score, pk))
    for data in out.values():
        if data["months"]:
            data["avg"] = (sum(m[1] for m in data["months"]) / len(data["months"])).quantize(Decimal("0.01"))
    return out


# ---------------------------------------------------------------- leave settlements
def settlement_visible(user) -> QuerySet[LeaveSettlement]:
    """Finance/HR see settlements of their sites; everyone sees their own."""
    scope = scope_for(user)
    qs = LeaveSettlement.objects.select_related("staff", "staff__department", "site", "created_by")
    if scope.is_superuser or (scope.can("appraisal.view_payout") and scope.all_sites):
        return qs
    if scope.user_id is None:
        return qs.none()
    if scope.can("appraisal.view_payout"):
        return qs.filter(Q(site_id__in=scope.site_ids) | Q(staff_id=scope.staff_id))
    return qs.filter(staff_id=scope.staff_id) if scope.staff_id else qs.none()


def settlement_get(*, user, settlement_id: int) -> LeaveSettlement:
    s = settlement_visible(user).filter(pk=settlement_id).first()
    if s is None:
        raise NotFound(_("离职结算不存在或无权查看"))
    return s


def settlements_by_staff(staff_ids) -> dict[int, int]:
    """staff → settlement id, for linking from a payout statement."""
    return dict(LeaveSettlement.objects.filter(staff_id__in=staff_ids).values_list("staff_id", "pk"))


# ---------------------------------------------------------------- year-end contract bonus inputs
@dataclass
class BonusContext:
    """What a contract-bonus split is made of for [start, end]: the contracts and pool, who is GM and
    marketing manager, who may receive the allocated parts, the monthly scores, and the split with
    the 25 % weighted by those scores (the GM's part held unassigned unless the plan weights it)."""

    start: dt.date
    end: dt.date
    contracts: list[tuple[int, str, str, dt.date]]  # pk, class at signing, partner, signed on
    class_fen: dict[str, int]
    pool_fen: int
    gm_id: int | None
    marketing_manager_id: int | None
    mk_eligible: dict[int, str]
    other_eligible: dict[int, str]
    scores: dict[int, dict]
    shares: list = field(default_factory=list)

    def part_total(self, part: str) -> int:
        return sum(s.amount_fen for s in self.shares if s.part == part)

    def by_class(self) -> dict[str, int]:
        return {g: sum(1 for c in self.contracts if c[1] == g) for g in self.class_fen}


def bonus_context(
    plan: IncentivePlan, start: dt.date, end: dt.date, *, include_staff_ids: tuple[int, ...] = ()
) -> BonusContext:
    """Seed 003: contracts of the plan's site signed in [start, end] by their class at signing →
    pool → split. `include_staff_ids` keeps someone counted who is leaving (early settlement)."""
    from opscenter.appraisal import pay
    from opscenter.appraisal.models import PartnerContract
    from opscenter.org.models import Department, Staff

    p = plan.params
    contracts = list(
        PartnerContract.objects.filter(
            partner__site_id=plan.site_id, signed_on__gte=start, signed_on__lte=end
        )
        .order_by("signed_on", "pk")
        .values_list("pk", "grade_at_signing", "partner__name", "signed_on")
    )
    class_fen = {k: int(v) for k, v in p["class_fen"].items()}
    pool = sum(class_fen.get(c[1], 0) for c in contracts)
    mk_dept = Department.objects.filter(pk=p.get("marketing_department_id"), site_id=plan.site_id).first()
    if mk_dept is None:
        from opscenter.core.exceptions import ValidationError

        raise ValidationError(_("请在方案参数中指定市场部"), field="marketing_department_id")
    gm_id = p.get("gm_staff_id")
    # who left before the end was settled apart (services.settlement): not in the year-end split
    left = LeaveSettlement.objects.filter(site_id=plan.site_id, left_on__lte=end).exclude(
        staff_id__in=include_staff_ids
    )
    staff = list(
        Staff.objects.filter(
            Q(is_active=True) | Q(pk__in=include_staff_ids), department__site_id=plan.site_id
        )
        .exclude(pk__in=left.values("staff_id"))
        .order_by("pk")
        .values_list("pk", "department_id", "name")
    )
    names = {s: n for s, _d, n in staff}
    marketing_ids = [s for s, d, _n in staff if d == mk_dept.pk]
    managers = dict(Department.objects.filter(site_id=plan.site_id).values_list("pk", "manager_id"))
    depts = []
    for dept_id, manager_id in sorted(managers.items()):
        members = tuple(s for s, d, _n in staff if d == dept_id and s not in (manager_id, gm_id))
        if dept_id == mk_dept.pk or (not members and not manager_id):
            continue
        if gm_id and manager_id == gm_id and not members:
            continue
        depts.append(pay.Dept(dept_id, manager_id, members))
    mk_eligible = {s: names[s] for s in marketing_ids if s not in (mk_dept.manager_id, gm_id)}
    scores = monthly_scores(list(mk_eligible), start, end)
    gm_alloc = {int(k): Decimal(str(v)) for k, v in (p.get("gm_allocation") or {}).items()} or None
    shares = pay.contract_bonus_split(
        pool_fen=pool,
        gm_id=gm_id,
        marketing_manager_id=mk_dept.manager_id,
        marketing_staff_ids=marketing_ids,
        departments=depts,
        allocation_weights={k: v["avg"] or Decimal(0) for k, v in scores.items()},
        gm_allocation=gm_alloc,
    )
    return BonusContext(
        start=start,
        end=end,
        contracts=contracts,
        class_fen=class_fen,
        pool_fen=pool,
        gm_id=gm_id,
        marketing_manager_id=mk_dept.manager_id,
        mk_eligible=mk_eligible,
        other_eligible={s: names[s] for s, d, _n in staff if d != mk_dept.pk and s != gm_id},
        scores=scores,
        shares=shares,
    )
