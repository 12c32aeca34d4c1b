"""Issue 12, items 3 and 10: a manager hands a leaving consultant's work over in one step; an
operations manager sets monthly rate targets on the solve screen and reads them against the actual
rates on the progress screen."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from opscenter.pipeline import services as pipeline
from opscenter.pipeline.models import Customer
from opscenter.targets import services
from opscenter.targets.models import RateTarget

pytestmark = [pytest.mark.browser]


@pytest.fixture
def world(transactional_db, personas):
    from opscenter.pipeline.constants import DEFAULT_CHANNELS
    from opscenter.pipeline.models import Channel

    for order, (name, kind) in enumerate(DEFAULT_CHANNELS):
        Channel.objects.get_or_create(site=None, name=name, defaults={"kind": kind, "sort_order": order})
    phone = Channel.objects.get(site=None, kind="phone")
    actor, site = personas.consultant_a, personas.site_a
    today = dt.date.today()
    when = dt.datetime(today.year, today.month, 1, 10, tzinfo=dt.UTC)
    for i in range(4):
        customer = pipeline.customer_register(actor=actor, site_id=site.pk, name=f"客户{i}",
                                              phone=f"1390000{i:04d}", channel_id=phone.pk)  # fmt: skip
        pipeline.consultation_record(actor=actor, customer_id=customer.pk, mode="phone", occurred_at=when)
        if i < 2:
            pipeline.visit_register(
                actor=actor, customer_id=customer.pk, arrived_at=when + dt.timedelta(hours=3)
            )
        if i < 1:
            pipeline.deal_sign(
                actor=actor, customer_id=customer.pk, signed_on=when.date(), amount_fen=2_000_000
            )
    plan = services.plan_create(actor=personas.ops_a, site_id=site.pk, year=today.year,
                                targets={"revenue_fen": 60_000_000}, month_split="even",
                                solve_from_revenue=True, name=f"{today.year} 年经营目标")  # fmt: skip
    services.plan_transition(actor=personas.ops_a, plan_id=plan.pk, to="active")
    return plan


def test_manager_hands_over_a_leaving_consultants_customers(page_and_log, world, personas, password, sign_in,
                                                            screenshots):  # fmt: skip
    page, log = page_and_log
    leaver, colleague = personas.consultant_a.staff, personas.consultant_a2.staff
    sign_in(page, "ops_a", password)
    page.goto(f"/org/staff/{leaver.pk}/")
    page.locator("#staff-hand-over").click()
    expect(page.locator('[data-hold="customers"]')).to_have_text("4")
    page.select_option("#id_to_staff", label=colleague.name)
    page.get_by_role("button", name="确认交接").click()
    expect(page.locator("#id_reason:invalid")).to_have_count(1)  # the reason is required
    page.fill("#id_reason", "离职")
    page.fill("#id_left_on", str(dt.date.today()))
    page.screenshot(path=screenshots / "handover-01-form.png", full_page=True)
    page.get_by_role("button", name="确认交接").click()
    expect(page.locator("main")).to_contain_text("已交接：客户 4 位")
    expect(page.locator("main")).to_contain_text("离职交接")  # the staff page's history
    page.wait_for_load_state("networkidle")
    assert Customer.objects.filter(owner=colleague).count() == 4
    page.goto("/org/workforce/")
    expect(page.locator("#workforce-table")).to_be_visible()
    page.screenshot(path=screenshots / "handover-02-workforce.png", full_page=True)
    assert log.problems(page) == []


def test_monthly_rate_targets_are_set_and_read_against_actuals(
    page_and_log, world, password, sign_in, screenshots
):
    page, log = page_and_log
    month = dt.date.today().month
    sign_in(page, "ops_a", password)
    page.goto(f"/targets/plans/{world.pk}/solve/?unit=site")
    expect(page.locator("[data-unit=conversion_rate]")).to_contain_text("笔/人次")
    field = page.locator(f'input[name="m-phone_visit_rate-{world.year * 100 + month}"]')
    field.fill("80")
    page.get_by_role("button", name="保存月度目标并重新计算").click()
    expect(page.locator(".message--success")).to_contain_text("月度转化率目标")
    # The page then fetches its chart data; the in-memory test database is shared with the server
    # thread, so read it only once the page is quiet (a concurrent read is "table is locked").
    page.wait_for_load_state("networkidle")
    assert RateTarget.objects.get(plan=world).rate == "phone_visit_rate"
    page.goto(f"/targets/plans/{world.pk}/progress/?period={world.year}")
    row = page.locator("#rate-progress-table tbody tr").first
    expect(row).to_contain_text("80.0%")
    expect(row).to_contain_text("50.0%")  # 2 phone visits ÷ 4 phone consultations
    expect(row).to_contain_text("未达标")
    page.screenshot(path=screenshots / "rates-01-progress.png", full_page=True)
    row.locator("a.t-actual").click()
    expect(page.locator("main")).to_contain_text("客户0")
    assert log.problems(page) == []
