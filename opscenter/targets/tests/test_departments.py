"""The department level of a plan (site → department → team → staff): splits that add up across
it, exact actuals per department from the funnel selector, drill-downs, site-rate fallback."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from opscenter.core.exceptions import ValidationError
from opscenter.core.testing import make_department
from opscenter.org.models import Team
from opscenter.pipeline import selectors as pipeline
from opscenter.targets import services
from opscenter.targets.models import Allocation, PlanMetric
from opscenter.targets.progress import Period, plan_progress
from opscenter.targets.selectors import allocation_grid, plan_units
from opscenter.targets.solver import Rates, resolve_rates
from opscenter.targets.solving import plan_solution
from opscenter.targets.tests.conftest import TODAY
from opscenter.targets.units import Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def care(personas):
    """A second department of site A (客户管理部) with one team and no history at all."""
    department = make_department(personas.site_a, "customer", "客户管理部")
    Team.objects.create(department=department, name="三组")
    return department


def _plan(personas, year=2027):
    return services.plan_create(actor=personas.ops_a, site_id=personas.site_a.pk, year=year,
                                targets={"revenue_fen": 120_000_000}, month_split="even",
                                solve_from_revenue=True, today=TODAY)  # fmt: skip


def _split_to_departments_and_teams(personas, plan, care, team_b):
    marketing = personas.consultant_a.staff.department
    team_a = personas.consultant_a.staff.team
    services.plan_split_units(actor=personas.ops_a, plan_id=plan.pk, method="even", today=TODAY,
                              units=[f"department:{marketing.pk}", f"department:{care.pk}"])  # fmt: skip
    services.plan_split_units(actor=personas.ops_a, plan_id=plan.pk, method="even", today=TODAY,
                              parent=f"department:{marketing.pk}",
                              units=[f"team:{team_a.pk}", f"team:{team_b.pk}"])  # fmt: skip
    return marketing


def test_site_splits_to_departments_and_a_department_to_its_teams_adding_up(personas, history, team_b, care):
    plan = _plan(personas)
    marketing = _split_to_departments_and_teams(personas, plan, care, team_b)
    grid = allocation_grid(metric=PlanMetric.objects.get(plan=plan, metric="revenue_fen"))
    assert grid.balanced
    assert [(r.depth, r.unit.key) for r in grid.rows] == [
        (0, "site"),
        (1, f"department:{marketing.pk}"),
        (2, f"team:{personas.consultant_a.staff.team_id}"),
        (2, f"team:{team_b.pk}"),
        (1, f"department:{care.pk}"),
    ]
    # ¥100,000 a month → ¥50,000 per department → ¥25,000 per team of 市场部.
    assert [r.cells[0].target for r in grid.rows] == [10_000_000, 5_000_000, 2_500_000, 2_500_000, 5_000_000]
    assert [u.kind for u in plan_units(plan=plan)] == ["site", "department", "department", "team", "team"]


def test_editing_a_team_shows_the_gap_on_its_department_not_on_the_site(personas, history, team_b, care):
    plan = _plan(personas)
    _split_to_departments_and_teams(personas, plan, care, team_b)
    cell = Allocation.objects.get(plan_metric__plan=plan, plan_metric__metric="revenue_fen", month=202702,
                                  unit_key=f"team:{team_b.pk}")  # fmt: skip
    services.allocation_update(actor=personas.ops_a, allocation_id=cell.pk, target=cell.target + 123)
    grid = allocation_grid(metric=cell.plan_metric)
    site, department, *_teams = grid.rows
    assert not grid.balanced
    assert site.check_total == 0 and department.check[1] == -123 and department.check_total == -123
    department_cell = Allocation.objects.get(pk=cell.parent_id)
    services.allocation_update(actor=personas.ops_a, allocation_id=department_cell.pk,
                               target=department_cell.target + 123)  # fmt: skip
    grid = allocation_grid(metric=cell.plan_metric)
    assert grid.rows[1].check_total == 0 and grid.rows[0].check[1] == -123


def test_revising_keeps_the_department_level(personas, history, team_b, care):
    plan = _plan(personas)
    _split_to_departments_and_teams(personas, plan, care, team_b)
    draft = services.plan_revise(actor=personas.ops_a, plan_id=plan.pk)
    grid = allocation_grid(metric=PlanMetric.objects.get(plan=draft, metric="revenue_fen"))
    assert grid.balanced and [r.depth for r in grid.rows] == [0, 1, 2, 2, 1]


def test_splits_that_would_count_twice_or_cross_departments_are_refused(personas, history, team_b, care):
    plan = _plan(personas)
    marketing = personas.consultant_a.staff.department
    with pytest.raises(ValidationError, match="不能同时分解到部门和该部门下"):
        services.plan_split_units(actor=personas.ops_a, plan_id=plan.pk, method="even",
                                  units=[f"department:{marketing.pk}", f"team:{team_b.pk}"])  # fmt: skip
    services.plan_split_units(actor=personas.ops_a, plan_id=plan.pk, method="even",
                              units=[f"department:{marketing.pk}", f"department:{care.pk}"])  # fmt: skip
    other = Team.objects.get(name="三组")
    with pytest.raises(ValidationError, match="不属于该院区或该部门"):
        services.plan_split_units(actor=personas.ops_a, plan_id=plan.pk, method="even",
                                  parent=f"department:{marketing.pk}", units=[f"team:{other.pk}"])  # fmt: skip
    site_b = make_department(personas.site_b, "marketing")
    with pytest.raises(ValidationError, match="所选部门不属于该院区"):
        services.plan_split_units(actor=personas.ops_a, plan_id=plan.pk, method="even",
                                  units=[f"department:{site_b.pk}"])  # fmt: skip


def test_actual_per_department_is_the_funnels_and_drills_down_to_its_rows(personas, history, team_b, care):
    plan = _plan(personas, year=2026)
    marketing = _split_to_departments_and_teams(personas, plan, care, team_b)
    progress = plan_progress(user=personas.ops_a, plan=plan, period=Period(202601, 202612), today=TODAY)
    actual = {
        metric: {line.unit.key: line.actual for line in lines} for metric, lines in progress.lines.items()
    }
    mine, theirs = f"department:{marketing.pk}", f"department:{care.pk}"
    # All of the history is 一组's (市场部): March ¥100,000 + June ¥50,000, 4 deals, 7 visits.
    assert (actual["revenue_fen"][mine], actual["deals"][mine], actual["visits"][mine]) == (15_000_000, 4, 7)
    assert (actual["consultations_phone"][mine], actual["consultations_online_local"][mine]) == (10, 5)
    assert (actual["revenue_fen"][theirs], actual["deals"][theirs], actual["visits"][theirs]) == (0, 0, 0)
    assert actual["revenue_fen"]["site"] == 15_000_000
    march = plan_progress(user=personas.ops_a, plan=plan, period=Period(202603, 202603), today=TODAY)
    line = next(x for x in march.lines["deals"] if x.unit.key == mine)
    assert (line.target, line.actual) == (
        Allocation.objects.get(plan_metric__plan=plan, plan_metric__metric="deals", month=202603,
                               unit_key=mine).target, 2,
    )  # fmt: skip
    query = {k: v[0] for k, v in parse_qs(urlsplit(line.url).query).items()}
    assert query["department"] == str(marketing.pk) and query["metric"] == "deals"
    rows = pipeline.funnel_rows(
        user=personas.ops_a, metric="deals", filters=pipeline.parse_funnel_filters(query)
    )
    assert rows.count() == line.actual


def test_a_department_without_history_back_solves_with_the_sites_rates(personas, history, team_b, care):
    plan = _plan(personas)
    marketing = _split_to_departments_and_teams(personas, plan, care, team_b)
    empty = plan_solution(
        user=personas.ops_a, plan=plan, unit=Unit("department", care.pk, care.name), today=TODAY
    )
    assert empty.error == "" and empty.unit_rates == Rates()
    assert (
        empty.resolved.sources["conversion_rate"] == "site" and "conversion_rate" in empty.resolved.fallbacks
    )
    assert empty.resolved.rates == resolve_rates(Rates(), empty.site_rates).rates
    assert empty.months[0].need.deals == 2  # January ¥50,000 ÷ the site's ¥37,500 a customer = 1.33 → 2
    own = plan_solution(
        user=personas.ops_a, plan=plan, unit=Unit("department", marketing.pk, "市场部"), today=TODAY
    )
    assert own.resolved.sources["conversion_rate"] == "unit"
    assert own.unit_rates.conversion_rate == own.site_rates.conversion_rate


def test_plan_screens_offer_departments_and_show_their_progress(client, personas, history, team_b, care,
                                                                 frozen_today):  # fmt: skip
    plan = _plan(personas, year=2026)
    marketing = _split_to_departments_and_teams(personas, plan, care, team_b)
    client.force_login(personas.ops_a)
    detail = client.get(reverse("targets:plan_detail", args=[plan.pk])).content.decode()
    assert f'value="department:{care.pk}"' in detail and f'data-parent="department:{marketing.pk}"' in detail
    response = client.post(reverse("targets:plan_split", args=[plan.pk]), {
        "parent": f"department:{care.pk}", "units": [f"team:{Team.objects.get(name='三组').pk}"], "method": "even",
    })  # fmt: skip
    assert response.status_code == 302
    assert Allocation.objects.filter(
        plan_metric__plan=plan, parent__unit_key=f"department:{care.pk}"
    ).exists()
    progress = client.get(
        reverse("targets:plan_progress", args=[plan.pk]), {"period": "2026", "metric": "deals"}
    )
    page = progress.content.decode()
    assert progress.status_code == 200 and "客户管理部" in page and f"department={marketing.pk}" in page
