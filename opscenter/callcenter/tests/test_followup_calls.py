"""回访 calls complete the customer's pending pipeline follow-up (through the pipeline's service),
carry outcome and satisfaction, link both ways and stay idempotent on a re-sent call."""

import datetime as dt

import pytest

from opscenter.callcenter.models import Call, Disposition
from opscenter.callcenter.tests.conftest import record
from opscenter.core.exceptions import ValidationError
from opscenter.pipeline.choices import FollowUpOutcome
from opscenter.pipeline.models import Customer, FollowUp

DAY = dt.date(2026, 3, 10)
PHONE = "13811112222"


@pytest.fixture
def customer(cc):
    return Customer.objects.create(
        site=cc.site, name="王阿姨", phone=PHONE, cohort_month=202601, first_contact_on=dt.date(2026, 1, 5)
    )


def _followup(customer, scheduled_on: dt.date) -> FollowUp:
    return FollowUp.objects.create(
        site_id=customer.site_id,
        customer=customer,
        scheduled_on=scheduled_on,
        month=scheduled_on.year * 100 + scheduled_on.month,
    )


def _call(cc, tid: str, *, answered: bool = True, **extra) -> dict:
    arrived = cc.at(DAY, 10, 0)
    item = {
        "telephony_id": tid,
        "queue": "96180",
        "direction": "out",
        "caller_number": "138-1111-2222",
        "arrived_at": arrived,
        "disposition": "回访",
        "agent": cc.agent1.employee_no,
    }
    if answered:
        item.update(
            answered_at=arrived + dt.timedelta(seconds=8), ended_at=arrived + dt.timedelta(seconds=200)
        )
    else:
        item.update(ended_at=arrived + dt.timedelta(seconds=30))
    item.update(extra)
    return item


def test_an_answered_followup_call_completes_the_pending_followup_with_its_satisfaction(cc, customer):
    due = _followup(customer, DAY - dt.timedelta(days=2))
    later = _followup(customer, DAY + dt.timedelta(days=30))
    result = record(cc, [_call(cc, "F-1", satisfaction=4)])
    assert result["followups_completed"] == 1
    due.refresh_from_db()
    call = Call.objects.get(telephony_id="F-1")
    assert (due.done_on, due.outcome, due.satisfaction) == (DAY, FollowUpOutcome.REACHED, 4)
    assert due.done_via == "来电 F-1" and due.done_via_url == f"/callcenter/calls/{call.pk}/"
    assert call.customer_id == customer.pk and call.followup_id == due.pk
    later.refresh_from_db()
    assert later.done_on is None  # one call completes one follow-up


def test_a_followup_call_sent_again_completes_nothing_more(cc, customer):
    first = _followup(customer, DAY)
    second = _followup(customer, DAY + dt.timedelta(days=3))
    record(cc, [_call(cc, "F-1", satisfaction=5)])
    again = record(cc, [_call(cc, "F-1", satisfaction=5)])
    assert again["unchanged"] == 1 and again["followups_completed"] == 0
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.done_on == DAY and second.done_on is None
    with pytest.raises(ValidationError, match="已存在且内容不同"):
        record(cc, [_call(cc, "F-1", satisfaction=2)])  # a changed satisfaction is a conflict


def test_an_unanswered_followup_call_records_unreachable_and_an_agents_result_wins(cc, customer):
    a = _followup(customer, DAY)
    b = _followup(customer, DAY + dt.timedelta(days=1))
    record(cc, [_call(cc, "F-1", answered=False)])
    a.refresh_from_db()
    assert (a.outcome, a.satisfaction) == (FollowUpOutcome.UNREACHABLE, None)
    record(cc, [_call(cc, "F-2", followup_outcome="rebooked")])  # answered, no satisfaction needed
    b.refresh_from_db()
    assert b.outcome == FollowUpOutcome.REBOOKED and b.done_via == "来电 F-2"


def test_only_outbound_calls_of_a_followup_type_within_the_window_complete_followups(cc, customer):
    far = _followup(customer, DAY + dt.timedelta(days=8))  # beyond MATCH_DAYS_AHEAD
    record(cc, [_call(cc, "IN-1", direction="in", satisfaction=4)])
    record(cc, [_call(cc, "Q-1", disposition="咨询", satisfaction=4)])
    assert record(cc, [_call(cc, "F-1", satisfaction=4)])["followups_completed"] == 0
    far.refresh_from_db()
    assert far.done_on is None
    assert Call.objects.filter(followup_id__isnull=False).count() == 0


def test_the_followup_type_is_data_a_manager_can_switch_off(cc, customer):
    followup = _followup(customer, DAY)
    Disposition.objects.filter(site=cc.site, name="回访").update(completes_followup=False)
    record(cc, [_call(cc, "F-1", satisfaction=4)])
    followup.refresh_from_db()
    assert followup.done_on is None


def test_an_answered_followup_call_without_satisfaction_is_refused_naming_the_field(cc, customer):
    _followup(customer, DAY)
    with pytest.raises(ValidationError) as exc:
        record(cc, [_call(cc, "F-1")])
    assert exc.value.errors == [(0, "satisfaction", "回访来电已接通，须填写回访满意度（1–5 分）")]
    with pytest.raises(ValidationError, match="回访满意度应为 1–5 分"):
        record(cc, [_call(cc, "F-1", satisfaction=9)])
    assert not Call.objects.exists()


def test_the_import_completes_followups_once_however_often_the_file_is_imported(cc, customer):
    from opscenter.imports import services as import_services
    from opscenter.imports.engine import ImportOptions

    followup = _followup(customer, DAY)
    data = (
        "话单编号,队列,呼叫方向,主叫号码,进线时间,接听时间,结束时间,坐席工号,业务类型,回访结果,回访满意度\n"
        f"F-9,96180,外呼,13811112222,2026-03-10 10:00:00,2026-03-10 10:00:05,2026-03-10 10:03:00,"
        f"{cc.agent1.employee_no},回访,已回访,3\n"
    ).encode()
    for _round in range(2):
        job = import_services.import_job_create(
            actor=cc.manager, kind="calls", site_id=cc.site.pk, source=data, filename="外呼.csv",
            options=ImportOptions(),
        )  # fmt: skip
        import_services.import_job_commit(job=job, actor=cc.manager)
        job.refresh_from_db()
        assert job.status == "committed", job.message
    followup.refresh_from_db()
    assert (followup.outcome, followup.satisfaction, followup.done_via) == ("reached", 3, "来电 F-9")
    assert Call.objects.get().followup_id == followup.pk


def test_the_call_page_shows_the_followup_and_the_customer_timeline_links_the_call(cc, customer, client):
    followup = _followup(customer, DAY)
    record(cc, [_call(cc, "F-1", satisfaction=5)])
    call = Call.objects.get()
    client.force_login(cc.manager)
    page = client.get(f"/callcenter/calls/{call.pk}/").content.decode()
    assert f"/pipeline/customers/{customer.pk}/?tab=timeline" in page and "2026-03-10 的计划回访" in page
    timeline = client.get(f"/pipeline/customers/{customer.pk}/?tab=timeline").content.decode()
    assert f'href="/callcenter/calls/{call.pk}/"' in timeline and "完成依据：来电 F-1" in timeline
    assert FollowUp.objects.get(pk=followup.pk).outcome == "reached"
