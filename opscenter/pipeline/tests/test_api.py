"""The /api/pipeline/ endpoints: scoped reads, writes through services, the funnel as the dashboard."""

from __future__ import annotations

from opscenter.core.models import ApiToken
from opscenter.pipeline import selectors
from opscenter.pipeline.models import Customer
from opscenter.pipeline.tests.conftest import at
from opscenter.pipeline.tests.test_selectors import COHORT_TOTAL, world  # noqa: F401  (fixture)


def bearer(user) -> dict:
    raw = ApiToken.generate()
    ApiToken.objects.create(user=user, name="test", prefix=raw[:8], digest=ApiToken.hash(raw))
    return {"Authorization": f"Bearer {raw}"}


def test_consultant_registers_and_lists_only_their_customers(client, personas, channels):
    headers = bearer(personas.consultant_a)
    response = client.post(
        "/api/pipeline/customers",
        {
            "site_id": personas.site_a.pk,
            "name": "李四",
            "phone": "139-0000-1111",
            "channel_id": channels["referral"].pk,
        },
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["phone"], body["owner_name"], body["channel_kind"]) == ("13900001111", "咨询甲", "referral")
    listed = client.get("/api/pipeline/customers", headers=bearer(personas.consultant_a2)).json()
    assert listed == {"items": [], "count": 0}
    assert (
        client.get(f"/api/pipeline/customers/{body['id']}", headers=bearer(personas.consultant_b)).status_code
        == 404
    )


def test_duplicate_and_invalid_phone_are_422_with_a_clear_message(client, personas):
    headers = bearer(personas.consultant_a)
    payload = {"site_id": personas.site_a.pk, "name": "李四", "phone": "13900001111"}
    assert (
        client.post(
            "/api/pipeline/customers", payload, content_type="application/json", headers=headers
        ).status_code
        == 201
    )
    dup = client.post(
        "/api/pipeline/customers",
        payload,
        content_type="application/json",
        headers=bearer(personas.consultant_a2),
    )
    assert dup.status_code == 422 and "咨询甲" in dup.json()["detail"] and dup.json()["field"] == "phone"
    bad = client.post(
        "/api/pipeline/customers",
        {**payload, "phone": "12345"},
        content_type="application/json",
        headers=headers,
    )
    assert bad.status_code == 422 and "电话号码" in bad.json()["detail"]
    assert Customer.objects.count() == 1


def test_executive_cannot_write_through_the_api(client, personas):
    response = client.post(
        "/api/pipeline/customers",
        {"site_id": personas.site_a.pk, "name": "李四", "phone": "13900001111"},
        content_type="application/json",
        headers=bearer(personas.executive),
    )
    assert response.status_code == 403


def test_consultation_visit_deal_transaction_followup_round_trip(client, personas, channels):
    headers = bearer(personas.marketing_a)

    def post(url, data):
        response = client.post(url, data, content_type="application/json", headers=headers)
        assert response.status_code in (200, 201), response.content
        return response.json()

    customer = post(
        "/api/pipeline/customers", {"site_id": personas.site_a.pk, "name": "王五", "phone": "0574-87654321"}
    )
    post(
        "/api/pipeline/consultations",
        {"customer_id": customer["id"], "mode": "phone", "occurred_at": at(2026, 6, 1).isoformat()},
    )
    visit = post(
        "/api/pipeline/visits",
        {"customer_id": customer["id"], "arrived_at": at(2026, 6, 3).isoformat(), "kind": "tour"},
    )
    visit = post(
        f"/api/pipeline/visits/{visit['id']}/triage", {"consultant_id": personas.consultant_a.staff.pk}
    )
    assert visit["onsite_consultant_id"] == personas.consultant_a.staff.pk and visit["source"] == "phone"
    deal = post(
        "/api/pipeline/deals",
        {
            "customer_id": customer["id"],
            "signed_on": "2026-06-03",
            "stay_type": "trial",
            "lines": [{"item": "试住一个月", "category": "accommodation", "amount_fen": 680000}],
            "visit_id": visit["id"],
        },
    )
    assert deal["amount_fen"] == 680000 and deal["lines"][0]["item"] == "试住一个月"
    post(
        "/api/pipeline/transactions",
        {
            "customer_id": customer["id"],
            "occurred_on": "2026-06-03",
            "item": "床位费",
            "category": "accommodation",
            "amount_fen": 680000,
        },
    )
    follow = post("/api/pipeline/followups", {"customer_id": customer["id"], "scheduled_on": "2026-06-10"})
    done = post(
        f"/api/pipeline/followups/{follow['id']}/complete",
        {"done_on": "2026-06-10", "outcome": "reached", "satisfaction": 5},
    )
    assert done["satisfaction"] == 5
    for kind in ("consultations", "visits", "deals", "transactions", "followups"):
        listed = client.get(f"/api/pipeline/{kind}?customer_id={customer['id']}", headers=headers).json()
        assert listed["count"] == 1, kind
    early = client.post(
        "/api/pipeline/deals",
        {"customer_id": customer["id"], "signed_on": "2026-05-01", "amount_fen": 100},
        content_type="application/json",
        headers=headers,
    )
    assert early.status_code == 422 and early.json()["field"] == "signed_on"


def test_funnel_endpoint_returns_the_dashboard_numbers(client, personas, world):  # noqa: F811
    response = client.get(
        "/api/pipeline/funnel?view=cohort&month_from=2026-03&month_to=2026-04",
        headers=bearer(personas.executive),
    )
    assert response.status_code == 200
    body = response.json()
    filters = selectors.parse_funnel_filters(
        {"view": "cohort", "month_from": "2026-03", "month_to": "2026-04"}
    )
    assert body == selectors.funnel(user=personas.executive, filters=filters).as_dict()
    assert {k: body["total"][k] for k in COHORT_TOTAL} == COHORT_TOTAL
    assert body["total"]["phone_visit_rate"] == 0.3333 and body["total"]["revenue_per_customer_fen"] == 666667
    rows = client.get(
        "/api/pipeline/funnel/rows?metric=visits_walk_in&month_from=2026-03&month_to=2026-04",
        headers=bearer(personas.executive),
    ).json()
    assert rows["count"] == 1 and rows["items"][0]["customer_name"] == "C5"
    bad = client.get("/api/pipeline/funnel?period=2026Q9", headers=bearer(personas.executive))
    assert bad.status_code == 422
    shares = client.get("/api/pipeline/shares/source", headers=bearer(personas.executive)).json()
    assert shares[0] == {"key": "online", "label": "线上", "count": 3, "percent": 37.5}
