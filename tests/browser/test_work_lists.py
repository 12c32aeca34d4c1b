"""Issue 12 items 4, 5 and 8 in the browser: the appointment calendar and the assessment queue
reached from the home page's counts, editing a customer (with the optimistic version check),
cancelling a deal (the funnel and the member tier follow), and the customer list on a 1024 × 768
tablet (a screenshot size check: 50 rows on one line each, not a column wrapped a character per
line)."""

from __future__ import annotations

import datetime as dt
import re
import struct

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from opscenter.pipeline import services
from opscenter.pipeline.models import Customer, Deal, Transaction

pytestmark = [pytest.mark.browser]

CUSTOMER_PAGE = re.compile(r"/pipeline/customers/\d+/$")
TABLET_1024 = {"width": 1024, "height": 768}


@pytest.fixture
def channels(transactional_db):
    """The shared channels of migration 0002 (live-server tests flush the database between tests)."""
    from opscenter.pipeline.constants import DEFAULT_CHANNELS
    from opscenter.pipeline.models import Channel

    for order, (name, kind) in enumerate(DEFAULT_CHANNELS):
        Channel.objects.get_or_create(site=None, name=name, defaults={"kind": kind, "sort_order": order})
    return {c.kind: c for c in Channel.objects.filter(site__isnull=True)}


def register(actor, channels, name: str, phone: str, *, days_ago: int = 10):
    customer = services.customer_register(
        actor=actor,
        site_id=actor.staff.department.site_id,
        name=name,
        phone=phone,
        channel_id=channels["phone"].pk,
    )
    services.consultation_record(
        actor=actor,
        customer_id=customer.pk,
        mode="phone",
        occurred_at=timezone.now() - dt.timedelta(days=days_ago),
    )
    return customer


def shoot(page, screenshots, name: str) -> bytes:
    path = screenshots / f"work-lists-{name}.png"
    page.screenshot(path=path, full_page=True)
    return path.read_bytes()


def png_size(data: bytes) -> tuple[int, int]:
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_today_s_appointments_are_counted_on_the_home_page_and_shown_on_the_calendar(
    page_and_log, personas, channels, password, sign_in, screenshots
):
    today = timezone.localdate()
    ten = dt.datetime.combine(today, dt.time(10, 0), tzinfo=timezone.get_current_timezone())
    for actor, name, phone, when in (
        (personas.consultant_a, "周阿姨", "13900000101", ten),
        (personas.consultant_a2, "吴伯伯", "13900000102", ten + dt.timedelta(hours=5, minutes=30)),
    ):
        customer = register(actor, channels, name, phone)
        services.appointment_book(
            actor=actor,
            customer_id=customer.pk,
            mode="phone",
            scheduled_for=when,
            booked_at=timezone.now() - dt.timedelta(days=1),
        )
    page, log = page_and_log
    sign_in(page, "ops_a", password)
    counter = page.locator('a[data-counter="appointments"]')
    expect(counter.locator(".counter-value")).to_have_text("2")
    counter.click()

    expect(page.locator("h1")).to_have_text("预约日历")
    calendar = page.locator("#calendar")
    expect(calendar.locator("thead th")).to_contain_text(["时间", "咨询甲", "咨询甲二"])
    row_10 = calendar.locator("tbody tr", has=page.locator("th", has_text="10:00"))
    expect(row_10).to_contain_text("周阿姨")
    row_15 = calendar.locator("tbody tr", has=page.locator("th", has_text="15:00"))
    expect(row_15).to_contain_text("吴伯伯")
    shoot(page, screenshots, "01-calendar-day")

    # Per consultant: only 咨询甲二's lane.
    page.select_option("#id_consultant", label="咨询甲二")
    page.get_by_role("button", name="查询").click()
    expect(calendar.locator(".appt-chip")).to_have_count(1)
    expect(calendar).to_contain_text("吴伯伯")

    # The week: a column per day, today's column holds the appointment.
    page.get_by_role("link", name="周", exact=True).click()
    expect(calendar.locator("thead th")).to_have_count(7)
    expect(calendar.locator(f'td[data-day="{today:%Y-%m-%d}"]')).to_contain_text("吴伯伯")
    shoot(page, screenshots, "02-calendar-week")
    # A chip opens the customer.
    calendar.locator(".appt-chip").first.click()
    expect(page).to_have_url(CUSTOMER_PAGE)
    assert log.problems(page) == []


def test_the_assessment_queue_shows_the_waiting_dissent_and_a_manager_rules_on_it(
    page_and_log, personas, channels, password, sign_in, screenshots
):
    from opscenter.pipeline.models import Assessment

    customer = register(personas.consultant_a, channels, "钱奶奶", "13900000201")
    original = services.assessment_record(actor=personas.nursing_a, customer_id=customer.pk, zone="assisted")
    opinion = services.assessment_second_opinion(
        actor=personas.marketing_a, assessment_id=original.pk, zone="dementia", notes="夜间游走，需失智区"
    )
    Assessment.objects.filter(pk=opinion.pk).update(assessed_at=timezone.now() - dt.timedelta(days=4))

    page, log = page_and_log
    sign_in(page, "ops_a", password)
    counter = page.locator('a[data-counter="assessments"]')
    expect(counter.locator(".counter-value")).to_have_text("1")
    counter.click()
    expect(page.locator("h1")).to_have_text("待裁定评估")
    row = page.locator(f'#assessment-queue tr[data-assessment="{opinion.pk}"]')
    expect(row).to_contain_text("钱奶奶")
    expect(row).to_contain_text("协助照料区")
    expect(row).to_contain_text("失智区")
    expect(row.locator("[data-age-days]")).to_have_text("4 天")
    shoot(page, screenshots, "03-assessment-queue")

    row.get_by_role("link", name="裁定分歧").click()
    page.locator(".choice-button", has_text="失智区").click()
    page.fill("#id_resolution", "夜间评估确认游走风险")
    page.get_by_role("button", name="保存裁定").click()
    expect(page).to_have_url(CUSTOMER_PAGE)
    page.goto("/pipeline/assessments/awaiting-ruling/")
    expect(page.locator("#assessment-queue .empty")).to_be_visible()
    page.goto("/")
    expect(page.locator('a[data-counter="assessments"] .counter-value')).to_have_text("0")
    assert log.problems(page) == []


def test_editing_a_customer_is_audited_and_refuses_to_overwrite_a_colleague_s_save(
    page_and_log, personas, channels, password, sign_in, screenshots
):
    customer = register(personas.consultant_a, channels, "孙先生", "13900000301")
    page, log = page_and_log
    sign_in(page, "marketing_a", password)
    page.goto(f"/pipeline/customers/{customer.pk}/")
    page.get_by_role("link", name="编辑资料").click()
    expect(page.locator("h1")).to_have_text("编辑客户资料")
    expect(page.locator("#id_name")).to_have_value("孙先生")

    # A colleague saves the same customer while this form is open.
    services.customer_update(actor=personas.consultant_a, customer_id=customer.pk, profession="退休教师")
    page.fill("#id_name", "孙建国")
    page.get_by_role("button", name="保存修改").click()
    expect(page.locator(".form-errors")).to_contain_text("已被他人修改")
    customer.refresh_from_db()
    assert (customer.name, customer.profession) == ("孙先生", "退休教师")
    shoot(page, screenshots, "04-edit-conflict")

    # Drawn afresh, the edit goes through; a new channel needs a reason.
    page.goto(f"/pipeline/customers/{customer.pk}/edit/")
    expect(page.locator("#id_profession")).to_have_value("退休教师")
    page.fill("#id_name", "孙建国")
    page.select_option("#id_channel", label="转介绍/口碑")
    page.get_by_role("button", name="保存修改").click()
    expect(page.locator("#row-reason .errorlist")).to_contain_text("请填写原因")
    page.fill("#id_reason", "核实为老客户介绍")
    page.get_by_role("button", name="保存修改").click()
    expect(page).to_have_url(CUSTOMER_PAGE)
    expect(page.locator("h1")).to_contain_text("孙建国")
    customer.refresh_from_db()
    assert customer.name == "孙建国" and customer.channel.kind == "referral"
    page.get_by_role("tab", name="变更历史").click()
    expect(page.locator("#customer-tabs")).to_contain_text("核实为老客户介绍")
    assert log.problems(page) == []


def test_cancelling_a_deal_takes_it_out_of_the_funnel_and_the_member_tier(
    page_and_log, personas, channels, password, sign_in, screenshots
):
    """At the clinic with seed 004's tiers: two orders on two days, ¥30,000 — criteria A and B,
    tier AA. Cancelling the second order leaves one day and ¥20,000: no criterion, tier B."""
    from opscenter.members import services as members
    from opscenter.members.constants import SEED_004, SEED_004_NAME

    rules = members.tier_rules_create(
        actor=personas.ops_b, site_id=personas.site_b.pk, name=SEED_004_NAME, definition=SEED_004
    )
    members.tier_rules_transition(actor=personas.ops_b, rule_set_id=rules.pk, to_status="active")
    b = personas.consultant_b
    customer = register(b, channels, "郑女士", "13900000401", days_ago=3)
    today = timezone.localdate()
    for day, amount in ((today - dt.timedelta(days=2), 2_000_000), (today, 1_000_000)):
        services.deal_sign(
            actor=b,
            customer_id=customer.pk,
            signed_on=day,
            lines=[{"item": "光子嫩肤", "category": "skin", "amount_fen": amount}],
            record_transactions=True,
        )
    second = Deal.objects.get(customer=customer, amount_fen=1_000_000)
    page, log = page_and_log
    sign_in(page, "ops_b", password)
    page.goto(f"/members/customers/{customer.pk}/")
    expect(page.locator("#member-tier")).to_have_attribute("data-tier", "AA")
    page.goto("/pipeline/funnel/?view=event")
    deals = page.locator('a.kpi-link[data-metric="deals"] .kpi-value')
    revenue = page.locator('a.kpi-link[data-metric="revenue_fen"] .kpi-value')
    expect(deals).to_have_text("2")
    expect(revenue).to_have_text("¥30,000.00")

    page.goto(f"/pipeline/customers/{customer.pk}/")
    page.locator(".timeline-item--deal", has_text="¥10,000.00").get_by_role("link", name="作废成交").click()
    expect(page.locator("h1")).to_have_text("作废成交")
    page.get_by_role("button", name="确认作废").click()
    expect(page.locator("#row-reason .errorlist")).to_contain_text("请填写原因")
    page.fill("#id_reason", "客户退订，已全额退款")
    page.get_by_role("button", name="确认作废").click()
    expect(page).to_have_url(CUSTOMER_PAGE)
    cancelled = page.locator(".timeline-item--deal", has_text="¥10,000.00")
    expect(cancelled).to_contain_text("已作废")
    expect(cancelled).to_contain_text("客户退订")
    shoot(page, screenshots, "05-deal-cancelled")
    assert Transaction.objects.filter(deal=second, kind="refund").count() == 1

    page.goto("/pipeline/funnel/?view=event")
    expect(deals).to_have_text("1")
    expect(revenue).to_have_text("¥20,000.00")
    page.goto(f"/members/customers/{customer.pk}/")
    expect(page.locator("#member-tier")).to_have_attribute("data-tier", "B")
    shoot(page, screenshots, "06-member-after-cancel")
    assert log.problems(page) == []


def test_the_customer_list_is_readable_on_a_1024_tablet(
    page_and_log, personas, password, sign_in, screenshots
):
    """An executive's list mixes sites. Each of the 50 rows stays on one line: the page is about
    fifty rows tall, not the 8,480 px of a site column wrapped one character per line."""
    long_site = personas.site_b
    long_site.name = "美莱医疗美容医院（宁波鄞州院区）"
    long_site.save(update_fields=["name"])
    rows = []
    for n in range(60):
        site = personas.site_a if n % 2 else long_site
        rows.append(
            Customer(
                site=site, name=f"客户{n:02d}号", phone=f"1390000{n:04d}", cohort_month=202601, is_local=True
            )
        )
    Customer.objects.bulk_create(rows)

    page, log = page_and_log
    page.set_viewport_size(TABLET_1024)
    sign_in(page, "executive", password)
    page.goto("/pipeline/")
    table = page.locator("#customer-table table")
    expect(table.locator("tbody tr")).to_have_count(50)
    site_cell = table.locator("tbody tr", has_text=long_site.name).first.locator("td").nth(5)
    expect(site_cell).to_have_text(long_site.name)
    line_height = page.evaluate(
        "el => parseFloat(getComputedStyle(el).lineHeight) || 20", site_cell.element_handle()
    )
    cell_box = site_cell.bounding_box()
    assert cell_box["height"] < 3 * line_height, "the site column wraps"
    # Nothing of the page scrolls sideways; only the table scrolls inside its card.
    assert page.evaluate("document.documentElement.scrollWidth") <= 1024
    width, height = png_size(shoot(page, screenshots, "07-tablet-1024-customer-list"))
    assert width == 1024
    assert height < 4200, f"customer list is {height} px tall at 1024 px"
    assert log.problems(page) == []
