"""The /api/marketing/ endpoints: writes through services (same messages), scoped reads, ROI rows."""

from __future__ import annotations

import datetime as dt

from opscenter.core.models import ApiToken
from opscenter.marketing.models import CostLine

D = dt.date


def bearer(user) -> dict:
    raw = ApiToken.generate()
    ApiToken.objects.create(user=user, name="test", prefix=raw[:8], digest=ApiToken.hash(raw))
    return {"Authorization": f"Bearer {raw}"}


def post(client, url, payload, user):
    return client.post(url, payload, content_type="application/json", headers=bearer(user))


def test_campaign_costs_attribution_and_roi_over_the_api(client, personas, channels, customer_at_a, journey):
    actor = personas.marketing_a
    response = post(
        client,
        "/api/marketing/campaigns",
        {
            "site_id": personas.site_a.pk,
            "name": "竞价",
            "code": "sem-1",
            "kind": "paid_search",
            "channel_id": channels["online"].pk,
            "starts_on": "2026-03-01",
            "ends_on": "2026-03-31",
        },
        actor,
    )
    assert response.status_code == 201, response.content
    campaign_id = response.json()["id"]
    response = post(
        client,
        "/api/marketing/cost-lines",
        {
            "site_id": personas.site_a.pk,
            "item": "充值",
            "quantity": 2,
            "unit_price_fen": 100_000,
            "spent_on": "2026-03-02",
            "campaign_id": campaign_id,
        },
        actor,
    )
    assert response.status_code == 201 and response.json()["amount_fen"] == 200_000
    bad = post(
        client,
        "/api/marketing/cost-lines",
        {
            "site_id": personas.site_a.pk,
            "item": "充值",
            "quantity": 1,
            "unit_price_fen": 100,
            "spent_on": "2026-03-02",
        },
        actor,
    )
    assert bad.status_code == 422 and bad.json()["detail"] == "费用必须归属一个活动或一个渠道"
    customer = customer_at_a()
    consultation = journey.consult(customer, D(2026, 3, 5))
    journey.deal(customer, D(2026, 3, 9), 800_000)
    assert (
        post(
            client, f"/api/marketing/consultations/{consultation.pk}/attribute", {"code": "sem-1"}, actor
        ).status_code
        == 201
    )
    rows = client.get(
        "/api/marketing/roi",
        {"tab": "campaign", "month_from": "2026-03", "month_to": "2026-03"},
        headers=bearer(actor),
    ).json()
    first = next(r for r in rows if r["model"] == "first")
    assert (first["spend_fen"], first["deals"], first["cost_per_deal_fen"]) == (200_000, 1, 200_000)
    assert first["return_on_spend"] == "4.00"
    # Another site's user sees nothing of it.
    assert (
        client.get(f"/api/marketing/campaigns/{campaign_id}", headers=bearer(personas.ops_b)).status_code
        == 404
    )
    assert CostLine.objects.count() == 1
