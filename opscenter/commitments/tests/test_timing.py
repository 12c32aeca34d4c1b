"""Exact stage status on business time (pure functions, no database)."""

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from opscenter.commitments import timing
from opscenter.commitments.choices import AllowanceKind, StageStatus
from opscenter.core.businesstime import SHANGHAI, WorkCalendar

CAL = WorkCalendar()
RULE_2H = timing.Rule(120, 80)


def at(y, m, d, h, mi=0):
    return dt.datetime(y, m, d, h, mi, tzinfo=SHANGHAI)


def test_due_moves_across_the_weekend_on_business_time():
    # Friday 16:30 + 2 business hours = Monday 09:30 (08:30–17:30 calendar).
    warn, due = timing.deadlines(at(2026, 11, 6, 16, 30), RULE_2H, CAL)
    assert due == at(2026, 11, 9, 9, 30)
    assert warn == at(2026, 11, 9, 9, 6)  # 96 minutes: 60 on Friday, 36 on Monday


def test_calendar_time_ignores_the_weekend():
    rule = timing.Rule(120, 80, AllowanceKind.CALENDAR)
    warn, due = timing.deadlines(at(2026, 11, 6, 16, 30), rule, CAL)
    assert due == at(2026, 11, 6, 18, 30)
    assert warn == at(2026, 11, 6, 18, 6)


def test_due_skips_national_day_2026_and_lands_on_the_adjusted_saturday():
    # Wednesday 30 Sept 17:00 + 1 business hour: 1–7 Oct are holidays, Thu 8 / Fri 9 are workdays;
    # with 2 full business days more it lands on Saturday 10 Oct, an adjusted workday (调休).
    rule = timing.Rule(60 + 2 * 9 * 60, 80)
    _warn, due = timing.deadlines(at(2026, 9, 30, 17, 0), rule, CAL)
    assert due == at(2026, 10, 10, 9, 0)


def test_an_admin_added_day_off_is_skipped():
    cal = WorkCalendar(overrides={dt.date(2026, 11, 9): False})  # Monday off
    _warn, due = timing.deadlines(at(2026, 11, 6, 16, 30), RULE_2H, cal)
    assert due == at(2026, 11, 10, 9, 30)


def test_status_at_the_warning_point_and_at_due():
    warn, due = timing.deadlines(at(2026, 11, 4, 9, 0), RULE_2H, CAL)
    assert warn == at(2026, 11, 4, 10, 36)
    assert timing.open_status(warn - dt.timedelta(seconds=1), warn, due) == StageStatus.OPEN
    assert timing.open_status(warn, warn, due) == StageStatus.WARNING
    assert timing.open_status(due, warn, due) == StageStatus.BREACHED


def test_closed_stage_over_the_weekend_counts_business_time_only():
    # Friday 16:30 → Monday 09:30 is exactly 2 business hours: on time; one minute more breaches.
    assert timing.closed_status(at(2026, 11, 6, 16, 30), at(2026, 11, 9, 9, 30), RULE_2H, CAL) == (
        StageStatus.ON_TIME,
        0,
    )
    assert timing.closed_status(at(2026, 11, 6, 16, 30), at(2026, 11, 9, 9, 31), RULE_2H, CAL) == (
        StageStatus.BREACHED,
        1,
    )
    calendar_rule = timing.Rule(120, 80, AllowanceKind.CALENDAR)
    status, over = timing.closed_status(at(2026, 11, 6, 16, 30), at(2026, 11, 9, 9, 30), calendar_rule, CAL)
    assert status == StageStatus.BREACHED and over == 65 * 60 - 120


@given(
    start=st.datetimes(min_value=dt.datetime(2026, 1, 1), max_value=dt.datetime(2026, 12, 20)),
    minutes=st.integers(min_value=1, max_value=5 * 9 * 60),
)
def test_a_stage_ending_exactly_at_due_is_on_time_and_later_is_breached(start, minutes):
    start = start.replace(tzinfo=SHANGHAI)
    rule = timing.Rule(minutes, 80)
    _warn, due = timing.deadlines(start, rule, CAL)
    assert timing.closed_status(start, due, rule, CAL)[0] == StageStatus.ON_TIME
    later = due + dt.timedelta(minutes=1)
    if CAL.is_workday(later.date()) and CAL.day_start <= later.time() <= CAL.day_end:
        assert timing.closed_status(start, later, rule, CAL)[0] == StageStatus.BREACHED


def test_hours_text():
    assert timing.hours_text(330) == "5.5"
    assert timing.hours_text(360) == "6"


@given(
    a=st.datetimes(min_value=dt.datetime(2026, 9, 20), max_value=dt.datetime(2026, 11, 20)),
    b=st.datetimes(min_value=dt.datetime(2026, 9, 20), max_value=dt.datetime(2026, 11, 20)),
)
def test_the_precomputed_clock_agrees_with_business_time_between_across_national_day(a, b):
    from opscenter.core.businesstime import BusinessClock, business_time_between

    a, b = a.replace(tzinfo=SHANGHAI), b.replace(tzinfo=SHANGHAI)
    # A span shorter than the moments' range: moments before or after it take the fallback path.
    clock = BusinessClock(CAL, dt.date(2026, 9, 25), dt.date(2026, 11, 10))
    expected = business_time_between(a, b, CAL).total_seconds() / 60
    assert abs((clock.minutes_at(b) - clock.minutes_at(a)) - expected) < 1e-6


def test_clock_overrun_equals_open_overrun_over_a_weekend():
    from opscenter.core.businesstime import BusinessClock

    clock = BusinessClock(CAL, dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    due, now = at(2026, 11, 6, 16, 30), at(2026, 11, 9, 10, 0)  # Fri 16:30 → Mon 10:00
    assert (
        timing.clock_overrun(now, due, RULE_2H, clock) == timing.open_overrun(now, due, RULE_2H, CAL) == 150
    )
    calendar_rule = timing.Rule(120, 80, AllowanceKind.CALENDAR)
    assert timing.clock_overrun(now, due, calendar_rule, clock) == 65 * 60 + 30
    assert timing.clock_overrun(due, now, RULE_2H, clock) == 0
