"""ROI arithmetic on a fixture, first vs last touch, cohort vs event month (the issue's acceptance)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from opscenter.marketing import selectors, services
from opscenter.marketing.roi import cost_per, return_on_spend
from opscenter.pipeline.selectors import FunnelFilters

D = dt.date


def _campaign(personas, channels, code, kind="paid_search", channel="online", starts=None):
    starts = starts or D(2026, 3, 1)
    return services.campaign_create(
        actor=personas.marketing_a,
        site_id=personas.site_a.pk,
        name=code,
        code=code,
        kind=kind,
        channel_id=channels[channel].pk,
        starts_on=starts,
        ends_on=starts + dt.timedelta(days=30),
    )


def _attribute(personas, consultation, code):
    return services.consultation_attribute(
        actor=personas.marketing_a, consultation_id=consultation.pk, code=code
    )


def _filters(personas, first, last, view="cohort"):
    return FunnelFilters(month_from=first, month_to=last, view=view, site_id=personas.site_a.pk)


def test_pure_arithmetic_rounds_half_up_to_the_fen():
    assert cost_per(100, 3) == 33 and cost_per(200, 3) == 67 and cost_per(5, 0) is None
    assert return_on_spend(1_000_000, 360_000) == Decimal("2.78")
    assert return_on_spend(1, 0) is None


@pytest.fixture
def paid_search(personas, channels, customer_at_a, journey):
    """竞价排名 in March: two cost lines (3 × ¥1,000 + 1 × ¥600 = ¥3,600); three prospects consult
    by its source code, two visit, one signs for ¥10,000."""
    campaign = _campaign(personas, channels, "baidu-spring")
    for item, qty, price in (("百度竞价充值", 3, 100_000), ("落地页制作", 1, 60_000)):
        services.cost_line_record(
            actor=personas.marketing_a,
            site_id=personas.site_a.pk,
            item=item,
            quantity=qty,
            unit_price_fen=price,
            spent_on=D(2026, 3, 2),
            campaign_id=campaign.pk,
        )
    people = [customer_at_a(name=n, kind="online") for n in ("甲", "乙", "丙")]
    for i, person in enumerate(people):
        _attribute(personas, journey.consult(person, D(2026, 3, 5 + i), mode="online"), "baidu-spring")
    journey.visit(people[0], D(2026, 3, 10))
    journey.visit(people[1], D(2026, 3, 12))
    journey.deal(people[0], D(2026, 3, 20), 1_000_000)
    return campaign


def test_roi_per_campaign_exact_arithmetic(personas, paid_search):
    (row,) = selectors.roi_by_campaign(user=personas.marketing_a, filters=_filters(personas, 202603, 202603))
    first = row.first
    assert row.campaign == paid_search
    assert first.spend_fen == 360_000
    assert (first.counts.consultations, first.counts.visits, first.counts.deals) == (3, 2, 1)
    assert first.counts.revenue_fen == 1_000_000
    assert first.cost_per_consultation_fen == 120_000
    assert first.cost_per_visit_fen == 180_000
    assert first.cost_per_deal_fen == 360_000
    assert first.return_on_spend == Decimal("2.78")


def test_roi_per_channel_and_month_share_the_spend(personas, paid_search, channels):
    rows, total = selectors.roi_by_channel(
        user=personas.marketing_a, filters=_filters(personas, 202603, 202603)
    )
    online = next(r for r in rows if r.key == channels["online"].pk)
    assert online.spend_fen == 360_000
    assert (online.counts.consultations, online.counts.visits, online.counts.deals) == (3, 2, 1)
    assert online.cost_per_deal_fen == 360_000 and total.spend_fen == 360_000
    months, month_total = selectors.roi_by_month(
        user=personas.marketing_a, filters=_filters(personas, 202602, 202603)
    )
    assert [(r.key, r.spend_fen, r.counts.deals) for r in months] == [(202602, 0, 0), (202603, 360_000, 1)]
    assert month_total.return_on_spend == Decimal("2.78")


def test_first_and_last_touch_credit_a_customer_touched_by_two_campaigns(
    personas, channels, customer_at_a, journey
):
    seminar = _campaign(
        personas, channels, "seminar-april", kind="seminar", channel="offline", starts=D(2026, 4, 1)
    )
    search = _campaign(personas, channels, "search-april", starts=D(2026, 4, 1))
    customer = customer_at_a(name="两次触达")
    services.touch_record(
        actor=personas.marketing_a, campaign_id=seminar.pk, customer_id=customer.pk, touched_on=D(2026, 4, 2)
    )
    _attribute(personas, journey.consult(customer, D(2026, 4, 10)), "search-april")
    journey.visit(customer, D(2026, 4, 12))
    journey.deal(customer, D(2026, 4, 20), 500_000)
    rows = {
        r.campaign.code: r
        for r in selectors.roi_by_campaign(
            user=personas.marketing_a, filters=_filters(personas, 202604, 202604)
        )
    }
    first, last = rows["seminar-april"].first.counts, rows["search-april"].last.counts
    assert (first.consultations, first.visits, first.deals, first.revenue_fen) == (1, 1, 1, 500_000)
    assert (last.consultations, last.visits, last.deals, last.revenue_fen) == (1, 1, 1, 500_000)
    # …and the other model gives each campaign nothing.
    assert rows["seminar-april"].last.counts.deals == 0
    assert rows["search-april"].first.counts.deals == 0
    # Drill-down: exactly the rows behind the number.
    deals = selectors.attributed(
        user=personas.marketing_a, filters=_filters(personas, 202604, 202604), metric="deals", model="last"
    ).filter(campaign_credit=search.pk)
    assert [d.customer_id for d in deals] == [customer.pk]


def test_a_touch_after_the_event_does_not_credit_it(personas, channels, customer_at_a, journey):
    campaign = _campaign(personas, channels, "late", starts=D(2026, 4, 1))
    customer = customer_at_a()
    journey.consult(customer, D(2026, 4, 3))
    services.touch_record(
        actor=personas.marketing_a, campaign_id=campaign.pk, customer_id=customer.pk, touched_on=D(2026, 4, 9)
    )
    assert (
        selectors.roi_by_campaign(user=personas.marketing_a, filters=_filters(personas, 202604, 202604)) == []
    )


def test_cohort_view_counts_the_deal_in_the_month_of_first_consultation_event_view_in_its_own(
    personas, channels, customer_at_a, journey
):
    campaign = _campaign(personas, channels, "may-article", kind="wechat_article", starts=D(2026, 5, 1))
    customer = customer_at_a()
    _attribute(personas, journey.consult(customer, D(2026, 5, 28)), "may-article")
    journey.deal(customer, D(2026, 6, 5), 300_000)

    def deals(view, month):
        rows = selectors.roi_by_campaign(
            user=personas.marketing_a, filters=_filters(personas, month, month, view)
        )
        return {r.campaign.pk: r.first.counts.deals for r in rows}.get(campaign.pk, 0)

    assert (deals("cohort", 202605), deals("cohort", 202606)) == (1, 0)
    assert (deals("event", 202605), deals("event", 202606)) == (0, 1)
    cohort, _ = selectors.roi_by_month(user=personas.marketing_a, filters=_filters(personas, 202605, 202606))
    event, _ = selectors.roi_by_month(
        user=personas.marketing_a, filters=_filters(personas, 202605, 202606, "event")
    )
    assert [r.counts.deals for r in cohort] == [1, 0]
    assert [r.counts.deals for r in event] == [0, 1]


def test_withdrawn_touch_no_longer_credits(personas, paid_search):
    touch = selectors.touch_list(user=personas.marketing_a, campaign_id=paid_search.pk).first()
    services.touch_withdraw(actor=personas.marketing_a, touch_id=touch.pk)
    (row,) = selectors.roi_by_campaign(user=personas.marketing_a, filters=_filters(personas, 202603, 202603))
    assert row.first.counts.consultations == 2


def test_roi_is_scoped_to_the_users_sites(personas, paid_search):
    assert selectors.roi_by_campaign(user=personas.ops_b, filters=_filters(personas, 202603, 202603)) == []


def test_campaign_roi_runs_in_a_bounded_number_of_queries(
    personas, paid_search, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        rows = selectors.roi_by_campaign(
            user=personas.marketing_a, filters=_filters(personas, 202601, 202612)
        )
        assert rows[0].first.cost_per_deal_fen == 360_000


def test_budget_vs_actual_and_share_of_spend_in_revenue(personas, paid_search, channels):
    services.budget_set(
        actor=personas.marketing_a,
        site_id=personas.site_a.pk,
        channel_id=channels["online"].pk,
        month="2026-03",
        amount_fen=500_000,
    )
    table = selectors.budget_vs_actual(
        user=personas.marketing_a, site_id=personas.site_a.pk, month_from=202603, month_to=202603
    )
    (row,) = table.rows
    cell = row.cells[202603]
    assert (cell.budget_fen, cell.actual_fen, cell.variance_fen) == (500_000, 360_000, 140_000)
    assert table.share(202603) == Decimal("36.0")  # ¥3,600 of ¥10,000 revenue
