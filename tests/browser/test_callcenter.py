"""Issue 14 "call center": a shift leader imports a day of calls from the telephony export, sees
the intraday chart and the live wallboard; a QA reviewer draws a sample, scores calls and sees the
agent's QA average and habitual errors."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from opscenter.callcenter.models import Call, QaScore
from opscenter.callcenter.services import queue_create
from opscenter.core.testing import make_department, make_person, make_site, make_staff

pytestmark = [pytest.mark.browser]


def shoot(page, screenshots, name: str) -> None:
    page.screenshot(path=screenshots / f"callcenter-{name}.png", full_page=True)


def day_of_calls(day: dt.date, agents: list[str], now: dt.datetime) -> bytes:
    """A telephony export (Chinese headers) for `day`: ~120 calls between 08:00 and 20:00, plus
    for today a few calls in the last minutes, one of them still waiting."""
    rng = random.Random(14)
    rows = [
        [
            "通话ID",
            "技能组",
            "来电号码",
            "来电时间",
            "应答时间",
            "挂机时间",
            "通话时长",
            "坐席工号",
            "业务类型",
        ]
    ]
    kinds = ["咨询", "报案", "调度", "投诉", "回访", "客户信息查询"]
    fmt = "%Y-%m-%d %H:%M:%S"
    for i in range(120):
        arrived = dt.datetime.combine(day, dt.time(8)) + dt.timedelta(seconds=rng.randrange(12 * 3600))
        wait = rng.choice([3, 8, 12, 15, 25, 40, 70])
        if i % 10 == 9:
            rows.append(
                [
                    f"D{i}",
                    "96180",
                    f"1380000{i:04d}",
                    arrived.strftime(fmt),
                    "",
                    (arrived + dt.timedelta(seconds=wait)).strftime(fmt),
                    "",
                    "",
                    "",
                ]
            )
            continue
        talk = rng.randrange(60, 400)
        answered = arrived + dt.timedelta(seconds=wait)
        rows.append([f"D{i}", "96180", f"1380000{i:04d}", arrived.strftime(fmt), answered.strftime(fmt),
                     (answered + dt.timedelta(seconds=talk)).strftime(fmt), str(talk), agents[i % len(agents)], kinds[i % 6]])  # fmt: skip
    local_now = timezone.localtime(now).replace(tzinfo=None)
    for i in range(3):
        arrived = local_now - dt.timedelta(minutes=3 - i)
        answered = "" if i == 2 else (arrived + dt.timedelta(seconds=5)).strftime(fmt)
        ended = "" if i == 2 else (arrived + dt.timedelta(seconds=65)).strftime(fmt)
        rows.append([f"N{i}", "96180", "", arrived.strftime(fmt), answered, ended, "" if i == 2 else "60", "" if i == 2 else agents[0], "咨询"])  # fmt: skip
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    return text.getvalue().encode("utf-8-sig")


def test_import_a_day_see_the_profile_and_wallboard_then_sample_and_score(
    page_and_log, db, password, sign_in, screenshots
):
    page, log = page_and_log
    site = make_site("hotline", "96180 客服中心", kind="call_center")
    department = make_department(site, "call_center")
    queue_create(actor=None, site_id=site.pk, code="96180", name="96180 热线", department_id=department.pk)
    make_person("leader", "call_center", site, "call_center", name="值班长")
    make_person("reviewer", "call_center", site, "call_center", name="质检员甲")
    agents = [make_staff(department=department, name=n) for n in ("坐席甲", "坐席乙", "坐席丙")]
    now = timezone.now()
    day = timezone.localdate(now) - dt.timedelta(days=1)

    # --- the shift leader imports yesterday's telephony export ------------------------------------
    sign_in(page, "leader", password)
    page.locator("#site-nav").get_by_role("link", name="客服质检").click()
    expect(page).to_have_url(re.compile(r"/callcenter/"))
    page.get_by_role("link", name="导入来电").click()
    page.select_option("#id_kind", label="来电记录")
    page.select_option("#id_site", label="96180 客服中心")
    page.set_input_files(
        "#id_file",
        files=[
            {
                "name": "话单.csv",
                "mimeType": "text/csv",
                "buffer": day_of_calls(day, [a.employee_no for a in agents], now),
            }
        ],
    )
    page.get_by_role("button", name="上传并校验").click()
    expect(page.locator("#job-progress [data-status]")).to_have_attribute("data-status", "validated")
    expect(page.locator('[data-count="error"]')).to_have_text("0")
    page.locator("#commit-button").click()
    expect(page.locator("#job-progress [data-status]")).to_have_attribute("data-status", "committed")
    assert Call.objects.count() == 123

    # --- the dashboard of that day: figures drill to their calls, the intraday chart draws ---------
    page.goto(f"/callcenter/?from={day}&to={day}")
    kpis = page.locator("#cc-kpis")
    expect(kpis.get_by_role("link", name=re.compile(r"^呼入量"))).to_contain_text("120")
    expect(page.locator("#cc-profile-chart canvas")).to_have_count(1)
    expect(page.locator("#cc-profile-chart")).to_have_attribute("data-chart-state", "ready")
    expect(page.locator("#agent-table tbody tr")).to_have_count(3)
    shoot(page, screenshots, "01-dashboard")
    kpis.get_by_role("link", name=re.compile(r"^短放弃")).click()
    expect(page.locator("h1")).to_have_text("来电记录")
    short = Call.objects.filter(local_date=day, outcome=2, wait_seconds__lt=5).count()
    expect(page.locator("#call-table tbody tr")).to_have_count(short or 1)

    # --- the wallboard: one caller waiting now; it refreshes itself ---------------------------------
    page.goto("/callcenter/wallboard/")
    expect(page.locator("#wall-waiting")).to_have_text("1")
    expect(page.locator("#wall-sl-today")).to_have_text("100.0%")
    with page.expect_response(
        lambda r: "/callcenter/wallboard/" in r.url and r.request.headers.get("hx-request") == "true",
        timeout=15_000,
    ):
        pass
    expect(page.locator("#wall-waiting")).to_have_text("1")
    shoot(page, screenshots, "02-wallboard")

    # --- QA: the reviewer draws a sample and scores two calls of one agent --------------------------
    page.context.clear_cookies()
    sign_in(page, "reviewer", password)
    page.goto("/callcenter/qa/")
    page.fill("#id_start", day.isoformat())
    page.fill("#id_end", day.isoformat())
    page.fill("#id_per_agent", "2")
    page.fill("#id_seed", "2026")
    page.get_by_role("button", name="抽取样本").click()
    rows = page.locator("#sample-table tbody tr")
    expect(rows).to_have_count(6)
    shoot(page, screenshots, "03-sample")
    for index in (0, 1):  # the first agent's two calls: greeting missed both times
        page.locator("#sample-table tbody tr").nth(index).locator("a").click()
        expect(page.locator("#recording-ref")).to_be_visible()
        page.get_by_label("问候语").fill("5")
        page.get_by_role("button", name="保存评分").click()
        expect(page.locator(".messages")).to_contain_text("评分已保存")
        if index == 0:
            shoot(page, screenshots, "04-scored")
        page.go_back()
        page.go_back()
        page.reload()
    assert QaScore.objects.count() == 2
    page.goto(f"/callcenter/qa/?from={day}&to={timezone.localdate()}")
    expect(page.locator("#qa-averages tbody tr").first).to_contain_text("90")
    expect(page.locator("#habit-agents tbody tr").first).to_contain_text("问候语")
    expect(page.locator("#habit-agents tbody tr").first).to_contain_text("2")
    shoot(page, screenshots, "05-qa")
    assert log.problems(page) == []
