"""Cadence arithmetic: pure, no database."""

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opscenter.core.businesstime import SHANGHAI, WorkCalendar
from opscenter.scheduler.cadence import Cadence


def local(*args):
    return dt.datetime(*args, tzinfo=SHANGHAI)


def test_daily_runs_later_today_or_tomorrow_at_the_local_time():
    cadence = Cadence.daily("02:00")
    assert cadence.next_after(local(2026, 12, 7, 1, 0)) == local(2026, 12, 7, 2, 0)
    assert cadence.next_after(local(2026, 12, 7, 2, 0)) == local(2026, 12, 8, 2, 0)


def test_interval_is_aligned_to_local_midnight_so_every_process_computes_the_same_tick():
    cadence = Cadence.every(minutes=15)
    assert cadence.next_after(local(2026, 12, 7, 10, 7, 13)) == local(2026, 12, 7, 10, 15)
    assert cadence.next_after(local(2026, 12, 7, 23, 59)) == local(2026, 12, 8, 0, 0)


def test_workdays_skip_the_national_day_holiday_and_run_on_the_adjusted_saturday():
    cadence = Cadence.workdays("09:00")
    calendar = WorkCalendar()
    # 2026-10-01..07 National Day holiday; 2026-10-10 (Saturday) is a 调休 working day.
    assert cadence.next_after(local(2026, 9, 30, 10, 0), calendar=calendar) == local(2026, 10, 8, 9, 0)
    assert cadence.next_after(local(2026, 10, 9, 10, 0), calendar=calendar) == local(2026, 10, 10, 9, 0)


def test_invalid_cadences_are_refused():
    with pytest.raises(ValueError):
        Cadence.every(minutes=0)
    with pytest.raises(ValueError):
        Cadence("daily")


@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    st.datetimes(min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2030, 1, 1)),
    st.integers(min_value=1, max_value=24 * 60),
)
def test_next_interval_tick_is_strictly_later_and_within_one_interval(moment, minutes):
    aware = moment.replace(tzinfo=SHANGHAI)
    due = Cadence.every(minutes=minutes).next_after(aware)
    assert aware < due <= aware + dt.timedelta(minutes=minutes)
