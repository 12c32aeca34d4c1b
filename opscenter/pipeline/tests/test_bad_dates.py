"""Dates at the ends of the calendar (year 1, year 9999) are refused with a 4xx naming the field,
never a server error, and never become a cohort month."""

from __future__ import annotations

import json

import pytest

from opscenter.pipeline import services
from opscenter.pipeline.models import Consultation, Customer
from opscenter.pipeline.tests.conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def prospect(personas, make_customer):
    c = make_customer(personas.ops_a, name="日期")
    services.consultation_record(
        actor=personas.ops_a, customer_id=c.pk, mode="phone", occurred_at=at(2025, 1, 5)
    )
    return c


def post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_edge_dates_in_writes_are_refused_naming_the_field(client, personas, prospect, day):
    client.force_login(personas.ops_a)
    cases = [
        (
            "/api/pipeline/consultations",
            {"customer_id": prospect.pk, "mode": "phone", "occurred_at": f"{day}T10:00:00+08:00"},
            "occurred_at",
        ),
        (
            "/api/pipeline/visits",
            {"customer_id": prospect.pk, "arrived_at": f"{day}T10:00:00+08:00"},
            "arrived_at",
        ),
        (
            "/api/pipeline/deals",
            {"customer_id": prospect.pk, "signed_on": day, "amount_fen": 100},
            "signed_on",
        ),
        ("/api/pipeline/followups", {"customer_id": prospect.pk, "scheduled_on": day}, "scheduled_on"),
        (
            "/api/pipeline/transactions",
            {
                "customer_id": prospect.pk,
                "occurred_on": day,
                "item": "x",
                "category": "skin",
                "amount_fen": 1,
            },
            "occurred_on",
        ),
        (
            "/api/pipeline/customers",
            {"site_id": personas.site_a.pk, "name": "甲", "phone": "13900001111", "birthday": day},
            "birthday",
        ),
    ]
    for url, body, field in cases:
        response = post(client, url, body)
        assert 400 <= response.status_code < 500, (url, response.status_code)
        assert field in json.dumps(response.json()), (url, response.json())
    assert set(Consultation.objects.values_list("cohort_month", flat=True)) == {202501}
    assert Customer.objects.filter(cohort_month__lt=190001).count() == 0


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_edge_dates_in_queries_are_a_4xx(client, personas, prospect, day):
    client.force_login(personas.ops_a)
    month = day[:7]
    for url in (
        f"/api/members/customers/{prospect.pk}/explanation?as_of={day}",
        f"/api/pipeline/funnel?month_from={month}&month_to={month}",
        f"/pipeline/funnel/?month_from={month}&month_to={month}",
        f"/pipeline/funnel/?period={day[:4]}",
        f"/api/pipeline/shares/source?month_from={month}",
    ):
        response = client.get(url)
        assert response.status_code < 500, (url, response.status_code)
