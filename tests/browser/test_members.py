"""Issue 6 "Member tiers": an operations manager edits a threshold of seed 004's rules, previews
the transition matrix, activates the new version, and sees a member's new tier and why."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from opscenter.members import services
from opscenter.members.constants import SEED_004, SEED_004_NAME
from opscenter.members.models import MemberTier, TierRuleSet
from opscenter.pipeline.models import Customer, FollowUp, Transaction

pytestmark = [pytest.mark.browser]


def _customer(personas, name: str, phone: str, spend_yuan: int, satisfaction: int) -> Customer:
    c = Customer.objects.create(
        site=personas.site_b, name=name, phone=phone, cohort_month=202501, owner=personas.consultant_b.staff
    )
    for day, yuan in ((dt.date(2025, 1, 5), spend_yuan - 1_000), (dt.date(2025, 3, 2), 1_000)):
        Transaction.objects.create(
            site=personas.site_b, customer=c, occurred_on=day, month=day.year * 100 + day.month,
            item="光子嫩肤", category="skin", amount_fen=yuan * 100,
        )  # fmt: skip
    FollowUp.objects.create(
        site=personas.site_b, customer=c, scheduled_on=dt.date(2025, 4, 1), month=202504,
        done_on=dt.date(2025, 4, 1), outcome="reached", satisfaction=satisfaction,
    )  # fmt: skip
    return c


def shoot(page, screenshots, name: str) -> None:
    page.screenshot(path=screenshots / f"members-{name}.png", full_page=True)


def test_edit_threshold_preview_activate_and_see_the_new_tier(
    page_and_log, personas, password, sign_in, screenshots
):
    page, log = page_and_log
    rule_set = services.tier_rules_create(
        actor=personas.ops_b, site_id=personas.site_b.pk, name=SEED_004_NAME, definition=SEED_004
    )
    services.tier_rules_transition(actor=personas.ops_b, rule_set_id=rule_set.pk, to_status="active")
    mover = _customer(personas, "周丽", "13900001111", 22_000, 5)
    _customer(personas, "吴敏", "13900002222", 12_000, 4)
    services.tiers_evaluate(actor=personas.ops_b, site_id=personas.site_b.pk)
    assert MemberTier.objects.get(customer=mover).tier == "AA"

    sign_in(page, "ops_b", password)
    page.locator("#site-nav").get_by_role("link", name="会员").click()
    expect(page.locator("h1")).to_have_text("会员")
    expect(page.locator("#member-table")).to_contain_text("周丽")
    shoot(page, screenshots, "list")

    page.get_by_role("link", name="分级规则").click()
    page.get_by_role("link", name="编辑为新版本").click()
    threshold = page.locator('input[name="crit-1-cond-0-threshold"]')
    expect(threshold).to_have_value("28000")

    # A threshold of the wrong type is refused with a clear message; nothing is saved.
    threshold.fill("两万")
    page.get_by_role("button", name="保存为新版本并预览").click()
    expect(page.locator("#rule-errors")).to_contain_text("标准值必须是以分为单位的整数金额")
    assert TierRuleSet.objects.count() == 1
    shoot(page, screenshots, "editor-error")

    page.locator('input[name="crit-1-cond-0-threshold"]').fill("20000")
    page.fill("#id_note", "消费门槛降为两万")
    page.get_by_role("button", name="保存为新版本并预览").click()
    expect(page.locator("h1")).to_contain_text("v2")
    expect(page.locator("#moving-count")).to_have_text("1")
    cell = page.locator('#transition-matrix td[data-from="AA"][data-to="AAA"]')
    expect(cell).to_have_text("1")
    cell.locator("a").click()
    expect(page.locator("#movers-table tbody tr:visible")).to_have_count(1)
    expect(page.locator("#movers-table")).to_contain_text("周丽")
    shoot(page, screenshots, "preview")

    page.get_by_role("button", name="生效此版本").click()
    expect(page).to_have_url(re.compile(r"/members/$"))
    expect(page.get_by_role("status")).to_contain_text("已生效")
    page.get_by_role("link", name="周丽").click()
    expect(page.locator("#member-tier")).to_have_text("AAA级")
    explanation = page.locator("#explanation")
    expect(explanation).to_contain_text("v2")
    expect(explanation).to_contain_text("净消费 ¥22,000")
    expect(explanation).to_contain_text("≥ ¥20,000")
    expect(explanation).to_contain_text("2 个消费日：2025-01-05、2025-03-02")
    expect(page.locator("#tier-history")).to_contain_text("AA → AAA")
    shoot(page, screenshots, "member")
    assert log.problems(page) == []
