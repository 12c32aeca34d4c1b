"""Issue 13: a complaint registered by the call center becomes a work order for the nursing
liaison, who accepts and resolves it; the requester verifies it; it shows on the monitoring page
and in that week's report."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from opscenter.commitments import examples
from opscenter.commitments.models import Complaint, StageMeasurement, WorkOrder
from opscenter.core.testing import make_department
from opscenter.org.models import Liaison

pytestmark = [pytest.mark.browser]


def shoot(page, screenshots, name: str) -> None:
    page.screenshot(path=screenshots / f"commitments-{name}.png", full_page=True)


def test_complaint_to_verified_work_order_shows_on_monitor_and_report(
    page_and_log, personas, password, sign_in, screenshots
):
    page, log = page_and_log
    nursing = make_department(personas.site_a, "nursing")
    Liaison.objects.create(department=nursing, staff=personas.nursing_a.staff)
    examples.complaint_tree(personas.site_a)

    sign_in(page, "callcenter_a", password)
    page.locator("#site-nav").get_by_role("link", name="服务承诺/工单").click()
    expect(page.locator("h1")).to_have_text("协同工单")
    page.get_by_role("link", name="登记投诉").first.click()
    page.select_option("#id_department", str(nursing.pk))
    page.fill("#id_customer_name", "张阿姨")
    page.select_option("#id_channel", "phone")
    page.fill("#id_category", "护理服务")
    page.fill("#id_content", "夜间呼叫响应慢")
    page.select_option("#id_severity", "medium")
    shoot(page, screenshots, "complaint-form")
    page.get_by_role("button", name="登记并派单").click()
    expect(page.locator("#wo-status")).to_have_text("已派发")
    expect(page.locator("main")).to_contain_text("护理甲")
    wo = WorkOrder.objects.get(source="complaint")

    page.context.clear_cookies()
    sign_in(page, "nursing_a", password)
    page.goto("/commitments/?list=mine")
    page.get_by_role("link", name=wo.title).click()
    page.get_by_role("button", name="受理并开始处理").click()
    expect(page.locator("#wo-status")).to_have_text("处理中")
    page.fill("textarea[name=resolution]", "已调整夜班巡视并回访家属")
    page.get_by_role("button", name="标记已处理").click()
    expect(page.locator("#wo-status")).to_have_text("已处理")
    expect(page.locator("form[data-to=verified]")).to_have_count(1)

    page.context.clear_cookies()
    sign_in(page, "callcenter_a", password)
    page.goto(f"/commitments/work-orders/{wo.pk}/")
    page.fill("#sat", "4")
    page.get_by_role("button", name="验证关闭").click()
    expect(page.locator("#wo-status")).to_have_text("已验证关闭")
    expect(page.locator("#wo-events")).to_contain_text("已处理")
    shoot(page, screenshots, "work-order-verified")
    assert Complaint.objects.get().answered_at is not None
    assert StageMeasurement.objects.filter(level=1, status="on_time").count() == 1

    page.get_by_role("link", name="运营监控").click()
    expect(page.locator("#monitor-table")).to_contain_text("投诉答复")
    expect(page.locator(".chart").first).to_have_attribute("data-chart-state", "ready")
    shoot(page, screenshots, "monitor")

    page.get_by_role("link", name="周报/月报").click()
    expect(page.locator("#report-commitments")).to_contain_text("投诉答复")
    expect(page.locator("#report-complaints")).to_contain_text("护理服务")
    expect(page.locator("#report-work-orders")).to_contain_text("验证关闭")
    shoot(page, screenshots, "report")
    assert log.problems(page) == []
