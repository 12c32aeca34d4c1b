"""Issue 17: a consultant hands in the daily plan and the (pre-filled) daily summary; the
supervisor sends one back and approves the other; the grid shows both; the late count is in the
registered metric appraisal reads; the executive cockpit drills from overdue work orders to the
list and fits one 1440×900 screen."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from opscenter.commitments.models import WorkOrder
from opscenter.commitments.services.workorders import work_order_open
from opscenter.core.calendars import default_work_calendar
from opscenter.core.testing import make_department
from opscenter.metrics import metric_values
from opscenter.pipeline import services as pipeline
from opscenter.pipeline.models import Channel
from opscenter.workday import services
from opscenter.workday.examples import MARKETING_TEMPLATES
from opscenter.workday.models import Submission

pytestmark = [pytest.mark.browser]
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def shoot(page, screenshots, name: str) -> None:
    page.screenshot(path=screenshots / f"workday-{name}.png", full_page=True)


def _setup(personas) -> dt.date:
    department = make_department(personas.site_a, "marketing")
    department.manager = personas.marketing_a.staff
    department.save(update_fields=["manager"])
    calendar = default_work_calendar()
    day = timezone.localdate() - dt.timedelta(days=1)
    while not calendar.is_workday(day):
        day -= dt.timedelta(days=1)
    for name, kind, due, weekday, bday, shift, fields, prefill, description in MARKETING_TEMPLATES[:2]:
        services.template_create(
            actor=personas.ops_a,
            site=personas.site_a,
            name=name,
            schedule_kind=kind,
            due_time=due,
            weekday=weekday,
            business_day=bday,
            holiday_shift=shift,
            fields=fields,
            staff=[personas.consultant_a.staff],
            prefill_pipeline=prefill,
            description=description,
            today=day,  # in force from yesterday's workday, whose items are materialized below
        )
    services.submissions_materialize(day_from=day, day_to=day)
    # (a flushed live-server database has lost the shared channels the migration made)
    channel = Channel.objects.filter(site__isnull=True, kind="phone").first() or Channel.objects.create(
        name="电话咨询", kind="phone"
    )
    for i in range(2):
        customer = pipeline.customer_register(
            actor=personas.consultant_a,
            site_id=personas.site_a.pk,
            channel_id=channel.pk,
            name=f"客户{i}",
            phone=f"1380000990{i}",
        )
        pipeline.consultation_record(
            actor=personas.consultant_a,
            customer_id=customer.pk,
            mode="phone",
            occurred_at=dt.datetime.combine(day, dt.time(10 + i), tzinfo=SHANGHAI),
        )
    return day


def test_daily_plan_and_summary_reviewed_grid_late_metric_and_cockpit_drill(
    page_and_log, personas, password, sign_in, screenshots
):
    page, log = page_and_log
    day = _setup(personas)

    # consultant: today's items (yesterday's are still open), plan, then the pre-filled summary
    sign_in(page, "consultant_a", password)
    page.locator("#site-nav").get_by_role("link", name="工作日清").click()
    expect(page.locator("h1")).to_have_text("今日事项")
    page.locator(f'tr[data-template="当日工作计划"][data-day="{day:%Y-%m-%d}"]').get_by_role(
        "link", name="填写"
    ).click()
    page.get_by_role("button", name="提交").click()
    expect(page.locator("main")).to_contain_text("请填写「计划拜访数」")
    page.fill("#f-planned_visits", "5")
    page.fill("#f-text", "上午电话回访，下午拜访白云社区")
    page.get_by_role("button", name="提交").click()
    expect(page.locator(".wd-status").first).to_have_text("已提交")
    page.goto("/workday/")
    page.locator(f'tr[data-template="当日工作总结（工作日清表）"][data-day="{day:%Y-%m-%d}"]').get_by_role(
        "link", name="填写"
    ).click()
    expect(page.locator("#prefill-note")).to_be_visible()
    expect(page.locator("#f-consultations")).to_have_value("2")
    page.fill("#f-text", "咨询两位，约参观一位")
    shoot(page, screenshots, "summary-prefilled")
    page.get_by_role("button", name="提交").click()
    expect(page.locator(".wd-status").first).to_have_text("已提交")

    plan = Submission.objects.get(
        template__name="当日工作计划", staff=personas.consultant_a.staff, period=day
    )
    summary = Submission.objects.get(
        template__name="当日工作总结（工作日清表）", staff=personas.consultant_a.staff, period=day
    )
    assert summary.values["consultations"] == 2 and plan.late and summary.late

    # supervisor: grid → send the plan back, approve the summary
    page.context.clear_cookies()
    sign_in(page, "marketing_a", password)
    monday = day - dt.timedelta(days=day.weekday())
    page.goto(f"/workday/grid/?start={monday:%Y-%m-%d}")
    row = page.locator('tr[data-staff="咨询甲"]')
    expect(row.locator('[data-status="submitted"]')).to_have_count(2)
    row.locator(f'a[href="/workday/submissions/{plan.pk}/"]').click()
    page.fill("#f-comment", "请写明拜访对象")
    page.get_by_role("button", name="退回").click()
    expect(page.locator("#review-comment")).to_contain_text("请写明拜访对象")
    page.goto(f"/workday/submissions/{summary.pk}/")
    page.get_by_role("button", name="审批通过").click()
    expect(page.locator(".wd-status").first).to_have_text("已审批")
    page.goto(f"/workday/grid/?start={monday:%Y-%m-%d}")
    expect(row.locator('[data-status="sent_back"]')).to_have_count(1)
    expect(row.locator('[data-status="approved"]')).to_have_count(1)
    expect(page.locator('[data-total="late"]')).to_have_text("2")
    shoot(page, screenshots, "grid")

    # the late count is the registered metric appraisal reads, and it drills to the rows
    values = metric_values(
        "workday.submissions_late",
        grain="staff",
        period="month",
        start=day.replace(day=1),
        end=day,
        unit_ids=[personas.consultant_a.staff.pk],
    )
    assert values[(personas.consultant_a.staff.pk, day.replace(day=1))].numerator == 2
    from opscenter.metrics import get_metric

    drill = get_metric("workday.submissions_late").drill(
        "staff", personas.consultant_a.staff.pk, "month", day.replace(day=1)
    )
    page.goto(drill)
    expect(page.locator("#submission-table tbody tr")).to_have_count(2)

    # executive: the cockpit on the home page drills from overdue work orders to the list
    dept = make_department(personas.site_a, "operations")
    wo = work_order_open(actor=personas.ops_a, department_id=dept.pk, title="空调维修超期")
    WorkOrder.objects.filter(pk=wo.pk).update(due_at=timezone.now() - dt.timedelta(hours=2))
    page.context.clear_cookies()
    sign_in(page, "executive", password)
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto("/reports/cockpit/")
    expect(page.locator('[data-tile="wo-overdue"] .counter-value')).to_have_text("1")
    assert page.evaluate("document.documentElement.scrollHeight") <= 900
    shoot(page, screenshots, "cockpit-executive")
    page.goto("/")
    page.locator('#cockpit [data-tile="wo-overdue"]').click()
    expect(page.locator("h1")).to_have_text("协同工单")
    expect(page.locator("#work-order-table")).to_contain_text("空调维修超期")
    assert log.problems(page) == []


WORKDAY_PAGES = {
    "today": "/workday/",
    "grid": "/workday/grid/",
    "submissions": "/workday/submissions/",
    "templates": "/workday/templates/",
    "template-new": "/workday/templates/new/",
    "log": "/workday/log/",
    "visits": "/workday/visits/",
    "cards": "/workday/cards/",
    "announcements": "/workday/announcements/",
    "announcement-new": "/workday/announcements/new/",
    "reports": "/reports/",
    "cockpit": "/reports/cockpit/",
}


def test_an_english_user_reads_the_workday_and_report_pages_in_english(
    page_and_log, sign_in, password, personas, screenshots
):
    import re

    cjk = re.compile(r"[\u4e00-\u9fff]")
    page, log = page_and_log
    _setup(personas)
    personas.ops_a.language = "en"
    personas.ops_a.save(update_fields=["language"])
    sign_in(page, "ops_a", password)
    for name, url in WORKDAY_PAGES.items():
        page.goto(url)
        page.wait_for_load_state("networkidle")
        texts = page.eval_on_selector_all(
            "nav a, main th, main button, main label, main legend, main h1, main h2",
            "els => els.map(e => Array.from(e.childNodes).filter(n => n.nodeType === 3)"
            ".map(n => n.textContent).join('').trim())",
        )
        assert sorted({t for t in texts if cjk.search(t)}) == [], name
    shoot(page, screenshots, "cockpit-english")
    assert log.problems(page) == []


def test_operations_drafts_previews_and_publishes_a_new_template_version(
    page_and_log, personas, password, sign_in, screenshots
):
    """The daily summary moves from 16:30 to 17:00 from tomorrow: the draft is previewed on the
    business calendar beside today's rule, published, and shown in the history in words."""
    page, log = page_and_log
    _setup(personas)
    summary = "当日工作总结（工作日清表）"
    sign_in(page, "ops_a", password)
    page.goto("/workday/templates/")
    page.locator(f'tr[data-template="{summary}"]').get_by_role("link", name=summary).click()
    expect(page.locator("#template-current")).to_contain_text("每个工作日 16:30")
    page.locator("#draft-link").click()
    page.fill("#id_due_time", "17:00")
    page.fill("#id_note", "下午拜访较多，推迟半小时")
    shoot(page, screenshots, "template-draft-form")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator("#draft-changes")).to_contain_text("截止规则：每个工作日 16:30 → 每个工作日 17:00")
    rows = page.locator("#preview-table tbody tr")
    expect(rows).to_have_count(10)
    expect(rows.first).to_contain_text("17:00")
    expect(rows.first).to_contain_text("16:30")
    shoot(page, screenshots, "template-draft-preview")
    page.locator("#publish-form button").click()
    expect(page.locator("#upcoming-note")).to_contain_text("每个工作日 17:00")
    expect(page.locator('#version-table tr[data-version="2"]')).to_contain_text("ops_a")
    shoot(page, screenshots, "template-versions")
    assert log.problems(page) == []
