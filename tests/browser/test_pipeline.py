"""Issue 3 "Customer pipeline": register by phone, duplicate shown to a colleague, appointment,
arrival and triage, deal, the funnel changes, and a number lists exactly its rows; an admission
assessment disputed and settled, and a manager's reassignment."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from opscenter.pipeline.models import Appointment, Assessment, Customer, Deal, Visit

pytestmark = [pytest.mark.browser]

PHONE = "13912345678"
CUSTOMER_PAGE = re.compile(r"/pipeline/customers/\d+/$")


@pytest.fixture
def channels(transactional_db):
    """The shared channels of migration 0002 (live-server tests flush the database between tests)."""
    from opscenter.pipeline.constants import DEFAULT_CHANNELS
    from opscenter.pipeline.models import Channel

    for order, (name, kind) in enumerate(DEFAULT_CHANNELS):
        Channel.objects.get_or_create(site=None, name=name, defaults={"kind": kind, "sort_order": order})
    return {c.kind: c for c in Channel.objects.filter(site__isnull=True)}


def kpi(page, metric: str):
    return page.locator(f'a.kpi-link[data-metric="{metric}"] .kpi-value')


def shoot(page, screenshots, name: str) -> None:
    page.screenshot(path=screenshots / f"pipeline-{name}.png", full_page=True)


def test_prospect_to_deal_shows_on_the_funnel_and_drills_down_to_its_rows(
    page_and_log, tablet_page_and_log, personas, channels, password, sign_in, screenshots
):
    page, log = page_and_log
    tablet, tablet_log = tablet_page_and_log

    # --- consultant A registers a prospect who phoned in ----------------------------------------
    sign_in(page, "consultant_a", password)
    page.locator("#site-nav").get_by_role("link", name="客户管理").click()
    expect(page).to_have_url("/pipeline/")
    expect(page.locator("h1")).to_have_text("客户")
    page.get_by_role("link", name="登记新客户").click()
    expect(page.locator("h1")).to_have_text("登记新客户")

    page.fill("#id_name", "王秀英")
    page.fill("#id_phone", "12345")  # a typo first: rejected on the form, nothing saved
    page.get_by_text("电话咨询", exact=True).click()
    page.get_by_text("高", exact=True).click()
    page.select_option("#id_channel", label="电话")
    page.fill("#id_content", "咨询长住价格和康复护理区床位")
    page.get_by_role("button", name="登记并保存咨询").click()
    expect(page.locator("#row-phone .errorlist")).to_contain_text("格式不正确")
    assert not Customer.objects.exists()
    shoot(page, screenshots, "01-register-invalid-phone")

    page.fill("#id_phone", "139 1234 5678")
    page.get_by_role("button", name="登记并保存咨询").click()
    expect(page).to_have_url(CUSTOMER_PAGE)
    expect(page.locator("h1")).to_contain_text("王秀英")
    expect(page.locator(".timeline")).to_contain_text("电话咨询")
    expect(page.locator(".timeline")).to_contain_text("首次咨询")
    customer = Customer.objects.get(phone=PHONE)
    assert customer.owner == personas.consultant_a.staff
    customer_url = page.url

    # --- a second consultant, on a tablet, tries the same phone and sees who owns it -------------
    sign_in(tablet, "consultant_a2", password)
    tablet.goto("/pipeline/customers/new/")
    tablet.fill("#id_name", "王秀英")
    tablet.fill("#id_phone", PHONE)
    tablet.get_by_role("button", name="登记并保存咨询").click()
    notice = tablet.locator("#duplicate-notice")
    until = customer.protected_until().astimezone().strftime("%Y-%m-%d")
    expect(notice).to_contain_text(f"该客户已由 咨询甲（阳光养老社区）跟进，保护期至 {until}")
    assert Customer.objects.count() == 1
    shoot(tablet, screenshots, "02-duplicate-phone-tablet")

    # --- the funnel before the visit and the deal ------------------------------------------------
    page.goto("/pipeline/funnel/")
    expect(page.locator("#view-note")).to_contain_text("按首次咨询月份（同期群）")
    expect(kpi(page, "consultations")).to_have_text("1")
    expect(kpi(page, "visits")).to_have_text("0")
    expect(kpi(page, "deals")).to_have_text("0")

    # --- appointment, arrival, triage, deal ------------------------------------------------------
    page.goto(customer_url)
    page.get_by_role("link", name="预约到院").click()
    page.get_by_text("电话预约", exact=True).click()
    page.get_by_role("button", name="保存预约").click()
    expect(page).to_have_url(CUSTOMER_PAGE)
    expect(page.locator(".timeline")).to_contain_text("已预约")
    appointment = Appointment.objects.get(customer=customer)

    page.get_by_role("link", name="已到院").click()
    expect(page.locator("#id_appointment")).to_have_value(str(appointment.pk))
    page.select_option("#id_consultant", label="暂不分诊")
    shoot(page, screenshots, "03-arrival-form")
    page.get_by_role("button", name="登记到院").click()
    expect(page).to_have_url(CUSTOMER_PAGE)
    expect(page.locator(".timeline")).to_contain_text("待分诊")

    page.locator(".timeline").get_by_role("link", name="分诊").click()
    expect(page.locator("h1")).to_have_text("到院分诊")
    page.select_option("#id_consultant", label="咨询甲")
    page.get_by_role("button", name="确认分诊").click()
    expect(page).to_have_url(CUSTOMER_PAGE)
    expect(page.locator(".timeline")).to_contain_text("现场咨询师：咨询甲")
    visit = Visit.objects.get(customer=customer)
    assert visit.onsite_consultant == personas.consultant_a.staff and visit.source == "phone"
    appointment.refresh_from_db()
    assert appointment.status == "arrived"

    page.get_by_role("link", name="登记成交").click()
    page.fill("#id_amount", "8800")
    page.get_by_text("长住", exact=True).click()
    page.select_option("#id_care_zone", label="康复护理区")
    page.get_by_role("button", name="保存成交").click()
    expect(page).to_have_url(CUSTOMER_PAGE)
    expect(page.locator(".timeline")).to_contain_text("签约 ¥8,800.00")
    expect(page.locator(".timeline")).to_contain_text("新顾客成交")
    assert Deal.objects.get(customer=customer).amount_fen == 880000
    shoot(page, screenshots, "04-customer-timeline")

    # --- the funnel shows the change; a number lists exactly its rows ---------------------------
    page.get_by_role("link", name="客户").first.click()
    page.locator(".subnav").get_by_role("link", name="漏斗看板").click()
    expect(kpi(page, "visits")).to_have_text("1")
    expect(kpi(page, "visits_phone")).to_have_text("1")
    expect(kpi(page, "deals")).to_have_text("1")
    expect(kpi(page, "deals_new")).to_have_text("1")
    expect(kpi(page, "revenue_fen")).to_have_text("¥8,800.00")
    expect(kpi(page, "revenue_per_customer_fen")).to_have_text("¥8,800.00")
    expect(kpi(page, "phone_appointment_rate")).to_have_text("100.0%")
    expect(page.locator("[data-chart-state=ready]")).to_have_count(2)
    shoot(page, screenshots, "05-funnel")

    page.locator('a.kpi-link[data-metric="deals"]').click()
    expect(page.locator("h1")).to_contain_text("成交量")
    expect(page.locator("#row-count")).to_have_text("1")
    rows = page.locator("#drill-rows tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("王秀英")
    expect(rows.first).to_contain_text("¥8,800.00")
    shoot(page, screenshots, "06-drill-down")

    # The colleague's funnel does not show consultant A's work.
    tablet.goto("/pipeline/funnel/")
    expect(kpi(tablet, "deals")).to_have_text("0")
    tablet.goto("/pipeline/funnel/rows/?metric=deals")
    expect(tablet.locator("#row-count")).to_have_text("0")

    assert log.problems(page) == []
    assert tablet_log.problems(tablet) == []


def test_assessment_disagreement_is_settled_and_the_customer_reassigned(
    page_and_log, tablet_page_and_log, personas, channels, password, sign_in, screenshots
):
    from opscenter.pipeline import services

    customer = services.customer_register(
        actor=personas.consultant_a,
        site_id=personas.site_a.pk,
        name="陈老伯",
        phone="13711112222",
        channel_id=channels["phone"].pk,
    )
    customer_url = f"/pipeline/customers/{customer.pk}/"
    page, log = page_and_log
    tablet, tablet_log = tablet_page_and_log

    # --- nursing assesses on a tablet ------------------------------------------------------------
    sign_in(tablet, "nursing_a", password)
    tablet.goto(customer_url)
    tablet.get_by_role("link", name="入住评估").click()
    expect(tablet.locator("h1")).to_have_text("入住评估")
    tablet.locator(".choice-button", has_text="康复护理区").click()
    tablet.fill("#id_notes", "髋关节术后，需康复训练")
    tablet.get_by_role("button", name="保存评估").click()
    expect(tablet).to_have_url(CUSTOMER_PAGE)
    expect(tablet.locator(".timeline")).to_contain_text("护理部评估：康复护理区")

    # --- marketing disagrees: a second opinion, the original untouched -----------------------------
    sign_in(page, "marketing_a", password)
    page.goto(customer_url)
    page.locator(".timeline").get_by_role("link", name="提出异议").click()
    expect(page.locator(".opinion-card")).to_contain_text("髋关节术后")
    page.locator(".choice-button", has_text="协助照料区").click()
    page.get_by_role("button", name="保存异议").click()
    expect(page.locator("#row-notes .errorlist")).to_contain_text("提出异议必须说明理由")
    page.fill("#id_notes", "可自行行走，家属希望协助照料")
    page.get_by_role("button", name="保存异议").click()
    expect(page).to_have_url(CUSTOMER_PAGE)
    expect(page.locator(".timeline")).to_contain_text("异议意见：协助照料区")
    expect(page.locator(".timeline")).to_contain_text("待裁定")

    # --- operations settles it and reassigns the customer -----------------------------------------
    page.context.clear_cookies()  # sign out: the next person signs in on the same screen
    sign_in(page, "ops_a", password)
    page.goto(customer_url)
    page.locator(".timeline").get_by_role("link", name="裁定分歧").click()
    expect(page.locator(".opinion-card")).to_have_count(2)
    shoot(page, screenshots, "07-assessment-resolve")
    page.locator(".choice-button", has_text="康复护理区").click()
    page.fill("#id_resolution", "评估小组：先入住康复护理区，三个月后复评")
    page.get_by_role("button", name="保存裁定").click()
    expect(page).to_have_url(CUSTOMER_PAGE)
    expect(page.locator(".timeline")).to_contain_text("评估分歧裁定：康复护理区")
    original = Assessment.objects.get(customer=customer, second_opinion_of__isnull=True)
    assert (original.zone, original.notes) == ("rehab", "髋关节术后，需康复训练")

    page.get_by_role("link", name="改派归属").click()
    page.select_option("#id_owner", label="咨询甲二")
    page.get_by_role("button", name="确认改派").click()
    expect(page.locator("#row-reason .errorlist")).to_contain_text("必须填写原因")
    page.fill("#id_reason", "咨询甲休产假")
    page.get_by_role("button", name="确认改派").click()
    expect(page).to_have_url(CUSTOMER_PAGE)
    expect(page.locator(".timeline")).to_contain_text("主管改派：咨询甲 → 咨询甲二")
    expect(page.locator(".timeline")).to_contain_text("原因：咨询甲休产假")
    shoot(page, screenshots, "08-assessment-and-reassign-timeline")
    page.get_by_role("tab", name="变更历史").click()
    expect(page.locator("#history")).to_contain_text("咨询甲休产假")
    customer.refresh_from_db()
    assert customer.owner == personas.consultant_a2.staff

    assert log.problems(page) == []
    assert tablet_log.problems(tablet) == []


def test_pages_look_right_on_desktop_and_tablet(
    page_and_log, personas, channels, password, sign_in, screenshots
):
    """Screenshots of every pipeline screen at 1366×768 and 1024×768 (tablet, landscape)."""
    from django.utils import timezone

    from opscenter.pipeline import services

    page, log = page_and_log
    actor = personas.consultant_a
    now = timezone.now()
    customer = None
    for n, (name, kind, profession) in enumerate(
        (("张桂兰", "referral", "教师"), ("李建国", "phone", "干部/公务员"), ("刘淑珍", "online", "医务人员"))
    ):
        customer = services.customer_register(
            actor=actor,
            site_id=personas.site_a.pk,
            name=name,
            phone=f"1370000000{n}",
            channel_id=channels[kind].pk,
            profession=profession,
            city="宁波" if n != 2 else "上海",
        )
        services.consultation_record(
            actor=actor,
            customer_id=customer.pk,
            mode="phone" if kind != "online" else "online",
            occurred_at=now,
        )
        services.followup_schedule(actor=actor, customer_id=customer.pk, scheduled_on=timezone.localdate())
    sign_in(page, "consultant_a", password)
    for width, label in ((1366, "desktop"), (1024, "tablet")):
        page.set_viewport_size({"width": width, "height": 768})
        for slug, url in (
            ("list", "/pipeline/"),
            ("customer", f"/pipeline/customers/{customer.pk}/"),
            ("consultation-form", f"/pipeline/customers/{customer.pk}/consultations/new/"),
            ("register-form", "/pipeline/customers/new/"),
            ("followups", "/pipeline/followups/"),
            ("funnel", "/pipeline/funnel/"),
        ):
            page.goto(url)
            if slug == "funnel":
                expect(page.locator("[data-chart-state=ready]")).to_have_count(2)
            shoot(page, screenshots, f"{label}-{slug}")
    # Touch targets of the quick forms are at least 44px high.
    page.goto(f"/pipeline/customers/{customer.pk}/consultations/new/")
    for box in (
        page.locator(".choice-button").first.bounding_box(),
        page.locator(".entry-submit button").bounding_box(),
    ):
        assert box["height"] >= 44
    assert log.problems(page) == []
