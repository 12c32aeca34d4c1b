"""Quote-to-order conversion as a funnel step: the registry metrics clinic.quotes / quote_orders /
quote_conversion (cohort of the quote's period), the clinic's funnel rows 上门 → 报价 → 成交 with
their rates, and the drill-down to exactly the quotes and orders counted."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from opscenter.clinic import services
from opscenter.metrics.registry import MetricValue, get_metric, metric_values
from opscenter.pipeline import services as pipeline

pytestmark = pytest.mark.django_db


def _quote(personas, clinic, customer):
    today = timezone.localdate()
    return services.quote_create(
        actor=personas.consultant_b, customer_id=customer.pk, valid_until=today + dt.timedelta(days=30),
        lines=[{"item": "水光针", "category": "non_invasive", "center_id": clinic.skin.pk, "list_price_fen": 100_000}],
    )  # fmt: skip


@pytest.fixture
def month(personas, clinic, customer):
    """This month at site B: four customers visit; three get quotes; two accept, one is cancelled."""
    customers = [customer(name=f"客户{i}") for i in range(4)]
    for c in customers:
        pipeline.visit_register(actor=personas.consultant_b, customer_id=c.pk, arrived_at=timezone.now())
    quotes = [_quote(personas, clinic, c) for c in customers[:3]]
    for q in quotes[:2]:
        services.quote_accept(actor=personas.consultant_b, quote_id=q.pk)
    services.quote_cancel(actor=personas.consultant_b, quote_id=quotes[2].pk, reason="客户再考虑")
    return quotes


def test_the_registry_answers_quotes_orders_and_the_rate(personas, clinic, month):
    today = timezone.localdate()
    first = today.replace(day=1)
    site = clinic.site.pk
    asked = {"period": "month", "start": first, "end": today}
    assert metric_values("clinic.quotes", grain="site", unit_ids=[site], **asked) == {
        (site, first): MetricValue(3)
    }
    assert metric_values("clinic.quote_orders", grain="site", unit_ids=[site], **asked)[
        (site, first)
    ] == MetricValue(2)
    rate = metric_values("clinic.quote_conversion", grain="staff", unit_ids=[clinic.consultant.pk], **asked)
    assert rate[(clinic.consultant.pk, first)] == MetricValue(2, 3)
    assert str(rate[(clinic.consultant.pk, first)].value) == "0.6667"
    daily = metric_values(
        "clinic.quote_conversion", grain="site", period="day", start=today, end=today, unit_ids=[site]
    )
    assert daily == {(site, today): MetricValue(2, 3)}
    # Another site's unit has nothing.
    assert metric_values("clinic.quotes", grain="site", unit_ids=[personas.site_a.pk], **asked)[
        (personas.site_a.pk, first)] == MetricValue(0)  # fmt: skip


def test_the_drill_down_lists_exactly_the_quotes_and_orders_counted(client, personas, clinic, month):
    first = timezone.localdate().replace(day=1)
    client.force_login(personas.ops_b)
    orders = client.get(
        get_metric("clinic.quote_orders").drill("site", clinic.site.pk, "month", first)
    ).content.decode()
    assert (
        len(re.findall(r'href="/clinic/quotes/\d+/"', orders)) == 2
        and "已成交" in orders
        and "已作废" not in orders
    )
    quotes = client.get(
        get_metric("clinic.quotes").drill("site", clinic.site.pk, "month", first)
    ).content.decode()
    assert len(re.findall(r'href="/clinic/quotes/\d+/"', quotes)) == 3 and "已作废" in quotes
    client.force_login(personas.ops_a)  # another site: nothing
    assert (
        "没有报价"
        in client.get(
            get_metric("clinic.quotes").drill("site", clinic.site.pk, "month", first)
        ).content.decode()
    )


def test_the_clinic_funnel_shows_the_rows_with_rates_and_links(client, personas, clinic, month):
    client.force_login(personas.ops_b)
    page = client.get(reverse("clinic:quote_funnel") + f"?site={clinic.site.pk}").content.decode()
    this = timezone.localdate().strftime("%Y-%m")
    row = page[page.index(f'<th scope="row">{this}</th>') :].split("</tr>")[0]
    values = re.findall(r">([^<>]+)</a>", row)
    assert values == ["4", "3", "75.0%", "2", "66.7%"]
    assert "报价 3 ÷ 上门 4" in row and "成交 2 ÷ 报价 3" in row and "status=accepted" in row
    assert "/pipeline/funnel/rows/" in row
