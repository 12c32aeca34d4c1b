"""Exact metric arithmetic on a hand-built set of calls (issue 14 acceptance)."""

import datetime as dt
from decimal import Decimal

from opscenter.callcenter import stats
from opscenter.callcenter.tests.conftest import record

DAY = dt.date(2026, 3, 2)  # a Monday


def _answered(cc, tid, hh, mm, wait, talk=100, *, agent=None, **extra):
    arrived = cc.at(DAY, hh, mm)
    return {
        "telephony_id": tid,
        "queue": "96180",
        "arrived_at": arrived,
        "answered_at": arrived + dt.timedelta(seconds=wait),
        "ended_at": arrived + dt.timedelta(seconds=wait + talk),
        "agent": (agent or cc.agent1).employee_no,
        **extra,
    }


def _abandoned(cc, tid, hh, mm, wait):
    arrived = cc.at(DAY, hh, mm)
    return {
        "telephony_id": tid,
        "queue": "96180",
        "arrived_at": arrived,
        "ended_at": arrived + dt.timedelta(seconds=wait),
    }


def _hand_built(cc):
    return [
        _answered(
            cc, "a1", 9, 0, 20, talk_seconds=100, hold_seconds=10, wrap_seconds=30
        ),  # exactly at T: within
        _answered(cc, "a2", 9, 5, 21),  # one second over T
        _answered(cc, "a3", 9, 10, 0, fcr=True, agent=cc.agent2),
        _abandoned(cc, "s1", 9, 12, 4),  # just under the short-abandon threshold: short
        _abandoned(cc, "s2", 9, 13, 5),  # at the threshold: a real abandon
        # arrives 09:29:50, answered 09:30:15 and talks into the next interval: counts at 09:00
        {
            **_answered(cc, "x1", 9, 29, 25, talk=600, fcr=False),
            "arrived_at": cc.at(DAY, 9, 29, 50),
            "answered_at": cc.at(DAY, 9, 30, 15),
            "ended_at": cc.at(DAY, 9, 40, 15),
        },
        # transferred: the second leg (agent2) must not be offered again
        _answered(cc, "t1", 9, 40, 10, talk=60),
        {**_answered(cc, "t1-b", 9, 41, 3, talk=120, agent=cc.agent2), "parent_telephony_id": "t1"},
    ]


def test_hand_built_calls_give_exact_figures_per_interval(cc):
    record(cc, _hand_built(cc))
    profile = stats.interval_profile([cc.queue], DAY, DAY, minutes=30)
    nine, half_nine = profile[(18,)], profile[(19,)]
    assert nine.offered == 6  # a1 a2 a3 s1 s2 x1 (x1 arrived 09:29:50)
    assert nine.answered == 4
    assert nine.abandoned == 2 and nine.short_abandoned == 1
    assert nine.within_t == 2  # a1 at exactly 20 s, a3 at 0 s; a2 (21 s) and x1 (25 s) are not
    assert nine.service_level == Decimal("0.4")  # 2 ÷ (6 − 1)
    assert nine.abandon_rate == Decimal("0.2")  # (2 − 1) ÷ (6 − 1)
    assert nine.asa == Decimal("16.5")  # (20 + 21 + 0 + 25) ÷ 4
    assert nine.handle == (100 + 10 + 30) + 100 + 100 + 600
    assert nine.aht == Decimal("235")  # 940 ÷ 4 answered legs
    assert nine.fcr == Decimal("0.5")  # a3 yes, x1 no
    assert nine.queued == 5  # every first leg but a3 waited
    # the transfer: offered once, both legs handled
    assert half_nine.offered == 1 and half_nine.answered == 1
    assert half_nine.legs_answered == 2 and half_nine.handle == 60 + 120
    assert half_nine.within_t == 1 and half_nine.asa == Decimal("10")


def test_a_call_spanning_intervals_counts_where_it_arrived_at_every_width(cc):
    record(cc, _hand_built(cc))
    assert stats.interval_profile([cc.queue], DAY, DAY, minutes=15)[(37,)].offered == 1  # 09:15–09:30: x1
    assert (38,) in stats.interval_profile([cc.queue], DAY, DAY, minutes=15)  # 09:30–09:45: t1 only
    assert stats.interval_profile([cc.queue], DAY, DAY, minutes=15)[(38,)].offered == 1
    hour = stats.interval_profile([cc.queue], DAY, DAY, minutes=60)[(9,)]
    assert hour.offered == 7 and hour.legs_answered == 6


def test_changing_the_thresholds_changes_the_figures_without_touching_the_calls(cc):
    record(cc, _hand_built(cc))
    cc.queue.sl_seconds = 21
    cc.queue.short_abandon_seconds = 6
    cc.queue.save()
    nine = stats.interval_profile([cc.queue], DAY, DAY)[(18,)]
    assert nine.within_t == 3 and nine.short_abandoned == 2
    assert nine.service_level == Decimal("0.75")  # 3 ÷ (6 − 2)


def test_occupancy_divides_handle_time_by_active_agent_slots(cc):
    record(cc, _hand_built(cc))
    day = stats.totals([cc.queue], DAY, DAY)
    # 15-min slots with answered calls: 09:00 (agent1), 09:00 a3 (agent2) → 2; 09:15 x1 (agent1)
    # → 1; 09:30 t1 (agent1) → 1, but t1-b arrived 09:41 in the same slot (agent2) → 2. Total 5.
    assert day.agent_slots == 5
    assert day.occupancy == (Decimal(day.handle) / Decimal(5 * 900)).quantize(Decimal("0.0001"))


def test_agent_table_counts_each_leg_for_its_agent(cc):
    record(cc, _hand_built(cc))
    table = stats.agent_table([cc.queue], DAY, DAY)
    assert table[cc.agent1.pk].legs_answered == 4  # a1 a2 x1 t1
    assert table[cc.agent2.pk].legs_answered == 2  # a3 t1-b
    assert table[cc.agent2.pk].handle == 100 + 120
    assert table[cc.agent2.pk].offered == 1  # the transfer leg is not a first leg


def test_peak_interval_is_the_busiest(cc):
    record(cc, _hand_built(cc))
    profile = stats.interval_profile([cc.queue], DAY, DAY, minutes=30)
    assert stats.peak_interval(profile) == (18,)
    assert profile[(18,)].queue_rate == Decimal("0.8333")


def test_a_caller_still_waiting_is_offered_but_not_yet_in_service_level(cc):
    record(cc, [*_hand_built(cc), {"telephony_id": "w1", "queue": "96180", "arrived_at": cc.at(DAY, 9, 20)}])
    nine = stats.interval_profile([cc.queue], DAY, DAY)[(18,)]
    assert nine.offered == 7 and nine.waiting == 1
    assert nine.service_level == Decimal("0.4")  # unchanged: 2 ÷ (7 − 1 − 1)
