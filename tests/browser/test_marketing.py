"""Issue 18: create a campaign, invite ten customers, mark attendance, attribute a consultation and
a deal, enter two cost lines, see the cost per deal and its drill-down; generate a partner's
commission statement."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from opscenter.appraisal.models import Partner
from opscenter.marketing import services as marketing_services
from opscenter.marketing.models import CostLine, Invitation, Touch
from opscenter.pipeline import services as pipeline_services
from opscenter.pipeline.models import Channel

pytestmark = [pytest.mark.browser]


def shoot(page, screenshots, name: str) -> None:
    page.screenshot(path=screenshots / f"marketing-{name}.png", full_page=True)


def test_campaign_invitations_attribution_cost_per_deal_and_commission_statement(
    page_and_log, personas, password, sign_in, screenshots
):
    page, log = page_and_log
    actor = personas.marketing_a
    site = personas.site_a
    channel = Channel.objects.create(site=site, name="平安保险团队", kind="offline", partner="平安")
    partner = Partner.objects.create(site=site, name="平安保险宁波团队", kind="insurer_team", channel=channel)
    marketing_services.commission_rule_create(
        actor=actor, partner_id=partner.pk, kind="fixed_per_admission", fixed_fen=100_000,
        valid_from=timezone.localdate().replace(day=1),
    )  # fmt: skip
    guests = [
        pipeline_services.customer_register(
            actor=actor,
            site_id=site.pk,
            name=f"邀约客户{i:02d}",
            phone=f"1380000{i:04d}",
            channel_id=channel.pk,
        )
        for i in range(10)
    ]
    star = guests[0]
    yesterday = timezone.now() - dt.timedelta(days=1)
    consultation = pipeline_services.consultation_record(
        actor=actor, customer_id=star.pk, mode="phone", occurred_at=yesterday
    )
    deal = pipeline_services.deal_sign(
        actor=actor,
        customer_id=star.pk,
        signed_on=timezone.localdate(),
        amount_fen=3_600_000,
        stay_type="long",
    )
    today = timezone.localdate()

    sign_in(page, "marketing_a", password)
    page.locator("#site-nav").get_by_role("link", name="市场营销").click()
    expect(page.locator("h1")).to_have_text("市场活动")
    page.get_by_role("link", name="新建活动").click()
    page.fill("#id_name", "冬季开放日")
    page.fill("#id_code", "winter-open-day")
    page.select_option("#id_kind", "open_day")
    page.select_option("#id_channel", str(channel.pk))
    page.fill("#id_starts_on", (today - dt.timedelta(days=3)).isoformat())
    page.fill("#id_ends_on", (today + dt.timedelta(days=5)).isoformat())
    page.fill("#id_budget", "5000")
    page.fill("#id_audience", "保险客户及家属")
    page.get_by_role("button", name="创建").click()
    expect(page.locator("h1")).to_have_text("冬季开放日")

    # 集中邀约: ten customers.
    for guest in guests:
        page.locator(f"#invite-form input[value='{guest.pk}']").check()
    page.get_by_role("button", name="邀约所选客户").click()
    expect(page.locator("main")).to_contain_text("已邀约 10 位客户")
    expect(page.locator("#invitation-status-form tbody tr")).to_have_count(10)

    # Attendance for three of them.
    for guest in guests[:3]:
        page.get_by_role("checkbox", name=guest.name).check()
    page.select_option("#id_status", "attended")
    page.get_by_role("button", name="更新所选邀约").click()
    expect(page.locator(".invitation-status", has_text="已到场")).to_have_count(3)
    shoot(page, screenshots, "invitations")

    # Attribute the consultation (by the campaign's source code, prefilled) and the deal.
    page.select_option("#attribute-consultation-form select[name=consultation]", str(consultation.pk))
    expect(page.locator("#attribute-consultation-form input[name=code]")).to_have_value("winter-open-day")
    page.get_by_role("button", name="归因咨询").click()
    expect(page.locator("main")).to_contain_text("咨询已归因到活动")
    page.select_option("#attribute-deal-form select[name=deal]", str(deal.pk))
    page.get_by_role("button", name="归因成交").click()
    expect(page.locator("main")).to_contain_text("成交已归因到活动")

    # Two cost lines: 3000 leaflets at ¥0.35 and a ¥500 community stand.
    for item, quantity, price in (("宣传单页", "3000", "0.35"), ("社区展台", "1", "500")):
        page.fill("#cost-form #id_item", item)
        page.fill("#cost-form #id_quantity", quantity)
        page.fill("#cost-form #id_unit_price", price)
        page.fill("#cost-form #id_spent_on", today.isoformat())
        page.get_by_role("button", name="登记费用").last.click()
        expect(page.locator("main")).to_contain_text("费用已登记")
    assert sorted(CostLine.objects.values_list("amount_fen", flat=True)) == [50_000, 105_000]

    # Cost per deal: ¥1,550 of spend ÷ 1 deal; revenue ÷ spend = 36,000 ÷ 1,550 = 23.23.
    expect(page.locator("#roi-first .cost-per-deal")).to_have_text("1,550.00")
    expect(page.locator("#roi-last .cost-per-deal")).to_have_text("1,550.00")
    expect(page.locator("#roi-first")).to_contain_text("23.23")
    shoot(page, screenshots, "campaign")
    page.locator("#roi-first td").nth(3).get_by_role("link").click()  # the deals count
    expect(page.locator("#drill-table tbody tr")).to_have_count(1)
    expect(page.locator("#drill-table")).to_contain_text(star.name)
    expect(page.locator("#drill-table")).to_contain_text("36,000.00")
    shoot(page, screenshots, "drill-down")

    # The ROI page shows the same campaign with both attribution models.
    page.goto("/marketing/roi/?tab=campaign&view=event")
    expect(page.locator("#roi-table")).to_contain_text("冬季开放日")
    expect(page.locator("#roi-table .cost-per-deal").first).to_have_text("1,550.00")
    expect(page.locator(".chart[data-chart-state=ready]")).to_have_count(1)
    shoot(page, screenshots, "roi")

    # The partner's commission statement for this month.
    page.locator("#site-nav").get_by_role("link", name="市场营销").click()
    page.get_by_role("link", name="合作机构佣金").click()
    page.get_by_role("link", name="平安保险宁波团队").click()
    page.fill("#statement-form #id_month", f"{today:%Y-%m}")
    page.get_by_role("button", name="生成结算单").click()
    expect(page.locator("#statement-total")).to_have_text("¥1,000.00")
    expect(page.locator("#statement-lines")).to_contain_text(star.name)
    shoot(page, screenshots, "statement")

    assert Invitation.objects.filter(status="attended").count() == 3
    assert Touch.objects.filter(method="attendance").count() == 3
    assert log.problems(page) == []
