"""The solve screen and the CLI: a unit's rates (trailing actuals, overrides, fallback to its
department and site) and, month by month, what its revenue target needs (back) and what its
planned consultations bring (forward); and the same target split across source channels, each
part back-solved with that channel's own rates. The arithmetic is `solver`; this module only
gathers the numbers it works on."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opscenter.core.exceptions import ValidationError
from opscenter.org.selectors import staff_list, team_list
from opscenter.pipeline import selectors as pipeline
from opscenter.pipeline.periods import month_label
from opscenter.pipeline.selectors import ChannelFunnel, FunnelRow
from opscenter.targets import actuals, solver
from opscenter.targets.choices import SplitMethod, UnitKind
from opscenter.targets.constants import MONEY_METRIC
from opscenter.targets.models import Allocation, TargetPlan
from opscenter.targets.splitting import split_by_weights
from opscenter.targets.units import Unit

SITE_UNIT = Unit(UnitKind.SITE, None, gettext_lazy("全院区"))
PLANNED = {
    "consultations_phone": "consultations_phone",
    "consultations_online_local": "consultations_online",
    "visits_walk_in": "visits_walk_in",
}


@dataclass
class SolveMonth:
    month: int
    revenue_fen: int
    need: solver.Need | None
    planned: dict[str, int]
    expected: solver.Expected | None
    monthly: dict[str, Decimal] = field(default_factory=dict)  # the month's rate targets (RateTarget)

    @property
    def label(self) -> str:
        return month_label(self.month)

    @property
    def gap_fen(self) -> int | None:
        return None if self.expected is None else self.expected.revenue_fen - self.revenue_fen


@dataclass
class ChannelMonth:
    month: int
    revenue_fen: int
    need: solver.Need | None

    @property
    def label(self) -> str:
        return month_label(self.month)


@dataclass
class ChannelLine:
    """One source channel of a unit's plan: its part of each month's revenue target and what that
    part needs, solved with the channel's rates (own, else the nearest parent's in the channel)."""

    channel_id: int
    name: str
    weight_fen: int  # the channel's trailing revenue at the plan's share level
    share: Fraction
    own: solver.Rates
    parents: list[tuple[str, solver.Rates]]  # the channel's rates at each parent, nearest first
    resolved: solver.ResolvedRates
    overrides: dict[str, Decimal]
    months: list[ChannelMonth] = field(default_factory=list)
    error: str = ""
    error_field: str = ""

    @property
    def revenue_fen(self) -> int:
        return sum(m.revenue_fen for m in self.months)

    def total(self, attr: str) -> int | None:
        if self.error:
            return None
        return sum(getattr(m.need, attr) or 0 for m in self.months if m.need is not None)


@dataclass
class ChannelPlan:
    """A unit's revenue target split across source channels by their share of the unit's trailing
    revenue (`share_level`: the unit's own, or the nearest parent's when the unit has none)."""

    lines: list[ChannelLine]
    months: list[int]
    share_level: str = ""
    unlabeled_share: Fraction = Fraction(0)  # revenue of customers without a channel, spread pro rata
    error: str = ""

    @property
    def errors(self) -> list[str]:
        return [line.error for line in self.lines if line.error]

    @property
    def fallback_lines(self) -> list[ChannelLine]:
        return [line for line in self.lines if line.resolved.fallbacks]

    def month_revenue(self, month: int) -> int:
        return sum(m.revenue_fen for line in self.lines for m in line.months if m.month == month)

    def month_total(self, month: int, attr: str) -> int | None:
        """Across channels; None when a channel could not be solved (the total would be short)."""
        if self.errors:
            return None
        return sum(getattr(m.need, attr) or 0 for line in self.lines for m in line.months if m.month == month)

    def total(self, attr: str) -> int | None:
        if self.errors:
            return None
        return sum(line.total(attr) or 0 for line in self.lines)

    @property
    def revenue_fen(self) -> int:
        return sum(line.revenue_fen for line in self.lines)


@dataclass
class Solution:
    unit: Unit
    unit_rates: solver.Rates
    site_rates: solver.Rates
    resolved: solver.ResolvedRates
    months: list[SolveMonth] = field(default_factory=list)
    error: str = ""
    error_field: str = ""
    planned_from_need: bool = False  # no planned consultations: forward uses the back-solved needs
    parents: list[tuple[Unit, solver.Rates]] = field(default_factory=list)  # nearest first, site last
    channels: ChannelPlan | None = None
    site_id: int | None = None
    window: tuple[int, int] | None = None  # the trailing months the rates come from
    overrides: dict[str, Decimal] = field(default_factory=dict)  # the unit's own, across channels
    monthly: dict[int, dict[str, Decimal]] = field(default_factory=dict)  # month → its rate targets

    def total(self, attr: str) -> int:
        values = [getattr(m.need, attr) for m in self.months if m.need is not None]
        return sum(v for v in values if v is not None)

    def expected_total(self) -> int:
        return sum(m.expected.revenue_fen for m in self.months if m.expected is not None)

    def parent(self, level: str) -> Unit | None:
        return next((u for u, _rates in self.parents if str(u.kind) == level), None)


def solve_months(revenue_by_month: dict[int, int], resolved: solver.ResolvedRates,
                 planned_by_month: dict[int, dict[str, int]] | None = None,
                 monthly: dict[int, dict[str, Decimal]] | None = None) -> tuple[list[SolveMonth], str, str, bool]:  # fmt: skip
    """Back- and forward-solve each month (with that month's rate targets over the unit's rates);
    a rate problem is one message for the whole table."""
    months: list[SolveMonth] = []
    error = error_field = ""
    from_need = False
    for month, revenue in sorted(revenue_by_month.items()):
        need = expected = None
        planned = dict((planned_by_month or {}).get(month, {}))
        month_rates = (monthly or {}).get(month, {})
        rates = solver.for_month(resolved, month_rates).rates
        try:
            need = solver.back_solve(revenue, rates)
            for key in PLANNED.values():
                if key not in planned:
                    planned[key] = getattr(need, key)
                    from_need = True
            expected = solver.forward_solve(rates=rates, **planned)
        except ValidationError as exc:
            error, error_field = exc.message, exc.field or ""
        months.append(
            SolveMonth(month=month, revenue_fen=revenue, need=need, planned=planned, expected=expected,
                       monthly=dict(month_rates))
        )  # fmt: skip
    return months, error, error_field, from_need


def _has_history(row: FunnelRow) -> bool:
    return bool(row.revenue_fen or any(row.counts.values()))


def solve_channels(
    revenue_by_month: dict[int, int],
    levels: list[tuple[str, ChannelFunnel]],
    names: dict[int, str],
    overrides: dict[int, dict[str, Decimal]] | None = None,
) -> ChannelPlan:
    """Split each month's revenue target across channels and back-solve each part.

    `levels`: the unit's trailing funnel by channel ("unit") then its parents' (nearest first, the
    site last). The channels are those with any history at the widest level; each month is split
    by the channels' trailing revenue at the nearest level that has any (largest remainder, so
    the parts add up to the month's target to the fen). Revenue of customers without a channel
    cannot be planned for anyone, so it is spread pro rata (left out of the weights) and reported.
    A channel's rate the unit lacks comes from the same channel at the nearest parent.
    """
    overrides = overrides or {}
    months = sorted(revenue_by_month)
    widest = levels[-1][1]
    seen = [cid for cid, row in widest.rows.items() if cid is not None and _has_history(row)]
    order = [cid for cid in names if cid in seen] + [cid for cid in seen if cid not in names]
    plan = ChannelPlan(lines=[], months=months)
    share_funnel = None
    for level, funnel in levels:
        if any(funnel.row(cid).revenue_fen for cid in order):
            plan.share_level, share_funnel = level, funnel
            break
    weights = [share_funnel.row(cid).revenue_fen if share_funnel else 0 for cid in order]
    weight_sum = sum(weights)
    if share_funnel is not None:
        unlabeled = share_funnel.row(None).revenue_fen
        plan.unlabeled_share = Fraction(unlabeled, unlabeled + weight_sum)
    if not order:
        plan.error = _("近 12 个月没有任何渠道的咨询、上门或成交记录，无法按渠道分解")
    elif share_funnel is None:
        plan.error = _("近 12 个月各渠道都没有成交营收，无法按渠道占比分解营收目标")
    parts = {m: split_by_weights(revenue_by_month[m], weights) for m in months} if weight_sum else {}
    for i, cid in enumerate(order):
        name = names.get(cid, _("渠道 %(cid)s") % {"cid": cid})
        own = actuals.rates_from_row(levels[0][1].row(cid))
        parents = [(level, actuals.rates_from_row(funnel.row(cid))) for level, funnel in levels[1:]]
        line = ChannelLine(
            channel_id=cid, name=name, weight_fen=weights[i],
            share=Fraction(weights[i], weight_sum) if weight_sum else Fraction(0),
            own=own, parents=parents, overrides=dict(overrides.get(cid, {})),
            resolved=solver.resolve_rates(own, None, overrides.get(cid), parents=parents),
        )  # fmt: skip
        for month in months if weight_sum else []:
            revenue = parts[month][i]
            need = None
            if not line.error:
                try:
                    need = solver.back_solve(revenue, line.resolved.rates)
                except ValidationError as exc:
                    # Named, so a zero or missing rate points at the channel to fix.
                    line.error, line.error_field = (
                        _("渠道“%(name)s”：%(message)s") % {"name": name, "message": exc.message},
                        exc.field or "",
                    )
            line.months.append(ChannelMonth(month=month, revenue_fen=revenue, need=need))
        plan.lines.append(line)
    return plan


def unit_parents(*, user, site_id: int, unit: Unit) -> list[Unit]:
    """The units whose rates a unit falls back to, nearest first: staff → team → department →
    site (a team's department is the team's; a staff member's the one of their team)."""
    if unit.kind == UnitKind.SITE:
        return []
    if unit.kind == UnitKind.DEPARTMENT:
        return [SITE_UNIT]
    parents: list[Unit] = []
    if unit.kind == UnitKind.TEAM:
        team = team_list(user=user).filter(pk=unit.pk).first()
        if team is not None:
            parents.append(Unit(UnitKind.DEPARTMENT, team.department_id, team.department.name))
    else:
        staff = (
            staff_list(user=user, site_id=site_id)
            .select_related("team__department")
            .filter(pk=unit.pk)
            .first()
        )
        if staff is not None:
            department = staff.team.department if staff.team_id else staff.department
            if staff.team_id:
                parents.append(Unit(UnitKind.TEAM, staff.team_id, staff.team.name))
            parents.append(Unit(UnitKind.DEPARTMENT, department.pk, department.name))
    return [*parents, SITE_UNIT]


def _channel_names(*, user, site_id: int, funnels: list[ChannelFunnel]) -> dict[int, str]:
    ids = {cid for funnel in funnels for cid in funnel.rows if cid is not None}
    channels = pipeline.channel_list(user=user, site_id=site_id, include_inactive=True).filter(pk__in=ids)
    return {c.pk: c.name for c in channels.order_by("sort_order", "name")}


def _gather(*, user, site_id: int, unit: Unit, parents: list[Unit], channels: bool = True, today=None):
    """The trailing funnels by channel of the unit and its parents (five queries each), and with
    `channels` the names of the channels they hold (one more)."""
    chain = [unit, *parents]
    funnels = actuals.trailing_channel_funnels(user=user, site_id=site_id, units=chain, today=today)
    unit_rates = actuals.rates_from_row(funnels[unit.key].total)
    parent_rates = [(p, actuals.rates_from_row(funnels[p.key].total)) for p in parents]
    levels = [("unit", funnels[unit.key]), *((str(p.kind), funnels[p.key]) for p in parents)]
    names = _channel_names(user=user, site_id=site_id, funnels=[funnels[chain[-1].key]]) if channels else {}
    return unit_rates, parent_rates, levels, names


def plan_solution(*, user, plan: TargetPlan, unit: Unit, today=None) -> Solution:
    """The solve screen of one unit of a plan: the unit as a whole and by channel."""
    parents = unit_parents(user=user, site_id=plan.site_id, unit=unit)
    unit_rates, parent_rates, levels, names = _gather(
        user=user, site_id=plan.site_id, unit=unit, parents=parents, today=today
    )
    overrides: dict[str, Decimal] = {}
    channel_overrides: dict[int, dict[str, Decimal]] = {}
    for o in plan.rate_overrides.filter(unit_key=unit.key):
        target = overrides if o.channel_id is None else channel_overrides.setdefault(o.channel_id, {})
        target[o.rate] = o.value
    site_rates = parent_rates[-1][1] if parent_rates else unit_rates
    resolved = solver.resolve_rates(
        unit_rates, None, overrides, parents=[(str(p.kind), r) for p, r in parent_rates]
    )
    rows = Allocation.objects.filter(plan_metric__plan=plan, unit_key=unit.key).values_list(
        "plan_metric__metric", "month", "target"
    )
    revenue: dict[int, int] = {}
    planned: dict[int, dict[str, int]] = {}
    for metric, month, target in rows:
        if metric == MONEY_METRIC:
            revenue[month] = target
        elif metric in PLANNED:
            planned.setdefault(month, {})[PLANNED[metric]] = target
    solution = Solution(
        unit=unit, unit_rates=unit_rates, site_rates=site_rates, resolved=resolved, parents=parent_rates,
        site_id=plan.site_id, window=actuals.trailing_window(today), overrides=overrides,
    )  # fmt: skip
    if not revenue:
        solution.error = _("该单位没有营收目标，无法反推")
        return solution
    monthly: dict[int, dict[str, Decimal]] = {}
    for t in plan.rate_targets.filter(unit_key=unit.key):
        monthly.setdefault(t.month, {})[t.rate] = t.value
    solution.monthly = monthly
    solution.months, solution.error, solution.error_field, solution.planned_from_need = solve_months(
        revenue, resolved, planned, monthly
    )
    solution.channels = solve_channels(revenue, levels, names, channel_overrides)
    return solution


def site_year_solution(*, user, site_id: int, year: int, revenue_fen: int, split: str = SplitMethod.SEASONAL,
                       overrides: dict[str, Decimal] | None = None, by_channel: bool = False,
                       today=None) -> Solution:  # fmt: skip
    """The CLI's monthly plan: a yearly revenue split by month, back-solved with the site's rates
    (and, `by_channel`, split across channels and back-solved with each channel's rates)."""
    if revenue_fen < 0:
        raise ValidationError(_("营收目标不能为负数"), field="revenue")
    if split not in (SplitMethod.EVEN, SplitMethod.SEASONAL):
        raise ValidationError(_("按月分解方式应为 even 或 seasonal"), field="split")
    weights = [1] * 12
    if split == SplitMethod.SEASONAL:
        weights = actuals.seasonal_history(
            user=user, site_id=site_id, units=[SITE_UNIT], metrics=[MONEY_METRIC], today=today
        )[SITE_UNIT.key][MONEY_METRIC]
    parts = split_by_weights(revenue_fen, weights)
    rates, _parents, levels, names = _gather(
        user=user, site_id=site_id, unit=SITE_UNIT, parents=[], today=today
    )
    resolved = solver.resolve_rates(rates, None, overrides)
    solution = Solution(unit=SITE_UNIT, unit_rates=rates, site_rates=rates, resolved=resolved, site_id=site_id,
                        window=actuals.trailing_window(today))  # fmt: skip
    revenue = {year * 100 + m: part for m, part in enumerate(parts, start=1)}
    solution.months, solution.error, solution.error_field, _unused = solve_months(revenue, resolved)
    if by_channel:
        solution.channels = solve_channels(revenue, levels, names)
    return solution
