"""The clinic API: quote → accept → sessions; clear 422s; scoped like the UI."""

import datetime as dt

import pytest

from opscenter.clinic.models import Package
from opscenter.core.models import ApiToken

pytestmark = pytest.mark.django_db


def bearer(user) -> dict:
    raw = ApiToken.generate()
    ApiToken.objects.create(user=user, name="test", prefix=raw[:8], digest=ApiToken.hash(raw))
    return {"Authorization": f"Bearer {raw}"}


def test_quote_accept_and_sessions_through_the_api(client, personas, clinic, customer):
    c = customer()
    consultant, ops = bearer(personas.consultant_b), bearer(personas.ops_b)
    body = {"customer_id": c.pk, "quoted_on": "2026-03-10", "valid_until": "2026-03-31",
            "lines": [{"item": "皮肤疗程", "category": "skin_package", "center_id": clinic.skin.pk,
                       "list_price_fen": 600_000, "sessions": 2, "valid_days": 60, "doctor_id": clinic.doctor.pk}]}  # fmt: skip
    response = client.post("/api/clinic/quotes", body, content_type="application/json", headers=consultant)
    assert response.status_code == 201, response.content
    quote = response.json()
    assert (quote["total_fen"], quote["lines"][0]["rule"]) == (600_000, "原价")
    response = client.post(f"/api/clinic/quotes/{quote['id']}/accept", {"accepted_on": "2026-03-11"},
                           content_type="application/json", headers=consultant)  # fmt: skip
    deal_id = response.json()["deal_id"]
    assert response.json()["status"] == "accepted" and deal_id
    package = Package.objects.get(customer=c)
    for day in ("2026-03-12T10:00:00+08:00", "2026-03-20T10:00:00+08:00"):
        response = client.post(f"/api/clinic/packages/{package.pk}/sessions",
                               {"performed_by_id": clinic.doctor.pk, "used_at": day},
                               content_type="application/json", headers=ops)  # fmt: skip
        assert response.status_code == 201
    response = client.post(f"/api/clinic/packages/{package.pk}/sessions",
                           {"performed_by_id": clinic.doctor.pk, "used_at": "2026-03-21T10:00:00+08:00"},
                           content_type="application/json", headers=ops)  # fmt: skip
    assert response.status_code == 422 and "已无剩余次数" in response.json()["detail"]
    queue = client.get("/api/clinic/clinical/queue", headers=bearer(clinic.doctor_user)).json()
    assert [f["question"] for f in queue] == ["疗程结束回访：皮肤疗程（共 2 次）"]
    assert client.get(f"/api/clinic/quotes/{quote['id']}", headers=bearer(personas.ops_a)).status_code == 404
    points = client.get(f"/api/clinic/customers/{c.pk}/points", headers=ops).json()
    assert points == {"balance": 0, "history": []}  # no points rule at this site
    response = client.post(f"/api/clinic/customers/{c.pk}/points/redeem",
                           {"points": 10, "deal_id": deal_id, "on": str(dt.date(2026, 3, 22))},
                           content_type="application/json", headers=ops)  # fmt: skip
    assert response.status_code == 422 and "积分余额不足" in response.json()["detail"]
