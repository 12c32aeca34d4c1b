"""POST /api/callcenter/calls (single and batch): idempotent, per-item errors, scoped, bounded."""

from opscenter.api.tests.test_org_api import bearer
from opscenter.callcenter.models import Call, Survey

CALL = {
    "telephony_id": "T-1",
    "queue": "96180",
    "caller_number": "13812345678",
    "arrived_at": "2026-03-02T09:00:00+08:00",
    "answered_at": "2026-03-02T09:00:20+08:00",
    "ended_at": "2026-03-02T09:03:20+08:00",
}


def _post(client, user, path, body):
    return client.post(f"/api/callcenter/{path}", body, content_type="application/json", headers=bearer(user))


def test_a_call_posted_twice_is_recorded_once(cc, client):
    body = {**CALL, "site_id": cc.site.pk, "agent": cc.agent1.employee_no, "source": "pbx"}
    first = _post(client, cc.manager, "calls", body)
    assert first.status_code == 200, first.content
    assert first.json()["created"] == 1
    second = _post(client, cc.manager, "calls", body)
    assert second.json() == {
        "created": 0,
        "updated": 0,
        "unchanged": 1,
        "ids": first.json()["ids"],
        "followups_completed": 0,
    }
    call = Call.objects.get()
    assert call.wait_seconds == 20 and call.talk_seconds == 180 and call.source == "pbx"


def test_a_waiting_call_is_completed_by_its_later_report_but_not_rewritten_after(cc, client):
    waiting = {
        "site_id": cc.site.pk,
        "telephony_id": "T-2",
        "queue": "96180",
        "arrived_at": CALL["arrived_at"],
    }
    assert _post(client, cc.manager, "calls", waiting).json()["created"] == 1
    done = {
        **waiting,
        "answered_at": CALL["answered_at"],
        "ended_at": CALL["ended_at"],
        "agent": cc.agent1.employee_no,
    }
    assert _post(client, cc.manager, "calls", done).json()["updated"] == 1
    changed = {**done, "ended_at": "2026-03-02T09:09:00+08:00"}
    refused = _post(client, cc.manager, "calls", changed)
    assert refused.status_code == 422
    assert refused.json()["errors"] == [
        {"index": 0, "field": "telephony_id", "message": "话单编号“T-2”已存在且内容不同"}
    ]


def test_a_batch_with_one_bad_item_writes_nothing_and_names_it(cc, client):
    items = [
        {**CALL, "agent": cc.agent1.employee_no},
        {
            **CALL,
            "telephony_id": "T-3",
            "answered_at": "2026-03-02T08:59:00+08:00",
            "agent": cc.agent1.employee_no,
        },
        {**CALL, "telephony_id": "T-4", "parent_telephony_id": "T-1", "agent": cc.agent2.employee_no},
    ]
    response = _post(client, cc.manager, "calls/batch", {"site_id": cc.site.pk, "items": items})
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"index": 1, "field": "answered_at", "message": "接听时间早于进线时间"}
    ]
    assert not Call.objects.exists()
    del items[1]
    ok = _post(client, cc.manager, "calls/batch", {"site_id": cc.site.pk, "items": items})
    assert ok.json()["created"] == 2
    assert Call.objects.get(telephony_id="T-4").parent.telephony_id == "T-1"


def test_batches_are_bounded_and_other_sites_refused(cc, client, personas):
    from opscenter.core.bounds import MAX_BATCH_ITEMS

    items = [{**CALL, "telephony_id": f"X{i}"} for i in range(MAX_BATCH_ITEMS + 1)]
    assert (
        _post(client, cc.manager, "calls/batch", {"site_id": cc.site.pk, "items": items}).status_code == 422
    )
    other = _post(client, personas.callcenter_a, "calls", {**CALL, "site_id": cc.site.pk})
    assert other.status_code == 403


def test_a_low_survey_score_opens_a_work_order(cc, client):
    from opscenter.commitments.models import WorkOrder

    ids = _post(
        client, cc.manager, "calls", {**CALL, "site_id": cc.site.pk, "agent": cc.agent1.employee_no}
    ).json()["ids"]
    response = _post(
        client,
        cc.manager,
        "surveys",
        {"site_id": cc.site.pk, "call_id": ids[0], "score": 1, "comment": "等太久"},
    )
    assert response.status_code == 201, response.content
    survey = Survey.objects.get()
    assert survey.agent_id == cc.agent1.pk
    order = WorkOrder.objects.get(pk=survey.work_order_id)
    assert order.source == "survey" and order.department_id == cc.department.pk
    good = _post(
        client,
        cc.manager,
        "calls",
        {**CALL, "telephony_id": "T-9", "site_id": cc.site.pk, "agent": cc.agent1.employee_no},
    )
    _post(
        client, cc.manager, "surveys", {"site_id": cc.site.pk, "call_id": good.json()["ids"][0], "score": 5}
    )
    assert WorkOrder.objects.count() == 1


def test_staffing_endpoint_answers_erlang_c(cc, client):
    response = client.get(
        "/api/callcenter/staffing?calls=100&aht_seconds=180&target_sl=0.8&target_seconds=20&shrinkage=0.3",
        headers=bearer(cc.manager),
    )
    assert response.json()["agents"] == 14 and response.json()["scheduled"] == 20


def test_test_calls_are_counted_per_month(cc):
    import datetime as dt

    from opscenter.callcenter import services

    for day, result in ((3, "passed"), (10, "failed"), (20, "passed")):
        services.test_call_record(
            actor=cc.manager, queue_id=cc.queue.pk, called_at=cc.at(dt.date(2026, 3, day), 10, 0),
            tester="第三方测评公司", result=result, wait_seconds=12,
        )  # fmt: skip
    services.test_call_record(
        actor=cc.manager,
        queue_id=cc.queue.pk,
        called_at=cc.at(dt.date(2026, 4, 1), 0, 30),
        tester="测评",
        result="unanswered",
    )
    months = services.test_calls_by_month(site_ids=[cc.site.pk], year=2026)
    assert [(m["month"], m["n"], m["passed"], m["failed"], m["unanswered"]) for m in months] == [
        ("2026-03", 3, 2, 1, 0),
        ("2026-04", 1, 0, 0, 1),  # 00:30 China time on April 1 is March 31 in UTC
    ]


def test_a_complaint_call_opens_a_complaint_once(cc):
    import pytest

    from opscenter.callcenter import services
    from opscenter.callcenter.models import Call
    from opscenter.commitments.models import Complaint
    from opscenter.core.exceptions import ValidationError

    item = {**CALL, "agent": cc.agent1.employee_no, "disposition": "投诉"}
    import datetime as dt

    from opscenter.callcenter.tests.conftest import record

    item = {**item, "arrived_at": cc.at(dt.date(2026, 3, 2), 9, 0), "answered_at": None, "ended_at": None}
    record(cc, [item])
    call = Call.objects.select_related("disposition").get()
    services.call_open_complaint(
        actor=cc.manager, call=call, department_id=cc.department.pk, content="等待太久"
    )
    complaint = Complaint.objects.get()
    assert complaint.customer_phone == "13812345678" and complaint.channel == "phone"
    call.refresh_from_db()
    with pytest.raises(ValidationError):
        services.call_open_complaint(
            actor=cc.manager, call=call, department_id=cc.department.pk, content="再次"
        )
