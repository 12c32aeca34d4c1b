"""Issue 16: a deal's admission assessment is disputed (marketing vs nursing) and ruled by the
named arbiter; the resident is admitted to a bed of the ruled zone, a fall is recorded and opens a
work order, the month's incident rate shows it and the resident is on the risk summary. Bad input
through the screens: an occupied bed, an incident before admission, a scale answer out of range,
a transfer to a full zone."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from opscenter.care import services
from opscenter.care.models import AdmissionRequest, Bed, Incident, MaterialItem, Residency, Zone
from opscenter.commitments.models import WorkOrder
from opscenter.core.testing import make_department
from opscenter.pipeline.models import Customer, Deal

pytestmark = [pytest.mark.browser]

BARTHEL = {
    "feeding": "10", "bathing": "5", "grooming": "5", "dressing": "10", "bowels": "10",
    "bladder": "10", "toilet": "10", "transfer": "15", "mobility": "15", "stairs": "10",
}  # fmt: skip
BARTHEL_DEPENDENT = {
    **BARTHEL,
    "bathing": "0",
    "transfer": "5",
    "mobility": "5",
    "stairs": "0",
    "dressing": "5",
    "toilet": "5",
}
MORSE = {
    "history": "0",
    "secondary_diagnosis": "0",
    "ambulatory_aid": "0",
    "iv": "0",
    "gait": "0",
    "mental_status": "0",
}


def shoot(page, screenshots, name: str) -> None:
    page.screenshot(path=screenshots / f"care-{name}.png", full_page=True)


def _setup(personas, beds_per_zone=2):
    site = personas.site_a
    make_department(site, "nursing")
    services.zones_ensure(site_id=site.pk)
    for i, zone in enumerate(Zone.objects.filter(site=site)):
        services.room_create(actor=personas.ops_a, zone_id=zone.pk, number=f"{i + 1}01", beds=beds_per_zone)


def _deal(personas, name: str, zone: str = "", signed_on: dt.date | None = None) -> Deal:
    customer = Customer.objects.create(
        site=personas.site_a,
        name=name,
        phone=f"1390000{abs(hash(name)) % 10000:04d}",
        cohort_month=202601,
        owner=personas.marketing_a.staff,
        status="customer",
    )
    signed_on = signed_on or timezone.localdate() - dt.timedelta(days=10)
    return Deal.objects.create(
        site=personas.site_a,
        customer=customer,
        month=signed_on.year * 100 + signed_on.month,
        cohort_month=202601,
        consultant=personas.marketing_a.staff,
        owner=personas.marketing_a.staff,
        signed_on=signed_on,
        amount_fen=600000,
        stay_type="long",
        care_zone=zone,
    )


def _fill_view(page, barthel, notes=""):
    for code, value in barthel.items():
        page.select_option(f"#id_barthel__{code}", value)
    page.select_option("#id_cognitive__recall", "3")
    page.select_option("#id_cognitive__clock", "2")
    for code, value in MORSE.items():
        page.select_option(f"#id_morse__{code}", value)
    if notes:
        page.fill("#id_notes", notes)


def test_disputed_assessment_to_admission_fall_rate_and_risk_summary(
    page_and_log, personas, password, sign_in, screenshots
):
    page, log = page_and_log
    _setup(personas)
    deal = _deal(personas, "李奶奶")

    sign_in(page, "marketing_a", password)
    page.locator("#site-nav").get_by_role("link", name="养老照护").click()
    page.get_by_role("link", name="入住评估", exact=True).click()
    page.get_by_role("link", name="申请入住评估").first.click()
    page.select_option("#id_customer", str(deal.customer_id))
    page.select_option("#id_deal", str(deal.pk))
    page.locator(f"input[name=panel][value='{personas.marketing_a.staff.pk}']").check()
    page.locator(f"input[name=panel][value='{personas.nursing_a.staff.pk}']").check()
    page.select_option("#id_arbiter", str(personas.ops_a.staff.pk))
    for material in MaterialItem.objects.filter(site=personas.site_a):
        page.locator(f"input[name=materials][value='{material.pk}']").check()
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#admission-status")).to_contain_text("待评估")
    _fill_view(page, BARTHEL)
    page.get_by_role("button", name="保存意见").click()
    expect(page.locator("#view-table")).to_contain_text("市场部意见")

    page.context.clear_cookies()
    sign_in(page, "nursing_a", password)
    page.goto(f"/care/admissions/{AdmissionRequest.objects.get().pk}/")
    _fill_view(page, BARTHEL_DEPENDENT)
    # a tampered answer outside the scale: the scorer refuses it with the item named
    page.evaluate(
        "document.querySelector('#id_morse__mental_status').innerHTML += '<option value=16>16</option>'"
    )
    page.select_option("#id_morse__mental_status", "16")
    page.get_by_role("button", name="保存意见").click()
    expect(page.locator("#view-form")).to_contain_text("分值 16 超出范围")
    _fill_view(page, BARTHEL_DEPENDENT, notes="转移和行走需要协助，应入康复护理区")
    page.get_by_role("button", name="保存意见").click()
    expect(page.locator("#admission-status")).to_contain_text("有分歧待裁定")
    shoot(page, screenshots, "disputed")

    page.context.clear_cookies()
    sign_in(page, "ops_a", password)
    page.goto(f"/care/admissions/{AdmissionRequest.objects.get().pk}/")
    page.select_option("#id_zone", "rehab")
    page.fill("#id_reason", "Barthel 55 分，需康复护理")
    page.get_by_role("button", name="裁定", exact=True).click()
    expect(page.locator("#admission-status")).to_contain_text("康复护理区")
    page.get_by_role("link", name="办理入住").click()
    rehab_bed = Bed.objects.filter(zone__care_zone="rehab").order_by("room__number", "label").first()
    page.select_option("#id_bed", str(rehab_bed.pk))
    page.get_by_role("button", name="保存").click()
    expect(page.locator("h1")).to_have_text("李奶奶")
    residency = Residency.objects.get()

    # an incident before admission is refused with the date named
    page.get_by_role("link", name="登记事件").click()
    before = timezone.localtime() - dt.timedelta(days=3)
    page.fill("#id_occurred_at", before.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_place", "卫生间")
    page.select_option("#id_severity", "moderate")
    page.fill("#id_immediate_action", "扶起检查，通知医生")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#care-form")).to_contain_text("早于入住日期")
    assert Incident.objects.count() == 0

    now = timezone.localtime() - dt.timedelta(minutes=30)
    if now.date() < residency.started_on:  # just after midnight
        now = timezone.localtime()
    page.fill("#id_occurred_at", now.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#incident-facts")).to_contain_text("扶起检查")
    work_order = WorkOrder.objects.get(source="incident")
    page.locator("#incident-work-order").click()
    expect(page.locator("h1")).to_contain_text(work_order.title)
    shoot(page, screenshots, "work-order")

    page.goto("/care/incidents/rates/")
    month = timezone.localdate().strftime("%Y-%m")
    cell = page.locator(f"#rate-table td[data-month='{month}']").nth(1)  # rehab is the second zone
    expect(cell).to_contain_text("1000.00")
    expect(cell).to_contain_text("1 / 1")
    expect(page.locator(".chart").first).to_have_attribute("data-chart-state", "ready")
    shoot(page, screenshots, "rates")

    page.get_by_role("link", name="风险客户汇总").click()
    expect(page.locator("#summary-table")).to_contain_text("李奶奶")
    expect(page.locator("#summary-table")).to_contain_text("跌倒")
    shoot(page, screenshots, "risk-summary")
    assert log.problems(page) == []


def test_bad_input_through_the_screens(page_and_log, personas, password, sign_in):
    page, log = page_and_log
    _setup(personas, beds_per_zone=1)
    first, second, mover = (
        _deal(personas, "甲", "rehab"),
        _deal(personas, "乙", "rehab"),
        _deal(personas, "丙", "assisted"),
    )
    rehab_bed = Bed.objects.get(zone__care_zone="rehab")
    services.residency_admit(
        actor=personas.ops_a,
        deal_id=first.pk,
        bed_id=rehab_bed.pk,
        started_on=timezone.localdate() - dt.timedelta(days=5),
    )
    moving = services.residency_admit(
        actor=personas.ops_a,
        deal_id=mover.pk,
        bed_id=Bed.objects.get(zone__care_zone="assisted").pk,
        started_on=timezone.localdate() - dt.timedelta(days=5),
    )

    sign_in(page, "ops_a", password)
    page.goto("/care/residents/admit/")
    page.select_option("#id_deal", str(second.pk))
    page.select_option("#id_bed", str(rehab_bed.pk))
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#care-form")).to_contain_text("一张床同一时间只能住一位长者")
    assert Residency.objects.count() == 2

    page.goto(f"/care/residents/{moving.pk}/transfer/")
    page.select_option("#id_bed", str(rehab_bed.pk))
    page.fill("#id_reason", "需康复")
    page.select_option("#id_decided_by", str(personas.ops_a.staff.pk))
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#care-form")).to_contain_text("已满")
    moving.refresh_from_db()
    assert moving.zone.care_zone == "assisted"
    assert log.problems(page) == []


def test_nurse_confirms_an_overdue_risk_measure_and_a_stale_form_is_refused(
    page_and_log, personas, password, sign_in, screenshots
):
    """The 防范措施 screen: the overdue measure is counted and marked; the responsible nurse confirms
    it done; the same form sent again (its version now stale) is refused with a message."""

    page, _log = page_and_log
    _setup(personas)
    today = timezone.localdate()
    deal = _deal(personas, "周爷爷", zone="assisted", signed_on=today - dt.timedelta(days=40))
    bed = Bed.objects.filter(zone__care_zone="assisted").order_by("pk").first()
    residency = services.residency_admit(
        actor=personas.ops_a, deal_id=deal.pk, bed_id=bed.pk, started_on=today - dt.timedelta(days=30)
    )
    risk = services.risk_assess(
        actor=personas.nursing_a, residency_id=residency.pk, kind="fall",
        answers={**{k: 0 for k in MORSE}, "history": 25, "gait": 20}, assessed_on=today - dt.timedelta(days=20),
    )  # fmt: skip
    measure = services.risk_measure_add(
        actor=personas.nursing_a, risk_id=risk.pk, description="加装床栏", owner_id=personas.nursing_a.staff.pk,
        due_on=today - dt.timedelta(days=3),
    )  # fmt: skip
    sign_in(page, "nursing_a", password)
    page.goto("/care/risks/measures/")
    expect(page.locator("[data-count=overdue]")).to_have_text("1")
    row = page.locator(f"tr[data-measure='{measure.pk}']")
    expect(row).to_contain_text("逾期")
    shoot(page, screenshots, "measures")
    stale = row.locator("form.measure-done").evaluate("f => f.outerHTML")
    row.locator("input[name=note]").fill("已装床栏")
    row.get_by_role("button", name="确认完成").click()
    expect(page.locator("body")).to_contain_text("措施已确认完成")
    expect(page.locator("[data-count=overdue]")).to_have_text("0")
    measure.refresh_from_db()
    assert (measure.done_on, measure.done_note, measure.version) == (today, "已装床栏", 2)
    # the form as it was before (version 1) submitted again: refused, nothing changes
    page.goto("/care/risks/measures/?status=all")
    page.evaluate("html => document.querySelector('main').insertAdjacentHTML('beforeend', html)", stale)
    page.locator("main > form.measure-done").last.get_by_role("button", name="确认完成").click()
    expect(page.locator("body")).to_contain_text("已于")
    measure.refresh_from_db()
    assert measure.version == 2
    shoot(page, screenshots, "measures-done")
