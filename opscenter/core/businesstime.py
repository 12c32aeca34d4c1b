"""Business-time arithmetic: pure functions over a `WorkCalendar` value (no database).

Business hours are local wall-clock hours (Asia/Shanghai by default) on working days. A day is a
working day when, in this order of precedence:

1. an admin override says so (`WorkCalendar.overrides`, loaded from `CalendarDay` rows);
2. `use_statutory` is on and China's statutory calendar (`chinese-calendar`) names the date as a
   holiday (off) or as an adjusted workday 调休 (working);
3. otherwise, its ISO weekday is in `WorkCalendar.workdays`.

For years the library does not cover yet it raises `NotImplementedError`; we then fall back to
rule 3 (plus any overrides), so an admin can enter the next year's holidays before the library
ships them.

Conventions (every function here follows them):

- Business hours of a working day are the *closed* interval [day_start, day_end]. A moment at
  exactly closing time is inside business hours, which is what makes a duration that ends exactly
  at closing return the closing time (not the next morning's opening) and keeps
  `add(add(s, a), b) == add(s, a + b)` true for every start `s`.
- A start outside business hours first rolls forward to the next opening (`roll_forward`).
- Datetimes must be timezone-aware; naive ones raise `BusinessTimeError`. Results are aware, in
  the calendar's time zone.
- Cost is one step per calendar day spanned, never per minute; a gap of more than
  `MAX_GAP_DAYS` without a working day, or a result more than `MAX_SPAN_DAYS` ahead, raises.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from zoneinfo import ZoneInfo

import chinese_calendar
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from opscenter.core.exceptions import ValidationError

SHANGHAI = ZoneInfo("Asia/Shanghai")
MAX_GAP_DAYS = 366
MAX_SPAN_DAYS = 100 * 366
WEEKDAY_NAMES = {
    1: _("周一"),
    2: _("周二"),
    3: _("周三"),
    4: _("周四"),
    5: _("周五"),
    6: _("周六"),
    7: _("周日"),
}


class BusinessTimeError(ValidationError, ValueError):
    """Business-time input that cannot be computed (naive datetime, negative duration, no workday).

    The message is Chinese for the user, `log_message` English for logs; it is also a `ValueError`
    so plain-Python callers can catch it as one.
    """


@dataclass(frozen=True)
class WorkCalendar:
    """A business calendar as a plain value: hours, weekly working days, statutory flag, overrides.

    `workdays` holds ISO weekdays (1 = Monday … 7 = Sunday). `overrides` maps a date to True
    (working) or False (day off) and wins over everything else. Build one from the database with
    `opscenter.core.calendars.work_calendar_for`.
    """

    day_start: dt.time = dt.time(8, 30)
    day_end: dt.time = dt.time(17, 30)
    workdays: frozenset[int] = frozenset({1, 2, 3, 4, 5})
    use_statutory: bool = True
    overrides: Mapping[dt.date, bool] = field(default_factory=dict, hash=False)
    name: str = "默认工作日历"  # i18n: data (a name, also in the calendar command's JSON)
    tz: dt.tzinfo = SHANGHAI

    def __post_init__(self) -> None:
        # Normalise once so the value is immutable and cheap to query.
        object.__setattr__(self, "workdays", frozenset(int(d) for d in self.workdays))
        object.__setattr__(self, "overrides", MappingProxyType(dict(self.overrides)))
        if self.day_start.tzinfo is not None or self.day_end.tzinfo is not None:
            raise BusinessTimeError(
                gettext("上下班时间不能带时区"), log_message="day_start/day_end must be naive local times"
            )
        if self.day_end <= self.day_start:
            raise BusinessTimeError(
                gettext("下班时间必须晚于上班时间"),
                field="day_end",
                log_message=f"day_end {self.day_end} must be after day_start {self.day_start}",
            )
        if not self.workdays <= set(range(1, 8)):
            raise BusinessTimeError(
                gettext("工作日只能由 1–7 的数字组成"),
                field="workdays",
                log_message=f"workdays must be ISO weekdays 1..7, got {sorted(self.workdays)}",
            )

    @property
    def day_length(self) -> dt.timedelta:
        """Business time in one full working day (9 h for 08:30–17:30)."""
        day = dt.date.min
        return dt.datetime.combine(day, self.day_end) - dt.datetime.combine(day, self.day_start)

    def business_days(self, days: int | float) -> dt.timedelta:
        """`days` full business days of this calendar as a duration (2 days = 18 h by default)."""
        return self.day_length * days

    def is_workday(self, day: dt.date) -> bool:
        """Whether `day` is a working day: override, then statutory holiday / 调休, then weekday."""
        if isinstance(day, dt.datetime):
            day = day.date()
        override = self.overrides.get(day)
        if override is not None:
            return override
        if self.use_statutory:
            statutory = statutory_workday(day)
            if statutory is not None:
                return statutory
        return day.isoweekday() in self.workdays


DEFAULT_CALENDAR = WorkCalendar()


@functools.lru_cache(maxsize=4096)
def statutory_workday(day: dt.date) -> bool | None:
    """China's statutory ruling on `day`: False for a holiday, True for an adjusted workday (调休).

    None when the statutory calendar says nothing special (an ordinary weekday or weekend) or does
    not cover the year yet; the caller then applies its own weekly rule.
    """
    try:
        is_holiday, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return None
    if name is None:
        return None
    return not is_holiday


def add_business_time(start: dt.datetime, duration: dt.timedelta, calendar: WorkCalendar) -> dt.datetime:
    """The moment `duration` of business time after `start`.

    A start outside business hours first rolls forward to the next opening; a zero duration
    therefore returns the rolled-forward start (or `start` itself inside business hours). A result
    that falls exactly at closing time is returned as that closing time. `duration` must not be
    negative. Whole working days are consumed one step each, so long durations stay cheap.
    """
    _require_aware(start, "start")
    if duration < dt.timedelta(0):
        raise BusinessTimeError(
            gettext("时长不能为负数"),
            field="duration",
            log_message=f"duration must not be negative, got {duration}",
        )
    try:
        return _add_local(_to_local(start, calendar), duration, calendar)
    except OverflowError:
        raise _out_of_range(f"add {duration} to {start}") from None


def business_time_between(a: dt.datetime, b: dt.datetime, calendar: WorkCalendar) -> dt.timedelta:
    """Business time elapsed from `a` to `b`; signed: negative when `b` is before `a`.

    Only the parts of [a, b] that fall inside business hours count, so
    `business_time_between(s, add_business_time(s, d, cal), cal) == d` for every start `s`.
    """
    _require_aware(a, "a")
    _require_aware(b, "b")
    if b < a:
        return -business_time_between(b, a, calendar)
    try:
        return _between_local(_to_local(a, calendar), _to_local(b, calendar), calendar)
    except OverflowError:
        raise _out_of_range(f"business time between {a} and {b}") from None


def is_business_moment(moment: dt.datetime, calendar: WorkCalendar) -> bool:
    """Whether `moment` lies within business hours (opening and closing included) on a working day."""
    _require_aware(moment, "moment")
    local = _to_local(moment, calendar)
    return calendar.is_workday(local.date()) and calendar.day_start <= local.time() <= calendar.day_end


def roll_forward(moment: dt.datetime, calendar: WorkCalendar) -> dt.datetime:
    """`moment` itself inside business hours, else the next opening time."""
    _require_aware(moment, "moment")
    return _from_local(_roll_forward_local(_to_local(moment, calendar), calendar), calendar)


def weekday_name(day: dt.date) -> str:
    """周一 … 周日."""
    return WEEKDAY_NAMES[day.isoweekday()]


# --- internals: naive local wall-clock datetimes -------------------------------------------------


def _require_aware(value: dt.datetime, name: str) -> None:
    if not isinstance(value, dt.datetime):
        raise BusinessTimeError(
            gettext("%(name)s 必须是日期时间") % {"name": name},
            log_message=f"{name} must be a datetime, got {type(value).__name__}",
        )
    if value.tzinfo is None or value.utcoffset() is None:
        raise BusinessTimeError(
            gettext("%(name)s 缺少时区信息") % {"name": name},
            log_message=f"{name} must be timezone-aware, got naive {value.isoformat()}",
        )


def _to_local(moment: dt.datetime, calendar: WorkCalendar) -> dt.datetime:
    return moment.astimezone(calendar.tz).replace(tzinfo=None)


def _from_local(local: dt.datetime, calendar: WorkCalendar) -> dt.datetime:
    return local.replace(tzinfo=calendar.tz)


def _add_local(start: dt.datetime, duration: dt.timedelta, calendar: WorkCalendar) -> dt.datetime:
    current = _roll_forward_local(start, calendar)
    room = (dt.date.max - current.date()).days
    limit = current.date() + dt.timedelta(days=min(room, MAX_SPAN_DAYS))
    remaining = duration
    while True:
        available = dt.datetime.combine(current.date(), calendar.day_end) - current
        if remaining <= available:
            return _from_local(current + remaining, calendar)
        remaining -= available
        next_day = _next_workday(current.date(), calendar)
        if next_day > limit:
            raise BusinessTimeError(
                gettext("时长过长，超出 %(years)s 年的计算范围") % {"years": MAX_SPAN_DAYS // 366},
                field="duration",
                log_message=f"duration {duration} reaches beyond {MAX_SPAN_DAYS} days from {start}",
            )
        current = dt.datetime.combine(next_day, calendar.day_start)


def _between_local(start: dt.datetime, end: dt.datetime, calendar: WorkCalendar) -> dt.timedelta:
    if (end.date() - start.date()).days > MAX_SPAN_DAYS:
        raise BusinessTimeError(
            gettext("时间跨度过长，超出 %(years)s 年的计算范围") % {"years": MAX_SPAN_DAYS // 366},
            log_message=f"span from {start} to {end} exceeds {MAX_SPAN_DAYS} days",
        )
    total = dt.timedelta(0)
    day = start.date()
    while day <= end.date():
        if calendar.is_workday(day):
            opening = max(dt.datetime.combine(day, calendar.day_start), start)
            closing = min(dt.datetime.combine(day, calendar.day_end), end)
            if closing > opening:
                total += closing - opening
        if day == end.date():
            break  # stepping past date.max would overflow
        day += dt.timedelta(days=1)
    return total


def _out_of_range(what: str) -> BusinessTimeError:
    return BusinessTimeError(
        gettext("超出可计算的日期范围"), log_message=f"{what} overflows the supported date range"
    )


def _next_workday(day: dt.date, calendar: WorkCalendar) -> dt.date:
    """The first working day strictly after `day`, searching at most `MAX_GAP_DAYS` ahead."""
    for offset in range(1, MAX_GAP_DAYS + 1):
        candidate = day + dt.timedelta(days=offset)
        if calendar.is_workday(candidate):
            return candidate
    raise BusinessTimeError(
        gettext("%(day)s 之后 %(days)s 天内没有工作日，请检查工作日历「%(name)s」")
        % {"day": day, "days": MAX_GAP_DAYS, "name": calendar.name},
        log_message=f"no workday within {MAX_GAP_DAYS} days after {day} in calendar {calendar.name!r}",
    )


def _roll_forward_local(local: dt.datetime, calendar: WorkCalendar) -> dt.datetime:
    day = local.date()
    if calendar.is_workday(day):
        if local.time() < calendar.day_start:
            return dt.datetime.combine(day, calendar.day_start)
        if local.time() <= calendar.day_end:
            return local
    return dt.datetime.combine(_next_workday(day, calendar), calendar.day_start)


class BusinessClock:
    """Business time as a running count of minutes, precomputed per day for one calendar over a
    span of days: `minutes_at(b) - minutes_at(a)` equals `business_time_between(a, b)` in minutes,
    at the cost of a list lookup instead of a walk over the days between. For passes that need the
    business time of many moments on one calendar (the commitment monitor's overruns): build one
    clock per calendar and pass, never one business-time walk per instance.

    Moments outside [first, last] fall back to `business_time_between` from the span's start.
    """

    def __init__(self, calendar: WorkCalendar, first: dt.date, last: dt.date) -> None:
        self.calendar = calendar
        self.first = first
        self.last = max(first, last)
        self._day_minutes = calendar.day_length.total_seconds() / 60
        self._origin = dt.datetime.combine(first, dt.time.min, tzinfo=calendar.tz)
        cumulative = [0.0]
        day = first
        while day <= self.last:
            cumulative.append(cumulative[-1] + (self._day_minutes if calendar.is_workday(day) else 0.0))
            day += dt.timedelta(days=1)
        self._before = cumulative  # business minutes before each day of the span (and after the last)

    def minutes_at(self, moment: dt.datetime) -> float:
        """Business minutes from the start of the span's first day to `moment` (negative before)."""
        _require_aware(moment, "moment")
        local = _to_local(moment, self.calendar)
        index = (local.date() - self.first).days
        if index < 0 or local.date() > self.last:
            return business_time_between(self._origin, moment, self.calendar).total_seconds() / 60
        minutes = self._before[index]
        if self._before[index + 1] > minutes:  # a working day: the part of its hours already gone
            opening = dt.datetime.combine(local.date(), self.calendar.day_start)
            closing = dt.datetime.combine(local.date(), self.calendar.day_end)
            elapsed = (min(max(local, opening), closing) - opening).total_seconds() / 60
            minutes += elapsed
        return minutes
