"""Issue 14 gaps: a call-center manager edits a queue's service-level rule on 规则设置 (the change
shows in the history in people's words; a stale form is refused), and drills the agents'
occupancy from the dashboard's agent table down to one interval's state records."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from opscenter.callcenter.agents import agent_state_record_batch
from opscenter.callcenter.services import call_record_batch, queue_create
from opscenter.core.testing import make_department, make_person, make_site, make_staff

pytestmark = [pytest.mark.browser]


def test_manager_edits_rules_and_drills_occupancy(page_and_log, db, password, sign_in, screenshots):
    page, log = page_and_log
    site = make_site("hotline", "96180 客服中心", kind="call_center")
    department = make_department(site, "call_center")
    queue_create(actor=None, site_id=site.pk, code="96180", name="96180 热线", department_id=department.pk)
    make_person("lead", "call_center_manager", site, "call_center", name="主管甲")
    make_person("agent", "call_center", site, "call_center", name="值班员")
    agent = make_staff(department=department, name="坐席甲")
    day = timezone.localdate() - dt.timedelta(days=1)
    tz = timezone.get_default_timezone()

    def at(h, m):
        return dt.datetime.combine(day, dt.time(h, m), tzinfo=tz)

    call_record_batch(
        actor=None, site_id=site.pk,
        items=[{"telephony_id": "A1", "queue": "96180", "arrived_at": at(9, 20), "answered_at": at(9, 20),
                "ended_at": at(9, 40), "agent": agent.employee_no}],
    )  # fmt: skip
    states = [("ready", 9, 0, 9, 20), ("talk", 9, 20, 9, 40), ("acw", 9, 40, 9, 45), ("break", 9, 45, 10, 0)]
    agent_state_record_batch(
        actor=None, site_id=site.pk,
        items=[{"agent": agent.employee_no, "state": s, "started_at": at(h1, m1), "ended_at": at(h2, m2)}
               for s, h1, m1, h2, m2 in states],
    )  # fmt: skip

    # --- staff without the manager role do not get the screen -------------------------------------
    from django.contrib.auth import get_user_model
    from django.test import Client

    staff_client = Client()
    staff_client.force_login(get_user_model().objects.get(username="agent"))
    assert staff_client.get("/callcenter/rules/").status_code == 403

    # --- the manager changes the SL rule; the history says what changed -----------------------------
    sign_in(page, "lead", password)
    page.goto("/callcenter/")
    page.locator(".c-subnav").get_by_role("link", name="规则设置").click()
    expect(page.locator("h1")).to_contain_text("规则设置")
    row = page.locator("#queue-rules tbody tr").first
    row.get_by_label("服务水平时限(秒)").fill("30")
    row.get_by_label("服务水平目标(%)").fill("85")
    row.get_by_role("button", name="保存").click()
    expect(page.locator("#rules-history")).to_contain_text("服务水平时限(秒)：20 → 30")
    expect(page.locator("#queue-rules")).to_contain_text("v2")
    page.screenshot(path=screenshots / "callcenter-rules.png", full_page=True)

    # --- occupancy from the dashboard's agent table down to the 09:30 interval ----------------------
    page.goto(f"/callcenter/?from={day}&to={day}")
    page.locator("#agent-table").get_by_role("link", name="55.6%").click()
    expect(page.locator("h1")).to_contain_text("坐席甲")
    # 09:00–09:30: ready 1200 s, talk 600 s; 09:30–10:00: talk 600 s, acw 300 s, break not counted
    expect(page.locator("#occupancy-intervals")).to_contain_text("33.3%")
    page.locator("#occupancy-intervals").get_by_role("link", name="09:30").click()
    expect(page.locator("#state-log")).to_contain_text("跨越 09:30 时段的状态")
    expect(page.locator("#state-table tbody tr")).to_have_count(3)
    page.screenshot(path=screenshots / "callcenter-occupancy.png", full_page=True)
    assert re.search(r"interval=19", page.url)
    assert log.problems(page) == []
