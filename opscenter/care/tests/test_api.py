"""Care API: admit, incident with its work order, rates; scoping and bad input."""

from __future__ import annotations

import pytest

from opscenter.care.models import Residency

from .conftest import MORSE_HIGH, answers

pytestmark = pytest.mark.django_db


def test_admit_assess_record_incident_and_read_rates(client, care, signed):
    deal = signed()
    client.force_login(care.personas.ops_a)
    bed = care.beds["assisted"][0]
    r = client.post(
        "/api/care/residents",
        {"deal_id": deal.pk, "bed_id": bed.pk, "started_on": "2026-03-01"},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    residency_id = r.json()["id"]
    beds = {b["id"]: b["occupied"] for b in client.get(f"/api/care/beds?site_id={care.site.pk}").json()}
    assert beds[bed.pk] is True
    client.force_login(care.personas.nursing_a)
    risk = client.post(
        "/api/care/risk-assessments",
        {"residency_id": residency_id, "kind": "fall", "answers": MORSE_HIGH, "assessed_on": "2026-03-02"},
        content_type="application/json",
    )
    assert risk.json()["level"] == "high"
    incident = client.post(
        "/api/care/incidents",
        {
            "residency_id": residency_id,
            "kind": "fall",
            "occurred_at": "2026-03-10T08:00:00+08:00",
            "place": "房间",
            "severity": "minor",
            "immediate_action": "扶起",
        },
        content_type="application/json",
    )
    assert incident.status_code == 201
    assert incident.json()["risk_assessment_id"] == risk.json()["id"] and incident.json()["work_order_id"]
    rates = client.get(
        f"/api/care/incident-rates?site_id={care.site.pk}&first=2026-03-01&last=2026-03-31"
    ).json()
    assisted = next(x for x in rates if x["zone_id"] == care.zones["assisted"].pk)
    assert (assisted["resident_days"], assisted["incidents"], assisted["rate_per_1000"]) == (31, 1, "32.26")


def test_bad_input_is_a_422_naming_the_field(client, care, signed):
    client.force_login(care.personas.ops_a)
    bed = care.beds["assisted"][0]
    client.post(
        "/api/care/residents",
        {"deal_id": signed("甲").pk, "bed_id": bed.pk, "started_on": "2026-03-01"},
        content_type="application/json",
    )
    r = client.post(
        "/api/care/residents",
        {"deal_id": signed("乙").pk, "bed_id": bed.pk, "started_on": "2026-03-05"},
        content_type="application/json",
    )
    assert r.status_code == 422 and r.json()["field"] == "bed_id"
    assert Residency.objects.count() == 1


def test_admission_views_via_api_reject_out_of_range(client, care, signed):
    from opscenter.care.models import MaterialItem

    p = care.personas
    client.force_login(p.marketing_a)
    r = client.post(
        "/api/care/admissions",
        {
            "customer_id": signed().customer_id,
            "panel_ids": [p.marketing_a.staff.pk, p.nursing_a.staff.pk],
            "arbiter_id": p.ops_a.staff.pk,
            "material_ids": list(MaterialItem.objects.values_list("pk", flat=True)),
        },
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    bad = answers()
    bad["barthel"]["feeding"] = 7
    v = client.post(
        f"/api/care/admissions/{r.json()['id']}/views", {"answers": bad}, content_type="application/json"
    )
    assert v.status_code == 422 and v.json()["field"] == "barthel.feeding"


def test_other_site_sees_nothing(client, care, signed):
    client.force_login(care.personas.ops_b)
    assert client.get(f"/api/care/residents?site_id={care.site.pk}").status_code == 404
    client.force_login(care.personas.consultant_a)
    assert client.get(f"/api/care/incidents?site_id={care.site.pk}").status_code == 403
