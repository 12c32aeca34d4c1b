import datetime as dt

import pytest

from opscenter.core.businesstime import WorkCalendar
from opscenter.core.exceptions import ValidationError
from opscenter.workday.choices import HolidayShift, ScheduleKind
from opscenter.workday.schedule import Schedule, nth_workday, occurrences, validate_schedule

CAL = WorkCalendar()
D = dt.date


def _due(schedule, start, end):
    return [(o.period, o.due_date, o.due_time) for o in occurrences(schedule, start, end, CAL)]


def test_daily_plan_is_due_at_nine_on_the_adjusted_saturday_2026_10_10():
    plan = Schedule(ScheduleKind.DAILY, dt.time(9, 0))
    assert _due(plan, D(2026, 10, 10), D(2026, 10, 10)) == [(D(2026, 10, 10), D(2026, 10, 10), dt.time(9, 0))]


def test_no_daily_item_is_due_during_national_day_2026_10_05():
    plan = Schedule(ScheduleKind.DAILY, dt.time(9, 0))
    assert _due(plan, D(2026, 10, 5), D(2026, 10, 5)) == []
    assert [o[1] for o in _due(plan, D(2026, 10, 1), D(2026, 10, 11))] == [
        D(2026, 10, 8),
        D(2026, 10, 9),
        D(2026, 10, 10),
    ]


def test_thursday_noon_item_on_holiday_thursday_moves_to_previous_workday():
    weekly = Schedule(ScheduleKind.WEEKLY, dt.time(12, 0), weekday=4, holiday_shift=HolidayShift.PREVIOUS)
    # Thursday 2026-10-01 is National Day: due Wednesday 2026-09-30 12:00, still that week's item.
    assert _due(weekly, D(2026, 9, 28), D(2026, 10, 4)) == [(D(2026, 9, 28), D(2026, 9, 30), dt.time(12, 0))]


def test_thursday_noon_item_on_holiday_thursday_moves_to_next_workday():
    weekly = Schedule(ScheduleKind.WEEKLY, dt.time(12, 0), weekday=4, holiday_shift=HolidayShift.NEXT)
    # Next workday after 2026-10-01 is Thursday 2026-10-08, which also holds that week's own item.
    assert _due(weekly, D(2026, 9, 28), D(2026, 10, 8)) == [
        (D(2026, 9, 28), D(2026, 10, 8), dt.time(12, 0)),
        (D(2026, 10, 5), D(2026, 10, 8), dt.time(12, 0)),
    ]


def test_thursday_item_on_holiday_is_dropped_when_template_says_skip():
    weekly = Schedule(ScheduleKind.WEEKLY, dt.time(12, 0), weekday=4, holiday_shift=HolidayShift.SKIP)
    assert _due(weekly, D(2026, 9, 28), D(2026, 10, 4)) == []
    assert _due(weekly, D(2026, 9, 21), D(2026, 9, 27)) == [(D(2026, 9, 21), D(2026, 9, 24), dt.time(12, 0))]


def test_saturday_item_moves_to_friday_but_stays_on_an_adjusted_saturday():
    weekly = Schedule(ScheduleKind.WEEKLY, dt.time(13, 30), weekday=6, holiday_shift=HolidayShift.PREVIOUS)
    assert [o[1] for o in _due(weekly, D(2026, 10, 5), D(2026, 10, 18))] == [D(2026, 10, 10), D(2026, 10, 16)]


def test_monthly_business_day_counts_working_days_only():
    assert nth_workday(D(2026, 10, 1), 1, CAL) == D(2026, 10, 8)
    assert nth_workday(D(2026, 10, 1), 3, CAL) == D(2026, 10, 10)
    monthly = Schedule(ScheduleKind.MONTHLY, dt.time(17, 0), business_day=1)
    assert _due(monthly, D(2026, 10, 1), D(2026, 10, 31)) == [
        (D(2026, 10, 1), D(2026, 10, 8), dt.time(17, 0))
    ]


def test_schedule_that_never_falls_on_a_workday_is_rejected():
    plain = WorkCalendar(use_statutory=False)
    sunday_skip = Schedule(ScheduleKind.WEEKLY, dt.time(9, 0), weekday=7, holiday_shift=HolidayShift.SKIP)
    with pytest.raises(ValidationError) as err:
        validate_schedule(sunday_skip, plain, today=D(2026, 12, 1))
    assert err.value.field == "schedule"
    with pytest.raises(ValidationError):
        validate_schedule(
            Schedule(ScheduleKind.MONTHLY, dt.time(9, 0), business_day=24), CAL, today=D(2026, 1, 1)
        )
    validate_schedule(
        Schedule(ScheduleKind.MONTHLY, dt.time(9, 0), business_day=20), CAL, today=D(2026, 1, 1)
    )
