"""Issue 19 "Clinic orders and the treatment journey": a consultant quotes a 3-session skin course
and the customer accepts it; the sessions are consumed over three visits; the course end puts a
clinical follow-up in the doctor's queue, the doctor answers, the consultant reads the answer on
the customer's timeline; the skin center's actual vs target shows the revenue."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from opscenter.clinic.metrics import CREDITED_REVENUE
from opscenter.clinic.models import Package, Quote
from opscenter.core.testing import make_department, make_staff, make_user
from opscenter.pipeline.models import Customer
from opscenter.targets import services as targets

pytestmark = [pytest.mark.browser]


def shoot(page, screenshots, name: str) -> None:
    page.screenshot(path=screenshots / f"clinic-{name}.png", full_page=True)


def test_quote_order_sessions_clinical_follow_up_and_center_actual(
    page_and_log, personas, password, sign_in, screenshots
):
    page, log = page_and_log
    site = personas.site_b
    skin = make_department(site, "medical", "皮肤中心")
    make_staff(department=skin, user=make_user("doctor_b", role="doctor"), name="李医生")
    today = timezone.localdate()
    customer = Customer.objects.create(
        site=site, name="陈女士", phone="13700009999", cohort_month=today.year * 100 + today.month,
        first_contact_on=today, owner=personas.consultant_b.staff, status="customer",
    )  # fmt: skip
    plan = targets.plan_create(actor=personas.ops_b, site_id=site.pk, year=today.year,
                               targets={CREDITED_REVENUE: 12_000_000}, month_split="even")  # fmt: skip
    targets.plan_split_units(
        actor=personas.ops_b, plan_id=plan.pk, units=[f"department:{skin.pk}"], method="even"
    )
    targets.plan_transition(actor=personas.ops_b, plan_id=plan.pk, to="active")

    # --- the consultant quotes a 3-session skin course; the customer accepts ----------------------
    sign_in(page, "consultant_b", password)
    page.goto(f"/pipeline/customers/{customer.pk}/")
    page.locator("#clinic-link").click()
    page.locator("#new-quote").click()
    page.fill("#id_line-0-item", "光子嫩肤疗程")
    page.select_option("#id_line-0-category", "skin_package")
    page.select_option("#id_line-0-center", label="皮肤中心")
    page.select_option("#id_line-0-doctor", label="李医生")
    page.fill("#id_line-0-sessions", "3")
    page.fill("#id_line-0-valid_days", "90")
    page.fill("#id_line-0-list_price", "3000")
    page.get_by_role("button", name="生成报价").click()
    expect(page.locator("#quote-total")).to_have_text("¥3,000.00")
    shoot(page, screenshots, "01-quote")
    quote = Quote.objects.get(customer=customer)
    page.goto(f"/clinic/quotes/{quote.pk}/print/")
    expect(page.locator("h1")).to_contain_text("报价单")
    page.goto(f"/clinic/quotes/{quote.pk}/")
    page.get_by_role("button", name="客户确认，生成订单").click()
    expect(page.locator("#packages")).to_contain_text("0/3")

    # --- three treatment visits -------------------------------------------------------------------
    package = Package.objects.get(customer=customer)
    page.context.clear_cookies()
    sign_in(page, "ops_b", password)
    for n in (1, 2, 3):
        page.goto(f"/clinic/packages/{package.pk}/")
        page.select_option("#id_performed_by", label="李医生")
        visit = timezone.localtime() - dt.timedelta(minutes=10 * (4 - n))
        page.fill("#id_used_on", f"{visit:%Y-%m-%d}")
        page.fill("#id_used_time", f"{visit:%H:%M}")
        page.get_by_role("button", name="登记本次治疗").click()
        expect(page.locator("#session-uses tbody tr")).to_have_count(n)
    expect(page.locator("#package-balance")).to_contain_text("已用 3/3 次，剩余 0 次")
    shoot(page, screenshots, "02-sessions")

    # --- the doctor answers the course-end follow-up ----------------------------------------------
    page.context.clear_cookies()
    sign_in(page, "doctor_b", password)
    page.goto("/clinic/clinical/")
    expect(page.locator("#clinical-queue")).to_contain_text("疗程结束回访：光子嫩肤疗程（共 3 次）")
    page.locator("#clinical-queue textarea[name=answer]").fill("恢复良好，一周内注意防晒")
    page.get_by_role("button", name="提交答复").click()
    expect(page.locator("#clinical-queue")).to_contain_text("没有待答复的诊疗回访")
    shoot(page, screenshots, "03-doctor")

    # --- the consultant reads the answer on the timeline ------------------------------------------
    page.context.clear_cookies()
    sign_in(page, "consultant_b", password)
    page.goto(f"/pipeline/customers/{customer.pk}/?tab=timeline")
    expect(page.locator("body")).to_contain_text("医生答复：恢复良好，一周内注意防晒")

    # --- the skin center's actual vs target shows the revenue -------------------------------------
    page.context.clear_cookies()
    sign_in(page, "ops_b", password)
    page.goto(f"/targets/plans/{plan.pk}/progress/")
    row = page.locator(f'#progress-table tr[data-unit="department:{skin.pk}"]')
    expect(row.locator("a.t-actual")).to_contain_text("3,000")
    shoot(page, screenshots, "04-center-actual")
    row.locator("a.t-actual").click()
    expect(page).to_have_url(re.compile(r"/clinic/credited/\?"))
    expect(page.locator("#credited-rows")).to_contain_text("光子嫩肤疗程")
    assert log.problems(page) == []


def test_points_rules_gift_order_redemption_and_quote_funnel(
    page_and_log, personas, password, sign_in, screenshots
):
    """Operations edits the points rules (a new version; a stale second tab is refused); the
    consultant gives a compensation gift with an approver and redeems points on an order outside a
    quote; the quote funnel shows 上门 → 报价 → 成交 with the rates, and a rate opens its quotes."""
    from opscenter.clinic import services as clinic
    from opscenter.clinic.models import GiftOrder, PointsEntry, PointsRule
    from opscenter.pipeline import services as pipeline

    page, log = page_and_log
    site = personas.site_b
    skin = make_department(site, "medical", "皮肤中心")
    head = make_staff(department=skin, name="周医生")
    skin.manager = head
    skin.save(update_fields=["manager"])
    today = timezone.localdate()
    customer = Customer.objects.create(
        site=site, name="林女士", phone="13700008888", cohort_month=today.year * 100 + today.month,
        first_contact_on=today, owner=personas.consultant_b.staff, status="customer",
    )  # fmt: skip
    pipeline.visit_register(actor=personas.consultant_b, customer_id=customer.pk, arrived_at=timezone.now())
    PointsRule.objects.create(site=site, points_per_yuan=1, valid_from=dt.date(2020, 1, 1))
    quote = clinic.quote_create(
        actor=personas.consultant_b, customer_id=customer.pk, valid_until=today + dt.timedelta(days=30),
        lines=[{"item": "水光针", "category": "non_invasive", "center_id": skin.pk, "list_price_fen": 500_000}],
    )  # fmt: skip
    clinic.quote_accept(actor=personas.consultant_b, quote_id=quote.pk)

    # --- operations: a new version of the default points rule; a stale form is refused -----------
    sign_in(page, "ops_b", password)
    url = f"/clinic/points-rules/?site={site.pk}"
    stale = page.context.new_page()  # a second tab, opened before the save: it still shows version 1
    stale.goto(url)
    page.goto(url)
    row = page.locator('#points-rules-current tr[data-tier=""]')
    row.locator("input[name=points_per_yuan]").fill("1.5")
    row.locator("input[name=note]").fill("会员月加码")
    row.get_by_role("button", name="保存").click()
    expect(page.locator("#points-rules-history")).to_contain_text("会员月加码")
    expect(page.locator('#points-rules-current tr[data-tier=""]')).to_contain_text("v2")
    shoot(page, screenshots, "05-points-rules")
    stale.locator('#points-rules-current tr[data-tier=""] button').click()
    expect(stale.locator("body")).to_contain_text("已被他人修改（当前为第 2 版，您看到的是第 1 版）")
    shoot(stale, screenshots, "05b-points-rules-stale")
    stale.close()
    assert PointsRule.objects.filter(site=site).count() == 2

    # --- the consultant: a compensation gift order with its approver ------------------------------
    page.context.clear_cookies()
    sign_in(page, "consultant_b", password)
    page.goto(f"/clinic/customers/{customer.pk}/")
    page.locator("#new-gift").click()
    page.select_option("#id_reason", "compensation")
    page.fill("#id_line-0-item", "皮肤护理")
    page.select_option("#id_line-0-category", "skin")
    page.select_option("#id_line-0-center", label="皮肤中心")
    page.fill("#id_line-0-cost", "180")
    page.get_by_role("button", name="开具赠送单").click()
    expect(page.locator("form#gift-form")).to_contain_text("赠送开单须指定审批人")
    page.select_option("#id_approver", str(head.pk))
    page.get_by_role("button", name="开具赠送单").click()
    expect(page.locator("#gift-lines")).to_contain_text("¥180.00")
    shoot(page, screenshots, "06-gift-order")
    assert GiftOrder.objects.get().approver == head

    # --- points redeemed on the order, outside a quote --------------------------------------------
    page.goto(f"/clinic/customers/{customer.pk}/")
    expect(page.locator("#points-balance")).to_have_text("5000")
    page.fill("#points-redeem input[name=points]", "1200")
    page.locator("#points-redeem button").click()
    expect(page.locator("#points-balance")).to_have_text("3800")
    shoot(page, screenshots, "07-points-redeemed")
    assert PointsEntry.objects.get(kind="redeem").value_fen == 1200

    # --- the quote funnel: one visit, one quote, one order ----------------------------------------
    page.context.clear_cookies()
    sign_in(page, "ops_b", password)
    page.goto(f"/clinic/funnel/?site={site.pk}")
    this = page.locator("#quote-funnel tbody tr").first
    expect(this.locator("td")).to_have_text(["1", "1", "100.0%", "1", "100.0%"])
    shoot(page, screenshots, "08-quote-funnel")
    this.locator("td").nth(4).locator("a").click()
    expect(page.locator("#quote-rows tbody tr")).to_have_count(1)
    expect(page.locator("#quote-rows")).to_contain_text("已成交")
    assert log.problems(page) == []
