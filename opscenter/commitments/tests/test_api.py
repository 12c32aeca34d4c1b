"""The commitments API: scoped like the screens, bad input named, conflicts answered with 409."""

import pytest

from opscenter.api.tests.test_org_api import bearer
from opscenter.commitments.models import Measurement
from opscenter.commitments.tests.factories import delivery_tree
from opscenter.core.testing import make_department
from opscenter.org.models import Liaison

pytestmark = pytest.mark.django_db


def test_post_measurement_records_and_attributes(client, personas):
    delivery_tree(personas.site_a)
    body = {
        "site_id": personas.site_a.pk,
        "family": "delivery",
        "subject_ref": "SO-1",
        "events": {
            "order_placed": "2026-11-02T09:00:00+08:00",
            "order_entered": "2026-11-02T10:00:00+08:00",
            "shipped": "2026-11-03T10:00:00+08:00",
            "delivered": "2026-11-04T16:30:00+08:00",
        },
    }
    response = client.post(
        "/api/commitments/measurements", body, content_type="application/json", headers=bearer(personas.ops_a)
    )
    assert response.status_code == 201, response.content
    root = next(s for s in response.json()["stages"] if s["level"] == 1)
    assert root["status"] == "breached"
    assert root["attribution"].startswith("一级承诺超时 7.5 小时")


def test_post_measurement_with_end_before_start_is_422_naming_the_stage(client, personas):
    delivery_tree(personas.site_a)
    body = {
        "site_id": personas.site_a.pk,
        "family": "delivery",
        "subject_ref": "SO-2",
        "events": {"order_placed": "2026-11-02T10:00:00+08:00", "order_entered": "2026-11-02T09:00:00+08:00"},
    }
    response = client.post(
        "/api/commitments/measurements", body, content_type="application/json", headers=bearer(personas.ops_a)
    )
    assert response.status_code == 422
    assert "「录单」的结束时间" in response.json()["detail"]
    assert not Measurement.objects.exists()


def test_measurement_for_another_site_is_refused(client, personas):
    delivery_tree(personas.site_a)
    body = {
        "site_id": personas.site_a.pk,
        "family": "delivery",
        "subject_ref": "SO-3",
        "events": {"order_placed": "2026-11-02T10:00:00+08:00"},
    }
    response = client.post(
        "/api/commitments/measurements", body, content_type="application/json", headers=bearer(personas.ops_b)
    )
    assert response.status_code == 403


def test_work_order_transition_conflict_is_409(client, personas):
    nursing = make_department(personas.site_a, "nursing")
    Liaison.objects.create(department=nursing, staff=personas.nursing_a.staff)
    created = client.post(
        "/api/commitments/work-orders",
        {"department_id": nursing.pk, "title": "呼叫器故障"},
        content_type="application/json",
        headers=bearer(personas.ops_a),
    ).json()
    assert created["status"] == "dispatched"
    ok = client.post(
        f"/api/commitments/work-orders/{created['id']}/transition",
        {"to_status": "in_progress", "version": created["version"]},
        content_type="application/json",
        headers=bearer(personas.nursing_a),
    )
    assert ok.status_code == 200
    stale = client.post(
        f"/api/commitments/work-orders/{created['id']}/transition",
        {"to_status": "in_progress", "version": created["version"]},
        content_type="application/json",
        headers=bearer(personas.ops_a),
    )
    assert stale.status_code == 409
    listed = client.get("/api/commitments/work-orders?list=all", headers=bearer(personas.ops_b)).json()
    assert listed == []  # another site's work orders are not listed
