"""Plans from a revenue target, splits, hand edits, versions and the rules that refuse bad input."""

from decimal import Decimal as D

import pytest

from opscenter.core.exceptions import PermissionDenied, ValidationError
from opscenter.core.models import AuditEntry
from opscenter.targets import actuals, services
from opscenter.targets.choices import PlanStatus
from opscenter.targets.models import Allocation, PlanMetric, RateOverride, TargetPlan
from opscenter.targets.selectors import allocation_grid
from opscenter.targets.solver import Rates, resolve_rates
from opscenter.targets.solving import SITE_UNIT, plan_solution
from opscenter.targets.tests.conftest import TODAY
from opscenter.targets.units import Unit

pytestmark = pytest.mark.django_db


def _plan(personas, revenue_fen=120_000_000, **kwargs):
    kwargs.setdefault("month_split", "seasonal")
    kwargs.setdefault("solve_from_revenue", True)
    return services.plan_create(
        actor=personas.ops_a, site_id=personas.site_a.pk, year=2027, targets={"revenue_fen": revenue_fen},
        today=TODAY, **kwargs,
    )  # fmt: skip


def test_trailing_rates_come_from_the_funnel_selector(personas, history):
    rates = actuals.trailing_rates(user=personas.ops_a, site_id=history.pk, units=[SITE_UNIT], today=TODAY)[
        "site"
    ]
    assert rates.phone_visit_rate == D("0.4000")
    assert rates.online_visit_rate == D("0.4000")
    assert rates.conversion_rate == D(4) / D(7)  # 4 deals ÷ 7 visits, unrounded: the solver chains it
    assert rates.revenue_per_deal_fen == D(3_750_000)  # ¥150,000 ÷ 4 signed deals
    assert (rates.mix_phone, rates.mix_online, rates.mix_walk_in) == (D(4) / D(7), D(2) / D(7), D(1) / D(7))


def test_seasonal_plan_follows_last_years_revenue_shape_and_back_solves_the_funnel(personas, history):
    plan = _plan(personas)
    revenue = PlanMetric.objects.get(plan=plan, metric="revenue_fen")
    months = list(revenue.allocations.order_by("month").values_list("target", flat=True))
    # Last year: ¥100,000 in March, ¥50,000 in June → 2/3 and 1/3 of ¥1,200,000.
    assert months[2] == 80_000_000 and months[5] == 40_000_000 and sum(months) == 120_000_000
    assert sum(months) == revenue.annual_target
    deals = dict(PlanMetric.objects.get(plan=plan, metric="deals").allocations.values_list("month", "target"))
    assert deals[202703] == 22  # ¥800,000 ÷ ¥37,500 = 21.3 → 22
    assert plan.status == PlanStatus.DRAFT and plan.version == 1
    assert AuditEntry.objects.filter(object_id=str(plan.pk), action="event").exists()


def test_split_to_teams_by_seasonality_adds_up_and_a_team_without_history_gets_the_mean(
    personas, history, team_b
):
    plan = _plan(personas, month_split="even")
    team_a = personas.consultant_a.staff.team
    services.plan_split_units(actor=personas.ops_a, plan_id=plan.pk, units=[f"team:{team_a.pk}", f"team:{team_b.pk}"],
                              method="seasonal", today=TODAY)  # fmt: skip
    grid = allocation_grid(metric=PlanMetric.objects.get(plan=plan, metric="revenue_fen"))
    assert grid.balanced
    _site_row, *team_rows = grid.rows
    assert [r.unit.label for r in team_rows] == ["一组", "二组"]
    # March: 一组 had all the revenue; 二组 has no history and takes the mean (same weight) → half each.
    assert team_rows[0].cells[2].target == team_rows[1].cells[2].target == 5_000_000


def test_editing_one_month_shows_by_how_much_the_children_no_longer_add_up(personas, history, team_b):
    plan = _plan(personas, month_split="even")
    team_a = personas.consultant_a.staff.team
    services.plan_split_units(actor=personas.ops_a, plan_id=plan.pk, units=[f"team:{team_a.pk}", f"team:{team_b.pk}"],
                              method="even", today=TODAY)  # fmt: skip
    cell = Allocation.objects.get(plan_metric__plan=plan, plan_metric__metric="revenue_fen", month=202702,
                                  unit_key=f"team:{team_a.pk}")  # fmt: skip
    services.allocation_update(actor=personas.ops_a, allocation_id=cell.pk, target=cell.target + 123)
    grid = allocation_grid(metric=cell.plan_metric)
    assert not grid.balanced
    assert grid.rows[0].check[1] == -123 and grid.rows[0].check_total == -123
    assert AuditEntry.objects.filter(object_id=str(cell.pk), action="update").exists()


def test_revising_keeps_the_old_version_and_activation_supersedes(personas, history):
    plan = _plan(personas)
    services.plan_transition(actor=personas.ops_a, plan_id=plan.pk, to="active")
    with pytest.raises(ValidationError, match="不能修改"):
        services.allocation_update(
            actor=personas.ops_a, allocation_id=Allocation.objects.first().pk, target=1
        )
    draft = services.plan_revise(actor=personas.ops_a, plan_id=plan.pk)
    assert draft.version == 2 and draft.revised_from == plan and draft.status == PlanStatus.DRAFT
    assert (
        Allocation.objects.filter(plan_metric__plan=draft).count()
        == Allocation.objects.filter(plan_metric__plan=plan).count()
    )
    services.plan_transition(actor=personas.ops_a, plan_id=draft.pk, to="active")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUPERSEDED
    assert TargetPlan.objects.filter(status="active").get() == draft


def test_a_plan_for_a_site_the_user_cannot_see_is_forbidden(personas, history):
    with pytest.raises(PermissionDenied):
        services.plan_create(actor=personas.ops_b, site_id=personas.site_a.pk, year=2027,
                             targets={"revenue_fen": 100}, month_split="even")  # fmt: skip
    with pytest.raises(PermissionDenied):
        services.plan_create(actor=personas.marketing_a, site_id=personas.site_a.pk, year=2027,
                             targets={"revenue_fen": 100}, month_split="even")  # fmt: skip


def test_negative_targets_and_bad_rates_are_refused(personas, history):
    with pytest.raises(ValidationError, match="不能为负数"):
        _plan(personas, revenue_fen=-100)
    plan = _plan(personas)
    with pytest.raises(ValidationError, match="0 到 100%"):
        services.rate_overrides_set(actor=personas.ops_a, plan_id=plan.pk, unit_key="site",
                                    values={"phone_visit_rate": D("1.5")})  # fmt: skip
    services.rate_overrides_set(actor=personas.ops_a, plan_id=plan.pk, unit_key="site",
                                values={"phone_visit_rate": D("0")})  # fmt: skip
    solution = plan_solution(user=personas.ops_a, plan=plan, unit=SITE_UNIT, today=TODAY)
    assert solution.error == "电话上门率为 0，无法反推，请填写大于 0 的值"
    assert RateOverride.objects.count() == 1


def test_solve_screen_of_a_team_without_history_falls_back_to_site_rates(personas, history, team_b):
    plan = _plan(personas)
    services.plan_split_units(actor=personas.ops_a, plan_id=plan.pk, units=[f"team:{team_b.pk}"], method="even",
                              today=TODAY)  # fmt: skip
    solution = plan_solution(
        user=personas.ops_a, plan=plan, unit=Unit("team", team_b.pk, "二组"), today=TODAY
    )
    assert solution.error == ""
    assert "conversion_rate" in solution.resolved.fallbacks
    assert solution.resolved.rates == resolve_rates(Rates(), solution.site_rates).rates
    march = solution.months[2]
    assert march.need.deals == 22 and march.expected.revenue_fen >= march.revenue_fen
