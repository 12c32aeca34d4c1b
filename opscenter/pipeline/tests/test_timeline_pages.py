"""A customer with thousands of events: the page shows the newest TIMELINE_PAGE entries and loads
the rest on demand (htmx), pages in the same order as the whole timeline, no entry twice."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from opscenter.pipeline import screens, selectors, services
from opscenter.pipeline.models import Consultation
from opscenter.pipeline.screens.timeline import TIMELINE_PAGE
from opscenter.pipeline.tests.conftest import at

pytestmark = pytest.mark.django_db
MANY = 2 * TIMELINE_PAGE + 17


@pytest.fixture
def busy(personas, make_customer):
    c = make_customer(personas.ops_a, name="常客")
    first = services.consultation_record(
        actor=personas.ops_a, customer_id=c.pk, mode="phone", occurred_at=at(2024, 1, 1)
    )
    rows = [
        Consultation(
            **{
                f.attname: getattr(first, f.attname)
                for f in Consultation._meta.concrete_fields
                if not f.primary_key
            },
        )
        for _ in range(MANY - 1)
    ]
    for n, row in enumerate(rows):
        row.occurred_at = at(2024, 1, 2) + dt.timedelta(hours=n)
        row.is_first = False
        row.content = f"第{n}次"
    Consultation.objects.bulk_create(rows)
    services.followup_schedule(actor=personas.ops_a, customer_id=c.pk, scheduled_on=dt.date(2024, 3, 1))
    return c


def test_the_timeline_pages_in_the_whole_timelines_order(personas, busy):
    customer = selectors.customer_get(user=personas.ops_a, customer_id=busy.pk)
    whole = screens.customer_timeline(user=personas.ops_a, customer=customer)
    pages, n = [], 1
    while True:
        page = screens.customer_timeline(user=personas.ops_a, customer=customer, page=n)
        pages.extend(page.entries)
        if not page.has_more:
            break
        n += 1
    assert n == 3 and len(whole) == MANY + 1  # + the follow-up
    assert [(e.kind, e.obj.pk) for e in pages] == [(e.kind, e.obj.pk) for e in whole]


def test_the_customer_page_renders_one_page_and_loads_more_on_demand(
    client, personas, busy, django_assert_max_num_queries
):
    client.force_login(personas.ops_a)
    url = reverse("pipeline:customer_detail", args=[busy.pk])
    with django_assert_max_num_queries(30):
        page = client.get(url).content.decode()
    assert page.count('class="timeline-item ') == TIMELINE_PAGE
    assert "加载更早的记录" in page and "page=2" in page
    more = client.get(url, {"tab": "timeline", "page": 2}, HTTP_HX_REQUEST="true").content.decode()
    assert more.count('class="timeline-item ') == TIMELINE_PAGE and "<html" not in more
    last = client.get(url, {"tab": "timeline", "page": 3}, HTTP_HX_REQUEST="true").content.decode()
    assert last.count('class="timeline-item ') == MANY + 1 - 2 * TIMELINE_PAGE
    assert "加载更早的记录" not in last
