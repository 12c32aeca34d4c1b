"""Issue 15: operations run and publish a month's appraisal; a consultant opens their statement,
follows the drill-down of an automatic item to the deals behind it, files an appeal; once it is
upheld the statement shows the recomputed score and grade."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from opscenter.appraisal import services
from opscenter.appraisal.choices import CurveKind, ItemMethod
from opscenter.appraisal.models import AppraisalRun
from opscenter.core.testing import make_department

pytestmark = [pytest.mark.browser]


def shoot(page, screenshots, name: str) -> None:
    page.screenshot(path=screenshots / f"appraisal-{name}.png", full_page=True)


def _deals(personas):
    from opscenter.pipeline import services as pipeline
    from opscenter.pipeline.constants import DEFAULT_CHANNELS
    from opscenter.pipeline.models import Channel

    for order, (name, kind) in enumerate(DEFAULT_CHANNELS):
        Channel.objects.get_or_create(site=None, name=name, defaults={"kind": kind, "sort_order": order})
    phone = Channel.objects.filter(site__isnull=True, kind="phone").first()
    actor, site = personas.consultant_a, personas.site_a
    for i in range(3):
        customer = pipeline.customer_register(
            actor=actor, site_id=site.pk, name=f"签约客户{i}", phone=f"1391111{i:04d}", channel_id=phone.pk
        )
        when = dt.datetime(2026, 10, 3 + i, 10, tzinfo=dt.UTC)
        pipeline.consultation_record(actor=actor, customer_id=customer.pk, mode="phone", occurred_at=when)
        pipeline.visit_register(actor=actor, customer_id=customer.pk, arrived_at=when + dt.timedelta(days=1))
        pipeline.deal_sign(
            actor=actor,
            customer_id=customer.pk,
            signed_on=(when + dt.timedelta(days=2)).date(),
            amount_fen=1_000_000,
        )


def test_publish_open_statement_drill_down_appeal_and_recompute(
    page_and_log, personas, password, sign_in, screenshots
):
    page, log = page_and_log
    _deals(personas)
    card = services.scorecard_create(
        actor=None,
        site_id=personas.site_a.pk,
        name="咨询师月度考核",
        subject_kind="staff",
        department_id=make_department(personas.site_a, "marketing").pk,
    )
    services.scorecard_item_save(
        actor=None,
        scorecard=card,
        order=1,
        name="成交数",
        weight="50",
        method=ItemMethod.METRIC,
        metric_code="targets.deals",
        curve=CurveKind.TARGET,
        target="5",
    )
    services.scorecard_item_save(
        actor=None,
        scorecard=card,
        order=2,
        name="主要业务",
        weight="50",
        method=ItemMethod.MANUAL,
        appraiser=personas.ops_a.staff,
    )
    services.scorecard_publish(actor=None, scorecard=card)

    # operations: run October (the test plays the background worker), score the queue, publish
    sign_in(page, "ops_a", password)
    page.locator("#site-nav").get_by_role("link", name="绩效考核").click()
    page.fill("#run-period", "2026-10")
    page.get_by_role("button", name="计算考核").click()
    expect(page.locator("#run-status")).to_be_visible()
    run = AppraisalRun.objects.get()
    if run.status == "queued":  # no worker here (unless tasks run immediately): play it
        services.run_execute(run.pk)
    run.refresh_from_db()
    assert (run.status, run.total) == ("done", 3)
    expect(page.locator("#run-status")).to_contain_text("已计算", timeout=15_000)
    page.goto("/appraisal/queue/")
    rows = page.locator("#queue-table tbody tr")
    for _i in range(rows.count()):
        page.locator("#queue-table tbody tr").first.locator("input[name=score]").fill("80")
        page.locator("#queue-table tbody tr").first.get_by_role("button", name="保存").click()
        page.wait_for_load_state("networkidle")
    expect(page.locator("main")).to_contain_text("没有等您打分的项目")
    page.goto("/appraisal/periods/2026-10/")
    shoot(page, screenshots, "period-draft")
    page.get_by_role("button", name="发布并冻结").click()
    expect(page.locator("#period-status")).to_have_text("已发布")

    # the consultant: own statement, drill-down to the deals, appeal
    page.context.clear_cookies()
    sign_in(page, "consultant_a", password)
    page.goto("/appraisal/")
    page.locator("#my-appraisals").get_by_role("link", name="考核单").click()
    expect(page.locator("#final-score")).to_have_text("70.00")  # 3/5 deals → 60 × 50% + 80 × 50%
    expect(page.locator("#grade")).to_have_text("合格")
    shoot(page, screenshots, "statement")
    statement_url = page.url
    page.locator("tr[data-item=成交数] a.drill").click()
    page.wait_for_load_state("networkidle")
    for i in range(3):
        expect(page.locator("main")).to_contain_text(f"签约客户{i}")
    shoot(page, screenshots, "drill-down")
    page.goto(statement_url)
    row = page.locator("tr[data-item=主要业务]")
    row.locator("summary").click()
    row.locator("textarea[name=reason]").fill("十月的两次大客户接待没有计入主要业务")
    row.get_by_role("button", name="提交申诉").click()
    expect(page.locator("#appeals")).to_contain_text("待处理")

    # operations uphold it
    page.context.clear_cookies()
    sign_in(page, "ops_a", password)
    page.goto(statement_url)
    form = page.locator("form.decide-form")
    form.locator("input[name=new_score]").fill("100")
    form.locator("input[name=decision]").fill("核实属实，补计")
    form.get_by_role("button", name="申诉成立").click()
    expect(page.locator("#final-score")).to_have_text("80.00")

    # the consultant sees the recomputed statement
    page.context.clear_cookies()
    sign_in(page, "consultant_a", password)
    page.goto(statement_url)
    expect(page.locator("#final-score")).to_have_text("80.00")
    expect(page.locator("#grade")).to_have_text("良好")
    expect(page.locator("#appeals")).to_contain_text("申诉成立")
    shoot(page, screenshots, "statement-after-appeal")
    assert log.problems(page) == []
