"""Documented maximums (core/bounds.py) at every door: the API schema, the service, the form, the
import value parser and the database; text inputs bounded by their columns, no NUL bytes; a PATCH
cannot null a required column; an oversized body is refused before any view reads it."""

from __future__ import annotations

import json

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from opscenter.core.bounds import MAX_AMOUNT_FEN, MAX_DEAL_LINES
from opscenter.core.exceptions import ValidationError
from opscenter.imports.values import parse_amount_fen
from opscenter.pipeline import services
from opscenter.pipeline.forms import YuanField
from opscenter.pipeline.models import Customer, Deal
from opscenter.pipeline.tests.conftest import at

pytestmark = pytest.mark.django_db
ABSURD = 4_611_686_018_427_387_904


@pytest.fixture
def prospect(personas, make_customer):
    c = make_customer(personas.ops_a, name="上限")
    services.consultation_record(
        actor=personas.ops_a, customer_id=c.pk, mode="phone", occurred_at=at(2025, 1, 5)
    )
    return c


def post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def test_an_absurd_deal_amount_is_refused_and_the_funnel_keeps_working(client, personas, prospect):
    client.force_login(personas.ops_a)
    today = timezone.localdate().isoformat()
    for body in (
        {"customer_id": prospect.pk, "signed_on": today, "amount_fen": ABSURD},
        {
            "customer_id": prospect.pk,
            "signed_on": today,
            "lines": [{"item": "x", "category": "skin", "amount_fen": ABSURD}],
        },
    ):
        response = post(client, "/api/pipeline/deals", body)
        assert response.status_code == 422
        assert "amount_fen" in json.dumps(response.json())
    assert not Deal.objects.exists()
    assert client.get("/api/pipeline/funnel").status_code == 200
    assert client.get("/pipeline/funnel/").status_code == 200


def test_the_sum_of_lines_is_bounded_too(personas, prospect):
    line = {"item": "项目", "category": "skin", "amount_fen": MAX_AMOUNT_FEN}
    with pytest.raises(ValidationError, match="明细合计金额不能超过"):
        services.deal_sign(
            actor=personas.ops_a, customer_id=prospect.pk, signed_on=timezone.localdate(), lines=[line, line]
        )


def test_a_deal_takes_at_most_the_documented_number_of_lines(client, personas, prospect):
    client.force_login(personas.ops_a)
    line = {"item": "项目", "category": "skin", "amount_fen": 100}
    body = {
        "customer_id": prospect.pk,
        "signed_on": timezone.localdate().isoformat(),
        "lines": [line] * (MAX_DEAL_LINES + 1),
    }
    response = post(client, "/api/pipeline/deals", body)
    assert response.status_code == 422 and "lines" in json.dumps(response.json())
    with pytest.raises(ValidationError, match=f"最多 {MAX_DEAL_LINES} 条明细"):
        services.deal_sign(
            actor=personas.ops_a,
            customer_id=prospect.pk,
            signed_on=timezone.localdate(),
            lines=[line] * (MAX_DEAL_LINES + 1),
        )


def test_the_database_refuses_a_signed_deal_above_the_limit(personas, prospect):
    with pytest.raises(IntegrityError), transaction.atomic():
        Deal.objects.create(
            site=prospect.site,
            customer=prospect,
            month=202501,
            cohort_month=202501,
            consultant=personas.ops_a.staff,
            signed_on=timezone.localdate(),
            amount_fen=MAX_AMOUNT_FEN + 1,
        )


def test_text_inputs_are_bounded_by_their_columns_and_refuse_nul_bytes(client, personas, prospect):
    client.force_login(personas.ops_a)
    today = timezone.localdate().isoformat()
    long_note = post(
        client,
        "/api/pipeline/followups",
        {"customer_id": prospect.pk, "scheduled_on": today, "note": "x" * 10_001},
    )
    assert long_note.status_code == 422 and "note" in json.dumps(long_note.json())
    visit_note = post(
        client,
        "/api/pipeline/visits",
        {"customer_id": prospect.pk, "arrived_at": timezone.now().isoformat(), "note": "长" * 301},
    )
    assert visit_note.status_code == 422
    nul = post(
        client,
        "/api/pipeline/customers",
        {"site_id": personas.site_a.pk, "name": "张\x00三", "phone": "13900009999"},
    )
    assert nul.status_code == 422 and "name" in json.dumps(nul.json())
    assert not Customer.objects.filter(phone="13900009999").exists()


def test_a_patch_cannot_null_a_required_column(client, personas, prospect):
    client.force_login(personas.ops_a)
    response = client.patch(
        f"/api/pipeline/customers/{prospect.pk}", json.dumps({"note": None}), content_type="application/json"
    )
    assert response.status_code == 422 and "note" in json.dumps(response.json(), ensure_ascii=False)
    ok = client.patch(
        f"/api/pipeline/customers/{prospect.pk}",
        json.dumps({"birthday": None}),
        content_type="application/json",
    )
    assert ok.status_code == 200


def test_an_oversized_request_body_is_refused(client, personas, prospect):
    client.force_login(personas.ops_a)
    body = {
        "customer_id": prospect.pk,
        "scheduled_on": timezone.localdate().isoformat(),
        "note": "x" * (3 * 1024 * 1024),
    }
    assert post(client, "/api/pipeline/followups", body).status_code == 400


def test_import_and_form_amounts_are_bounded():
    assert parse_amount_fen("99999999999999999999") == (
        None,
        "金额“99999999999999999999”超出上限 ¥100,000,000",
    )
    assert parse_amount_fen(10**18)[0] is None
    assert parse_amount_fen("100000000") == (MAX_AMOUNT_FEN, None)
    field = YuanField()
    with pytest.raises(Exception, match="金额不能超过"):
        field.clean("100000000.01")


def test_a_cancelled_absurd_deal_left_from_before_the_limit_breaks_no_page(client, personas, prospect):
    """The constraint lets a cancelled deal keep what was entered; the sums read signed deals only."""
    for _ in range(2):
        Deal.objects.create(
            site=prospect.site,
            customer=prospect,
            month=202501,
            cohort_month=202501,
            consultant=personas.ops_a.staff,
            signed_on=timezone.localdate(),
            amount_fen=ABSURD,
            status="cancelled",
        )
    client.force_login(personas.ops_a)
    for url in ("/api/pipeline/funnel", "/pipeline/funnel/", "/pipeline/funnel/data.json", "/targets/"):
        assert client.get(url).status_code == 200, url
