"""Agent states and occupancy: exact seconds per interval, bad input named, idempotent feeds,
the import kind, the metric and the drill-down screen."""

import datetime as dt
from decimal import Decimal

import pytest

from opscenter.callcenter import agents
from opscenter.callcenter.models import AgentState, AgentStateSlot
from opscenter.core.exceptions import ValidationError

DAY = dt.date(2026, 3, 10)


def _state(cc, agent, state, start, end, **extra):
    return {"agent": agent.employee_no, "state": state, "started_at": start, "ended_at": end, **extra}


def _record(cc, items, **kwargs):
    return agents.agent_state_record_batch(actor=None, site_id=cc.site.pk, items=items, **kwargs)


def test_a_state_counts_in_each_slot_it_spans_with_the_seconds_inside(cc):
    start = cc.at(DAY, 23, 50)
    assert agents.split_slots(start, start + dt.timedelta(minutes=30)) == [
        (DAY, 95, 600),
        (DAY + dt.timedelta(days=1), 0, 900),
        (DAY + dt.timedelta(days=1), 1, 300),
    ]
    assert agents.split_slots(cc.at(DAY, 9, 0), cc.at(DAY, 9, 15)) == [(DAY, 36, 900)]


def test_occupancy_is_handle_over_available_plus_handle_and_ignores_breaks(cc):
    a = cc.agent1
    _record(
        cc,
        [
            _state(cc, a, "ready", cc.at(DAY, 9, 0), cc.at(DAY, 9, 10)),  # 600 s available
            _state(cc, a, "talk", cc.at(DAY, 9, 10), cc.at(DAY, 9, 25)),  # 900 s, spans 09:15
            _state(cc, a, "acw", cc.at(DAY, 9, 25), cc.at(DAY, 9, 30)),  # 300 s
            _state(cc, a, "break", cc.at(DAY, 9, 30), cc.at(DAY, 10, 0), reason="午休"),  # not counted
        ],
    )
    qs = agents.slot_queryset(site_ids=[cc.site.pk], start=DAY, end=DAY)
    half_hours = agents.by_interval(qs, minutes=30)
    assert half_hours[(18,)] == agents.Occupancy(ready=600, handle=1200, not_ready=0)
    assert half_hours[(18,)].occupancy == Decimal("0.6667")
    assert half_hours[(19,)].occupancy is None and half_hours[(19,)].logged_in == 1800
    quarter = agents.by_interval(qs, minutes=15)
    assert quarter[(36,)] == agents.Occupancy(ready=600, handle=300)  # talk 09:10–09:15
    assert quarter[(37,)] == agents.Occupancy(ready=0, handle=900)  # talk 09:15–09:25, acw to 09:30
    assert sum(s.seconds for s in AgentStateSlot.objects.all()) == 600 + 900 + 300 + 1800


def test_bad_states_are_refused_with_row_messages_and_nothing_is_written(cc):
    a = cc.agent1
    items = [
        _state(cc, a, "ready", cc.at(DAY, 9, 0), cc.at(DAY, 9, 10)),
        _state(cc, a, "talk", cc.at(DAY, 9, 5), cc.at(DAY, 9, 20)),  # overlaps row 1
        {"agent": "无此人", "state": "ready", "started_at": cc.at(DAY, 9, 0), "ended_at": cc.at(DAY, 9, 1)},
        _state(cc, cc.agent2, "lunch", cc.at(DAY, 9, 0), cc.at(DAY, 9, 1)),
        _state(cc, cc.agent2, "ready", cc.at(DAY, 10, 0), cc.at(DAY, 9, 0)),
    ]
    with pytest.raises(ValidationError) as exc:
        _record(cc, items)
    fields = [(i, f) for i, f, _m in exc.value.errors]
    assert fields == [(1, "started_at"), (2, "agent"), (3, "state"), (4, "ended_at")]
    assert "与第 1 条时间重叠" in exc.value.message
    assert not AgentState.objects.exists()


def test_a_state_sent_again_is_left_alone_and_a_changed_one_is_refused(cc):
    item = _state(cc, cc.agent1, "ready", cc.at(DAY, 9, 0), cc.at(DAY, 9, 10))
    assert _record(cc, [item]) == {"created": 1, "unchanged": 0}
    assert _record(cc, [item]) == {"created": 0, "unchanged": 1}
    assert AgentStateSlot.objects.count() == 1
    with pytest.raises(ValidationError, match="已有不同的状态记录"):
        _record(cc, [{**item, "state": "break"}])


def test_the_agent_states_import_reads_acd_exports_with_durations(cc):
    from opscenter.imports import services as import_services
    from opscenter.imports.engine import ImportOptions

    no = cc.agent1.employee_no
    data = (
        "Agent ID,State,Start Time,Duration,Reason Code\n"
        f"{no},Available,2026-03-10 09:00:00,600,\n"
        f"{no},通话,2026-03-10 09:10:00,00:15:00,\n"
        f"{no},示忙,2026-03-10 09:25:00,300,培训\n"
        f"{no},就绪,2026-03-10 09:27:00,60,\n"  # overlaps the row above
    ).encode()

    def run():
        job = import_services.import_job_create(
            actor=cc.manager, kind="agent_states", site_id=cc.site.pk, source=data, filename="acd.csv",
            options=ImportOptions(on_error="skip"),
        )  # fmt: skip
        import_services.import_job_commit(job=job, actor=cc.manager)
        job.refresh_from_db()
        return job

    job = run()
    assert job.status == "committed", job.message
    errors = list(job.row_errors.values_list("row_no", "column", "message"))
    assert errors == [(5, "Start Time", "与第 4 行的状态时间重叠")]
    states = list(AgentState.objects.order_by("started_at").values_list("state", "seconds", "reason"))
    assert states == [("ready", 600, ""), ("talk", 900, ""), ("break", 300, "培训")]
    run()  # the same file again creates nothing
    assert AgentState.objects.count() == 3


def test_occupancy_is_a_registered_metric_per_agent_and_site(cc):
    from opscenter.metrics import MetricQuery, get_metric

    a = cc.agent1
    _record(
        cc,
        [
            _state(cc, a, "ready", cc.at(DAY, 9, 0), cc.at(DAY, 9, 15)),
            _state(cc, a, "talk", cc.at(DAY, 9, 15), cc.at(DAY, 10, 0)),
        ],
    )
    metric = get_metric("callcenter.occupancy")
    staff = metric.values(
        MetricQuery(grain="staff", unit_ids=frozenset([a.pk]), period="month", start=DAY, end=DAY)
    )
    value = staff[(a.pk, DAY.replace(day=1))]
    assert (value.numerator, value.denominator) == (2700, 3600)
    site = metric.values(
        MetricQuery(grain="site", unit_ids=frozenset([cc.site.pk]), period="day", start=DAY, end=DAY)
    )
    assert site[(cc.site.pk, DAY)].numerator == 2700
    assert "/callcenter/agents/?agent=" in metric.drill("staff", a.pk, "day", DAY)


def test_the_occupancy_screen_drills_from_the_interval_to_its_states(
    cc, client, django_assert_max_num_queries
):
    a = cc.agent1
    _record(
        cc,
        [
            _state(cc, a, "ready", cc.at(DAY, 9, 0), cc.at(DAY, 9, 20)),
            _state(cc, a, "talk", cc.at(DAY, 9, 20), cc.at(DAY, 9, 40)),
            _state(cc, cc.agent2, "talk", cc.at(DAY, 14, 0), cc.at(DAY, 14, 30)),
        ],
    )
    client.force_login(cc.manager)
    url = f"/callcenter/agents/?from={DAY}&to={DAY}&agent={a.pk}"
    with django_assert_max_num_queries(16):
        page = client.get(url).content.decode()
    # 09:00–09:30: ready 1200 s, talk 600 s → 33.3 %; 09:30–10:00: talk 600 s → 100 %; in all 50 %
    assert "坐席甲" in page and "33.3%" in page and "100.0%" in page and "50.0%" in page
    detail = client.get(url + "&interval=19").content.decode()  # 09:30–10:00
    assert "跨越 09:30 时段的状态" in detail
    assert detail.count("<td>坐席甲</td>") == 1  # only the talk state reaches 09:30
