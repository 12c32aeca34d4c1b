"""Issue 5 "Target decomposition": an operations manager creates a 2027 plan from a revenue target,
splits it by seasonality to three teams, edits one month, and sees actual vs target of the current
year's plan, whose every actual opens the funnel rows behind it."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from opscenter.org.models import Team
from opscenter.pipeline import services as pipeline
from opscenter.targets import services
from opscenter.targets.models import Allocation, PlanMetric, TargetPlan

pytestmark = [pytest.mark.browser]
TABLET_1024 = {"width": 1024, "height": 768}


@pytest.fixture
def world(transactional_db, personas, settings):
    """Site A with a year of history for team 一组, two more teams, and an active plan for this year."""
    from opscenter.pipeline.constants import DEFAULT_CHANNELS
    from opscenter.pipeline.models import Channel

    for order, (name, kind) in enumerate(DEFAULT_CHANNELS):
        Channel.objects.get_or_create(site=None, name=name, defaults={"kind": kind, "sort_order": order})
    channels = {c.kind: c for c in Channel.objects.filter(site__isnull=True)}
    actor, site = personas.consultant_a, personas.site_a
    today = dt.date.today()
    for i in range(12):
        kind = "phone" if i % 3 else "online"
        customer = pipeline.customer_register(actor=actor, site_id=site.pk, name=f"客户{i}",
                                              phone=f"1390000{i:04d}", channel_id=channels[kind].pk)  # fmt: skip
        month = (i % today.month) + 1
        when = dt.datetime(today.year, month, 3, 10, tzinfo=dt.UTC)
        pipeline.consultation_record(actor=actor, customer_id=customer.pk, mode=kind, occurred_at=when)
        if i < 8:
            pipeline.visit_register(
                actor=actor, customer_id=customer.pk, arrived_at=when + dt.timedelta(days=1)
            )
        if i < 5:
            pipeline.deal_sign(actor=actor, customer_id=customer.pk, signed_on=(when + dt.timedelta(days=2)).date(),
                               amount_fen=(3 + i) * 1_000_000)  # fmt: skip
    department = actor.staff.department
    for name in ("二组", "三组"):
        Team.objects.create(department=department, name=name)
    current = services.plan_create(actor=personas.ops_a, site_id=site.pk, year=today.year,
                                   targets={"revenue_fen": 60_000_000}, month_split="seasonal",
                                   solve_from_revenue=True, name=f"{today.year} 年经营目标")  # fmt: skip
    teams = [f"team:{t.pk}" for t in Team.objects.filter(department=department)]
    services.plan_split_units(actor=personas.ops_a, plan_id=current.pk, units=teams, method="seasonal")
    services.plan_transition(actor=personas.ops_a, plan_id=current.pk, to="active")
    return current


def shoot(page, screenshots, name: str) -> None:
    page.screenshot(path=screenshots / f"targets-{name}.png", full_page=True)


def test_operations_manager_plans_2027_and_follows_this_years_plan(
    browser, live_server, page_and_log, world, password, sign_in, screenshots
):
    page, log = page_and_log
    sign_in(page, "ops_a", password)
    page.goto("/targets/")
    expect(page.locator("h1")).to_have_text("目标计划")
    shoot(page, screenshots, "01-plan-list")

    # --- a 2027 plan from a revenue target ---------------------------------------------------------
    page.get_by_role("link", name="新建目标计划").click()
    page.fill("#id_year", "2027")
    page.fill("#id_revenue", "-1")
    page.get_by_role("button", name="创建计划").click()
    expect(page.locator("main")).to_contain_text("不能为负数")
    page.fill("#id_revenue", "12000000")
    expect(page.locator("#id_solve_from_revenue")).to_be_checked()
    shoot(page, screenshots, "02-plan-create")
    page.get_by_role("button", name="创建计划").click()
    expect(page.locator("h1")).to_contain_text("2027 年经营目标")
    plan = TargetPlan.objects.get(year=2027)
    assert PlanMetric.objects.get(plan=plan, metric="revenue_fen").annual_target == 1_200_000_000

    # --- split by seasonality to the three teams -----------------------------------------------------
    for name in ("一组", "二组", "三组"):
        page.locator("#split-form").get_by_text(name, exact=False).click()
    page.select_option("#split-method", "seasonal")
    page.locator("#split-form").get_by_role("button", name="分解").click()
    expect(page.locator(".message--success")).to_contain_text("已分解到 3 个单位")
    expect(page.locator("#balance-state")).to_have_text("各级合计一致")
    assert Allocation.objects.filter(plan_metric__plan=plan, unit_kind="team").count() == 3 * 12 * 6

    # --- edit one month of one team: the screen says by how much it no longer adds up ---------------
    team_b = Team.objects.get(name="二组")
    cell = page.locator(f'tr[data-unit="team:{team_b.pk}"] input[data-month="202703"]')
    before = Allocation.objects.get(plan_metric__plan=plan, plan_metric__metric="revenue_fen",
                                    unit_key=f"team:{team_b.pk}", month=202703).target  # fmt: skip
    cell.fill(f"{before / 100 + 1000:.2f}")
    cell.press("Tab")
    expect(page.locator("#balance-state")).to_have_text("存在未对齐的分解")
    expect(page.locator('tr[data-parent="site"] [data-month-index="3"]')).to_have_text("−¥1,000")
    shoot(page, screenshots, "03-plan-grid-edited")

    # --- the solve screen: both directions, table and chart ------------------------------------------
    page.get_by_role("link", name="漏斗反推").click()
    expect(page.locator("#back-table")).to_be_visible()
    expect(page.locator("#forward-table")).to_be_visible()
    expect(page.locator("#solve-chart")).to_have_attribute("data-chart-state", "ready", timeout=15_000)
    page.select_option("#solve-unit", label="小组 · 三组")
    page.get_by_role("button", name="查看").click()
    expect(page.locator("#fallback-note")).to_contain_text("已改用部门“市场部”的转化率")
    expect(page.locator("#solve-chart")).to_have_attribute("data-chart-state", "ready", timeout=15_000)
    expect(page.locator("#channel-chart")).to_have_attribute("data-chart-state", "ready", timeout=15_000)
    shoot(page, screenshots, "04-solve-fallback")

    # --- this year's active plan: actual vs target, drill-down ---------------------------------------
    page.goto("/targets/")
    page.get_by_role("row", name=str(world.year)).get_by_role("link", name="实际 vs 目标").click()
    expect(page.locator("#progress-table")).to_be_visible()
    page.get_by_role("link", name="全年", exact=True).click()
    expect(page.locator("#period-note")).to_contain_text(f"{world.year}年全年")
    expect(page.locator("#team-ranking li")).to_have_count(3)
    expect(page.locator(".chart")).to_have_attribute("data-chart-state", "ready", timeout=15_000)
    shoot(page, screenshots, "05-progress")
    page.locator('#progress-table tr[data-unit="site"] a.t-actual').click()
    expect(page).to_have_url(re.compile(r"/pipeline/funnel/rows/\?"))
    assert log.problems(page) == []

    # --- tablet (1024) -------------------------------------------------------------------------------
    context = browser.new_context(base_url=live_server.url, viewport=TABLET_1024, locale="zh-CN",
                                  timezone_id="Asia/Shanghai")  # fmt: skip
    tablet = context.new_page()
    sign_in(tablet, "ops_a", password)
    tablet.goto(f"/targets/plans/{plan.pk}/")
    expect(tablet.locator("#plan-grid")).to_be_visible()
    shoot(tablet, screenshots, "06-plan-grid-tablet")
    tablet.goto(f"/targets/plans/{world.pk}/progress/?period={world.year}")
    expect(tablet.locator(".chart")).to_have_attribute("data-chart-state", "ready", timeout=15_000)
    shoot(tablet, screenshots, "07-progress-tablet")
    context.close()
