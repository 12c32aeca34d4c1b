"""The solve screen and the CLI: a unit's rates (trailing actuals, overrides, site fallback) and,
month by month, what its revenue target needs (back) and what its planned consultations bring
(forward). The arithmetic is `solver`; this module only gathers the numbers it works on."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from opscenter.core.exceptions import ValidationError
from opscenter.pipeline.periods import month_label
from opscenter.targets import actuals, solver
from opscenter.targets.choices import SplitMethod, UnitKind
from opscenter.targets.constants import MONEY_METRIC
from opscenter.targets.models import Allocation, TargetPlan
from opscenter.targets.splitting import split_by_weights
from opscenter.targets.units import Unit

SITE_UNIT = Unit(UnitKind.SITE, None, "全院区")
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

    @property
    def label(self) -> str:
        return month_label(self.month)

    @property
    def gap_fen(self) -> int | None:
        return None if self.expected is None else self.expected.revenue_fen - self.revenue_fen


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

    def total(self, attr: str) -> int:
        values = [getattr(m.need, attr) for m in self.months if m.need is not None]
        return sum(v for v in values if v is not None)

    def expected_total(self) -> int:
        return sum(m.expected.revenue_fen for m in self.months if m.expected is not None)


def solve_months(revenue_by_month: dict[int, int], resolved: solver.ResolvedRates,
                 planned_by_month: dict[int, dict[str, int]] | None = None) -> tuple[list[SolveMonth], str, str, bool]:  # fmt: skip
    """Back- and forward-solve each month; a rate problem is one message for the whole table."""
    months: list[SolveMonth] = []
    error = error_field = ""
    from_need = False
    for month, revenue in sorted(revenue_by_month.items()):
        need = expected = None
        planned = dict((planned_by_month or {}).get(month, {}))
        try:
            need = solver.back_solve(revenue, resolved.rates)
            for key in PLANNED.values():
                if key not in planned:
                    planned[key] = getattr(need, key)
                    from_need = True
            expected = solver.forward_solve(rates=resolved.rates, **planned)
        except ValidationError as exc:
            error, error_field = exc.message, exc.field or ""
        months.append(
            SolveMonth(month=month, revenue_fen=revenue, need=need, planned=planned, expected=expected)
        )
    return months, error, error_field, from_need


def plan_solution(*, user, plan: TargetPlan, unit: Unit, today=None) -> Solution:
    """The solve screen of one unit of a plan."""
    units = [SITE_UNIT] if unit.kind == UnitKind.SITE else [SITE_UNIT, unit]
    trailing = actuals.trailing_rates(user=user, site_id=plan.site_id, units=units, today=today)
    overrides = {o.rate: o.value for o in plan.rate_overrides.filter(unit_key=unit.key)}
    unit_rates = trailing[unit.key]
    site_rates = trailing[SITE_UNIT.key]
    resolved = solver.resolve_rates(unit_rates, None if unit.kind == UnitKind.SITE else site_rates, overrides)
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
    solution = Solution(unit=unit, unit_rates=unit_rates, site_rates=site_rates, resolved=resolved)
    if not revenue:
        solution.error = "该单位没有营收目标，无法反推"
        return solution
    solution.months, solution.error, solution.error_field, solution.planned_from_need = solve_months(
        revenue, resolved, planned
    )
    return solution


def site_year_solution(*, user, site_id: int, year: int, revenue_fen: int, split: str = SplitMethod.SEASONAL,
                       overrides: dict[str, Decimal] | None = None, today=None) -> Solution:  # fmt: skip
    """The CLI's monthly plan: a yearly revenue split by month, back-solved with the site's rates."""
    if revenue_fen < 0:
        raise ValidationError("营收目标不能为负数", field="revenue")
    if split not in (SplitMethod.EVEN, SplitMethod.SEASONAL):
        raise ValidationError("按月分解方式应为 even 或 seasonal", field="split")
    weights = [1] * 12
    if split == SplitMethod.SEASONAL:
        weights = actuals.seasonal_history(
            user=user, site_id=site_id, units=[SITE_UNIT], metrics=[MONEY_METRIC], today=today
        )[SITE_UNIT.key][MONEY_METRIC]
    parts = split_by_weights(revenue_fen, weights)
    rates = actuals.trailing_rates(user=user, site_id=site_id, units=[SITE_UNIT], today=today)[SITE_UNIT.key]
    resolved = solver.resolve_rates(rates, None, overrides)
    solution = Solution(unit=SITE_UNIT, unit_rates=rates, site_rates=rates, resolved=resolved)
    solution.months, solution.error, solution.error_field, _ = solve_months(
        {year * 100 + m: part for m, part in enumerate(parts, start=1)}, resolved
    )
    return solution
