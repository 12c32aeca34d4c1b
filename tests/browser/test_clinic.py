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
