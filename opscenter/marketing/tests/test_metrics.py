"""The marketing metrics in the one registry: values per site and month with their drill-down."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from opscenter.marketing import services
from opscenter.metrics import get_metric, metric_values

D = dt.date


def test_spend_cost_per_deal_and_return_on_spend_per_site_and_month(
    personas, channels, customer_at_a, journey
):
    for day, price in ((D(2026, 3, 2), 300_000), (D(2026, 4, 2), 50_000)):
        services.cost_line_record(
            actor=personas.marketing_a,
            site_id=personas.site_a.pk,
            item="竞价充值",
            quantity=1,
            unit_price_fen=price,
            spent_on=day,
            channel_id=channels["online"].pk,
        )
    for name, amount in (("甲", 1_000_000), ("乙", 500_000)):
        customer = customer_at_a(name=name)
        journey.consult(customer, D(2026, 3, 1))
        journey.deal(customer, D(2026, 3, 15), amount)
    site, march = personas.site_a.pk, D(2026, 3, 1)

    def value(code):
        values = metric_values(code, grain="site", period="month", start=D(2026, 3, 1), end=D(2026, 4, 30))
        return values[(site, march)].value, values.get((site, D(2026, 4, 1)))

    assert value("marketing.spend")[0] == 300_000
    assert value("marketing.cost_per_deal")[0] == Decimal("150000.0000")
    assert value("marketing.return_on_spend")[0] == Decimal("5.0000")
    assert value("marketing.spend_share")[0] == Decimal("0.2000")
    # April: spend without deals — cost per deal has no value rather than a made-up one.
    assert value("marketing.cost_per_deal")[1].value is None
    url = get_metric("marketing.cost_per_deal").drill("site", site, "month", march)
    assert "tab=month" in url and "month_from=2026-03" in url and f"site={site}" in url
