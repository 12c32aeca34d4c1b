"""Business-time arithmetic, without a database.

2026 statutory data (chinese-calendar 1.11) the exact cases rely on:
- Mid-Autumn: Fri 09-25 … Sun 09-27 off.
- National Day: Thu 10-01 … Wed 10-07 off; adjusted workdays Sun 09-20 and Sat 10-10.
Default calendar: 08:30–17:30 (9 h a day), Monday–Friday, statutory holidays on.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opscenter.core.businesstime import (
    DEFAULT_CALENDAR,
    BusinessTimeError,
    WorkCalendar,
    add_business_time,
    business_time_between,
    is_business_moment,
    roll_forward,
    statutory_workday,
)

CST = ZoneInfo("Asia/Shanghai")
H = dt.timedelta(hours=1)


def at(text: str) -> dt.datetime:
    """A Shanghai wall-clock moment from 'YYYY-MM-DD HH:MM'."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=CST)


def add(start: str, hours: float, calendar: WorkCalendar = DEFAULT_CALENDAR) -> dt.datetime:
    return add_business_time(at(start), H * hours, calendar)


# --- the statutory calendar as the library has it ---------------------------------------------


def test_statutory_data_for_national_day_2026_is_what_the_cases_assume():
    assert statutory_workday(dt.date(2026, 9, 20)) is True  # Sunday, adjusted workday
    assert statutory_workday(dt.date(2026, 10, 10)) is True  # Saturday, adjusted workday
    assert all(statutory_workday(dt.date(2026, 10, day)) is False for day in range(1, 8))
    assert statutory_workday(dt.date(2026, 10, 8)) is None  # ordinary Thursday
    assert statutory_workday(dt.date(2026, 10, 11)) is None  # ordinary Sunday


def test_years_the_library_does_not_cover_fall_back_to_weekday_rules():
    assert statutory_workday(dt.date(2100, 12, 31)) is None
    assert DEFAULT_CALENDAR.is_workday(dt.date(2100, 12, 31))  # Friday
    assert not DEFAULT_CALENDAR.is_workday(dt.date(2101, 1, 1))  # Saturday


# --- exact due moments --------------------------------------------------------------------------


def test_due_moment_skips_a_weekend():
    # Fri 09-04 16:00–17:30 = 1.5 h; Sat/Sun off; Mon 09-07 08:30 + 1.5 h = 10:00.
    assert add("2026-09-04 16:00", 3) == at("2026-09-07 10:00")


def test_due_moment_across_national_day_2026():
    # Wed 09-30 16:00–17:30 = 1.5 h (8.5 h left); Thu 10-01 … Wed 10-07 statutory holidays;
    # Thu 10-08 08:30 + 8.5 h = 17:00, still within the day (9 h available).
    assert add("2026-09-30 16:00", 10) == at("2026-10-08 17:00")


def test_due_moment_lands_on_the_adjusted_saturday_after_national_day():
    # Wed 09-30: 1.5 h; Thu 10-08: 9 h (10.5 h); Fri 10-09: 9 h (19.5 h, 0.5 h left);
    # Sat 10-10 is an adjusted workday (调休): 08:30 + 0.5 h = 09:00.
    assert add("2026-09-30 16:00", 20) == at("2026-10-10 09:00")


def test_adjusted_sunday_before_national_day_is_a_workday():
    # Fri 09-18 17:00–17:30 = 0.5 h; Sat 09-19 off; Sun 09-20 adjusted workday: 08:30 + 0.5 h.
    assert add("2026-09-18 17:00", 1) == at("2026-09-20 09:00")


def test_mid_autumn_2026_is_skipped():
    # Thu 09-24 17:00–17:30 = 0.5 h; Fri 09-25 … Sun 09-27 off; Mon 09-28 08:30 + 0.5 h.
    assert add("2026-09-24 17:00", 1) == at("2026-09-28 09:00")


def test_an_admin_day_off_pushes_the_due_moment_a_day():
    # As the weekend case, but Mon 09-07 is a local day off: Tue 09-08 08:30 + 1.5 h = 10:00.
    calendar = WorkCalendar(overrides={dt.date(2026, 9, 7): False})
    assert add("2026-09-04 16:00", 3, calendar) == at("2026-09-08 10:00")


def test_an_admin_override_beats_the_statutory_calendar():
    # Thu 10-08 off by override: Wed 09-30 1.5 h, Fri 10-09 08:30 + 8.5 h = 17:00.
    calendar = WorkCalendar(overrides={dt.date(2026, 10, 8): False})
    assert add("2026-09-30 16:00", 10, calendar) == at("2026-10-09 17:00")
    # A statutory holiday made a workday (a site open on National Day).
    open_on_holiday = WorkCalendar(overrides={dt.date(2026, 10, 1): True})
    assert add("2026-09-30 16:00", 10, open_on_holiday) == at("2026-10-01 17:00")


def test_an_admin_working_saturday_is_used():
    calendar = WorkCalendar(overrides={dt.date(2026, 9, 5): True})
    assert add("2026-09-04 16:00", 3, calendar) == at("2026-09-05 10:00")


def test_an_uncovered_year_uses_weekdays_and_admin_overrides():
    # 2100 is beyond the library: Thu 12-30 17:00 (0.5 h) → Fri 12-31 08:30 + 0.5 h.
    assert add("2100-12-30 17:00", 1) == at("2100-12-31 09:00")
    # An admin-entered holiday on Fri 12-31: the next workday is Mon 2101-01-03.
    calendar = WorkCalendar(overrides={dt.date(2100, 12, 31): False})
    assert add("2100-12-30 17:00", 1, calendar) == at("2101-01-03 09:00")


def test_start_before_opening_rolls_forward_to_opening():
    assert add("2026-09-07 07:00", 1) == at("2026-09-07 09:30")


def test_start_after_closing_rolls_forward_to_next_opening():
    assert add("2026-09-07 18:00", 1) == at("2026-09-08 09:30")


def test_start_on_a_holiday_rolls_forward_past_the_holiday():
    assert add("2026-10-03 10:00", 1) == at("2026-10-08 09:30")


def test_duration_ending_exactly_at_closing_returns_closing_not_next_opening():
    assert add("2026-09-07 16:30", 1) == at("2026-09-07 17:30")
    assert add("2026-09-07 08:30", 9) == at("2026-09-07 17:30")
    # Friday's closing stays Friday's closing, not Monday's opening.
    assert add("2026-09-04 08:30", 9) == at("2026-09-04 17:30")


def test_zero_duration_returns_the_rolled_forward_start():
    assert add("2026-09-07 10:15", 0) == at("2026-09-07 10:15")
    assert add("2026-09-07 17:30", 0) == at("2026-09-07 17:30")  # closing is inside business hours
    assert add("2026-09-05 10:00", 0) == at("2026-09-07 08:30")  # Saturday → Monday opening
    assert add("2026-09-07 17:31", 0) == at("2026-09-08 08:30")


def test_a_start_in_another_time_zone_is_read_as_shanghai_wall_clock():
    start = dt.datetime(2026, 9, 30, 8, 0, tzinfo=dt.UTC)  # 16:00 in Shanghai
    due = add_business_time(start, 10 * H, DEFAULT_CALENDAR)
    assert due == at("2026-10-08 17:00")
    assert due.tzinfo == CST


def test_custom_hours_and_a_six_day_week_still_honour_statutory_holidays():
    calendar = WorkCalendar(day_start=dt.time(9), day_end=dt.time(18), workdays=frozenset(range(1, 7)))
    # Fri 10-09 17:00–18:00 = 1 h; Sat 10-10 adjusted workday 09:00 + 9 h = 18:00 (10 h used);
    # Sun 10-11 off; Mon 10-12 09:00 + 1 h.
    assert add("2026-10-09 17:00", 11, calendar) == at("2026-10-12 10:00")
    # Sat 10-03 is a statutory holiday even for a six-day week.
    assert not calendar.is_workday(dt.date(2026, 10, 3))
    assert calendar.is_workday(dt.date(2026, 9, 12))  # ordinary Saturday


def test_statutory_holidays_can_be_switched_off():
    calendar = WorkCalendar(use_statutory=False)
    # 10-01 (Thu) is then an ordinary workday; Sat 10-10 an ordinary Saturday.
    assert add("2026-09-30 16:00", 10, calendar) == at("2026-10-01 17:00")
    assert not calendar.is_workday(dt.date(2026, 10, 10))


def test_business_days_are_measured_in_the_calendars_day_length():
    assert DEFAULT_CALENDAR.day_length == 9 * H
    assert DEFAULT_CALENDAR.business_days(2) == 18 * H
    # 2 business days from Wed 09-30 16:00 = 18 h: 1.5 + 9 (10-08) + 7.5 (10-09) → 16:00.
    assert add_business_time(
        at("2026-09-30 16:00"), DEFAULT_CALENDAR.business_days(2), DEFAULT_CALENDAR
    ) == at("2026-10-09 16:00")


def test_long_durations_are_computed_day_by_day_not_minute_by_minute():
    start = at("2026-01-05 08:30")
    due = add_business_time(start, 2000 * DEFAULT_CALENDAR.day_length, DEFAULT_CALENDAR)
    assert due.year == 2033 and due.time() == dt.time(17, 30)
    assert business_time_between(start, due, DEFAULT_CALENDAR) == 2000 * DEFAULT_CALENDAR.day_length


# --- between ------------------------------------------------------------------------------------


def test_between_counts_only_business_hours_across_national_day():
    assert business_time_between(at("2026-09-30 16:00"), at("2026-10-08 17:00"), DEFAULT_CALENDAR) == 10 * H


def test_between_is_signed():
    assert business_time_between(at("2026-10-08 17:00"), at("2026-09-30 16:00"), DEFAULT_CALENDAR) == -10 * H


def test_between_two_off_hours_moments_is_zero():
    assert business_time_between(
        at("2026-09-04 18:00"), at("2026-09-07 08:00"), DEFAULT_CALENDAR
    ) == dt.timedelta(0)
    assert business_time_between(
        at("2026-10-02 09:00"), at("2026-10-07 17:00"), DEFAULT_CALENDAR
    ) == dt.timedelta(0)


def test_between_is_the_inverse_of_add_for_the_exact_cases():
    for start, hours in [("2026-09-30 16:00", 10), ("2026-09-30 16:00", 20), ("2026-10-03 10:00", 1)]:
        due = add(start, hours)
        assert business_time_between(at(start), due, DEFAULT_CALENDAR) == H * hours


# --- errors -------------------------------------------------------------------------------------


def test_naive_datetimes_are_refused_with_a_clear_error():
    naive = dt.datetime(2026, 9, 30, 16, 0)
    with pytest.raises(BusinessTimeError, match="时区") as info:
        add_business_time(naive, H, DEFAULT_CALENDAR)
    assert "timezone-aware" in info.value.log_message
    assert isinstance(info.value, ValueError)
    with pytest.raises(BusinessTimeError):
        business_time_between(at("2026-09-30 16:00"), naive, DEFAULT_CALENDAR)


def test_negative_durations_are_refused():
    with pytest.raises(BusinessTimeError, match="负数"):
        add_business_time(at("2026-09-30 16:00"), -H, DEFAULT_CALENDAR)


def test_a_calendar_without_any_workday_raises_instead_of_looping():
    calendar = WorkCalendar(workdays=frozenset(), use_statutory=False)
    with pytest.raises(BusinessTimeError, match="366 天内没有工作日") as info:
        add_business_time(at("2026-09-30 16:00"), H, calendar)
    assert "no workday within 366 days" in info.value.log_message


def test_a_calendar_must_close_after_it_opens():
    with pytest.raises(BusinessTimeError, match="下班时间必须晚于上班时间"):
        WorkCalendar(day_start=dt.time(17, 30), day_end=dt.time(8, 30))
    with pytest.raises(BusinessTimeError):
        WorkCalendar(workdays=frozenset({0, 8}))


def test_work_calendar_is_an_immutable_value():
    calendar = WorkCalendar(overrides={dt.date(2026, 9, 7): False})
    assert calendar == WorkCalendar(overrides={dt.date(2026, 9, 7): False})
    assert hash(calendar) == hash(WorkCalendar(overrides={dt.date(2026, 9, 7): False}))
    with pytest.raises(TypeError):
        calendar.overrides[dt.date(2026, 9, 8)] = False


# --- properties ---------------------------------------------------------------------------------

PROPERTY_SETTINGS = settings(max_examples=200, deadline=None)

starts = st.datetimes(
    min_value=dt.datetime(2025, 12, 1), max_value=dt.datetime(2027, 2, 1), timezones=st.just(CST)
)
durations = st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(hours=400))


@st.composite
def calendars(draw) -> WorkCalendar:
    """Default-like calendars with varied hours, weeks, statutory flag and overrides."""
    # At least 4 h a day, so 400 h of business time stays within a couple of years.
    opening = draw(st.times(min_value=dt.time(0), max_value=dt.time(10)))
    closing = draw(st.times(min_value=dt.time(14), max_value=dt.time(23, 59, 59, 999999)))
    workdays = draw(st.frozensets(st.integers(1, 7), min_size=1))
    override_days = st.dates(min_value=dt.date(2025, 12, 1), max_value=dt.date(2027, 3, 1))
    overrides = draw(st.dictionaries(override_days, st.booleans(), max_size=20))
    return WorkCalendar(
        day_start=opening,
        day_end=closing,
        workdays=workdays,
        use_statutory=draw(st.booleans()),
        overrides=overrides,
    )


any_calendar = st.one_of(st.just(DEFAULT_CALENDAR), calendars())


@PROPERTY_SETTINGS
@given(start=starts, a=durations, b=durations, calendar=any_calendar)
def test_add_is_monotonic_in_duration(start, a, b, calendar):
    shorter, longer = sorted((a, b))
    assert add_business_time(start, shorter, calendar) <= add_business_time(start, longer, calendar)


@PROPERTY_SETTINGS
@given(start=starts, a=durations, b=durations, calendar=any_calendar)
def test_add_is_additive(start, a, b, calendar):
    # Holds for every start, not only rolled-forward ones: closing time counts as inside hours.
    assert add_business_time(add_business_time(start, a, calendar), b, calendar) == add_business_time(
        start, a + b, calendar
    )


@PROPERTY_SETTINGS
@given(start=starts, duration=durations, calendar=any_calendar)
def test_add_never_lands_outside_business_hours(start, duration, calendar):
    due = add_business_time(start, duration, calendar)
    local = due.astimezone(calendar.tz)
    assert calendar.is_workday(local.date())
    assert calendar.day_start <= local.time() <= calendar.day_end
    assert is_business_moment(due, calendar)
    assert due >= start


@PROPERTY_SETTINGS
@given(start=starts, duration=durations, calendar=any_calendar)
def test_between_inverts_add(start, duration, calendar):
    assert business_time_between(start, add_business_time(start, duration, calendar), calendar) == duration


@PROPERTY_SETTINGS
@given(a=starts, b=starts, calendar=any_calendar)
def test_between_is_antisymmetric_and_bounded_by_wall_time(a, b, calendar):
    forward = business_time_between(a, b, calendar)
    assert forward == -business_time_between(b, a, calendar)
    assert abs(forward) <= abs(b - a)


@PROPERTY_SETTINGS
@given(start=starts, calendar=any_calendar)
def test_roll_forward_is_idempotent_and_never_goes_back(start, calendar):
    rolled = roll_forward(start, calendar)
    assert rolled >= start
    assert roll_forward(rolled, calendar) == rolled
    assert add_business_time(start, dt.timedelta(0), calendar) == rolled
