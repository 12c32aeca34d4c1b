"""The commitments API: scoped like the screens, bad input named, conflicts answered with 409."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from opscenter.api.tests.test_org_api import bearer
from opscenter.commitments.models import AnomalyRule, CommitmentTree, Measurement, ReviewMeeting
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


def _post(client, url, body, user):
    return client.post(url, body, content_type="application/json", headers=bearer(user))


TREE_BODY = {
    "family": "delivery",
    "name": "送货承诺",
    "root": {
        "name": "送货",
        "start_event": "order_placed",
        "end_event": "delivered",
        "allowance_minutes": 1080,
        "children": [
            {
                "name": "录单",
                "start_event": "order_placed",
                "end_event": "order_entered",
                "allowance_minutes": 120,
            },
            {
                "name": "送达温度",
                "start_event": "shipped",
                "end_event": "delivered",
                "allowance_kind": "value",
                "value_key": "temperature",
                "value_comparison": "at_most",
                "value_bound": "8",
                "value_unit": "℃",
            },
        ],
    },
}


def test_post_tree_creates_a_draft_with_nested_promises_and_activates_it(client, personas):
    body = {**TREE_BODY, "site_id": personas.site_a.pk}
    response = _post(client, "/api/commitments/trees", body, personas.ops_a)
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["status"] == "draft" and data["version"] == 1
    assert [(c["level"], c["name"]) for c in data["commitments"]] == [
        (1, "送货"),
        (2, "录单"),
        (2, "送达温度"),
    ]
    assert Decimal(data["commitments"][2]["value_bound"]) == 8
    response = _post(client, f"/api/commitments/trees/{data['id']}/activate", {}, personas.ops_a)
    assert response.status_code == 200 and response.json()["status"] == "active"
    again = _post(client, "/api/commitments/trees", body, personas.ops_a)
    assert again.json()["version"] == 2


def test_post_tree_is_scoped_and_bad_nodes_are_named(client, personas):
    body = {**TREE_BODY, "site_id": personas.site_a.pk}
    assert _post(client, "/api/commitments/trees", body, personas.ops_b).status_code == 403
    bad = {**body, "root": {**TREE_BODY["root"], "start_event": "nope"}}
    response = _post(client, "/api/commitments/trees", bad, personas.ops_a)
    assert response.status_code == 422 and "送货" in response.json()["detail"]
    assert not CommitmentTree.objects.exists()
    tree = delivery_tree(personas.site_a)
    assert client.get(f"/api/commitments/trees/{tree.pk}", headers=bearer(personas.ops_b)).status_code == 404


def test_post_anomaly_rule_validates_the_metric_and_the_site(client, personas):
    dept = make_department(personas.site_a, "marketing")
    body = {
        "site_id": personas.site_a.pk,
        "name": "投诉偏多",
        "metric": "commitments.complaints",
        "grain": "department",
        "period": "week",
        "comparison": "above",
        "bound": "3",
        "consecutive": 2,
        "department_id": dept.pk,
    }
    response = _post(client, "/api/commitments/anomaly-rules", body, personas.ops_a)
    assert response.status_code == 201, response.content
    assert AnomalyRule.objects.get().consecutive == 2
    unknown = _post(client, "/api/commitments/anomaly-rules", {**body, "metric": "no.such"}, personas.ops_a)
    assert unknown.status_code == 422 and "未知的指标" in unknown.json()["detail"]
    assert _post(client, "/api/commitments/anomaly-rules", body, personas.ops_b).status_code == 403
    listed = client.get("/api/commitments/anomaly-rules", headers=bearer(personas.ops_b)).json()
    assert listed == []


def _later() -> str:
    return (timezone.localdate() + dt.timedelta(days=14)).isoformat()


def test_post_meeting_generates_the_agenda_and_records_a_decision(client, personas):
    body = {"site_id": personas.site_a.pk, "kind": "weekly", "held_on": "2026-11-09", "title": "第45周会商"}
    response = _post(client, "/api/commitments/meetings", body, personas.ops_a)
    assert response.status_code == 201, response.content
    meeting = response.json()
    assert meeting["period_start"] == "2026-11-02" and meeting["period_end"] == "2026-11-08"
    decision = _post(
        client,
        f"/api/commitments/meetings/{meeting['id']}/decisions",
        {
            "text": "补齐回访",
            "owner_id": personas.consultant_a.staff.pk,
            "due_on": _later(),
            "open_work_order": True,
        },
        personas.ops_a,
    )
    assert decision.status_code == 201, decision.content
    assert decision.json()["work_order_id"] is not None
    assert ReviewMeeting.objects.get().decisions.count() == 1
    other = _post(
        client,
        f"/api/commitments/meetings/{meeting['id']}/decisions",
        {"text": "x", "owner_id": personas.consultant_a.staff.pk, "due_on": _later()},
        personas.ops_b,
    )
    assert other.status_code == 404
    assert _post(client, "/api/commitments/meetings", body, personas.ops_b).status_code == 403
