"""When a recurring submission is due: pure functions over a `WorkCalendar` (no database).

- daily: every working day of the calendar (调休 Saturdays included, holidays excluded), due at the
  template's time that day;
- weekly: the template's ISO weekday of each week; when that day is not a working day the item
  moves to the previous or next working day, or is dropped for that week, as the template says;
- monthly: the N-th working day of each month.

A template's schedule changes by dated versions: an occurrence follows the version in force on
the first day of its period (`versioned_occurrences`), so a change never moves a deadline that
belongs to an earlier period.

Each occurrence has a `period` key (the day; the Monday of the nominal week; the first of the
month) that identifies it whatever shift applies, so a moved item never collides with its
neighbour week's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from django.utils.translation import gettext as _

from opscenter.core.businesstime import WorkCalendar
from opscenter.core.exceptions import ValidationError
from opscenter.workday.choices import HolidayShift, ScheduleKind

K = TypeVar("K")
HORIZON_DAYS = 366
MAX_SHIFT_DAYS = 40


@dataclass(frozen=True)
class Schedule:
    kind: str
    due_time: dt.time
    weekday: int | None = None  # ISO 1..7, weekly
    business_day: int | None = None  # 1.., monthly
    holiday_shift: str = HolidayShift.PREVIOUS


@dataclass(frozen=True)
class Occurrence:
    period: dt.date
    due_date: dt.date
    due_time: dt.time

    def due_at(self, tz: dt.tzinfo) -> dt.datetime:
        return dt.datetime.combine(self.due_date, self.due_time, tzinfo=tz)


def _shift(day: dt.date, how: str, calendar: WorkCalendar) -> dt.date | None:
    if calendar.is_workday(day):
        return day
    if how == HolidayShift.SKIP:
        return None
    step = dt.timedelta(days=-1 if how == HolidayShift.PREVIOUS else 1)
    current = day
    for _attempt in range(MAX_SHIFT_DAYS):
        current += step
        if calendar.is_workday(current):
            return current
    return None


def _month_starts(start: dt.date, end: dt.date) -> list[dt.date]:
    out, current = [], start.replace(day=1)
    while current <= end:
        out.append(current)
        current = (current.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return out


def nth_workday(month: dt.date, n: int, calendar: WorkCalendar) -> dt.date | None:
    """The n-th working day of `month` (1-based), None when the month has fewer."""
    day, count = month.replace(day=1), 0
    while day.month == month.month:
        if calendar.is_workday(day):
            count += 1
            if count == n:
                return day
        day += dt.timedelta(days=1)
    return None


def occurrences(schedule: Schedule, start: dt.date, end: dt.date, calendar: WorkCalendar) -> list[Occurrence]:
    """Every occurrence whose due date lies in [start, end], ordered by due date."""
    out: list[Occurrence] = []
    if schedule.kind == ScheduleKind.DAILY:
        day = start
        while day <= end:
            if calendar.is_workday(day):
                out.append(Occurrence(day, day, schedule.due_time))
            day += dt.timedelta(days=1)
    elif schedule.kind == ScheduleKind.WEEKLY:
        # Look one shift-window either side so a moved item whose due date falls inside is found.
        monday = start - dt.timedelta(days=start.weekday() + 7 * (MAX_SHIFT_DAYS // 7 + 1))
        while monday <= end + dt.timedelta(days=MAX_SHIFT_DAYS):
            nominal = monday + dt.timedelta(days=(schedule.weekday or 1) - 1)
            due = _shift(nominal, schedule.holiday_shift, calendar)
            if due is not None and start <= due <= end:
                out.append(Occurrence(monday, due, schedule.due_time))
            monday += dt.timedelta(days=7)
    elif schedule.kind == ScheduleKind.MONTHLY:
        for month in _month_starts(start, end):
            due = nth_workday(month, schedule.business_day or 1, calendar)
            if due is not None and start <= due <= end:
                out.append(Occurrence(month, due, schedule.due_time))
    else:
        raise ValueError(f"unknown schedule kind {schedule.kind!r}")
    out.sort(key=lambda o: (o.due_date, o.period))
    return out


@dataclass(frozen=True)
class Dated(Generic[K]):
    """A schedule in force from `effective_from` until the next one's; `key` names the version."""

    effective_from: dt.date
    schedule: Schedule
    key: K


def versioned_occurrences(
    versions: Sequence[Dated[K]], start: dt.date, end: dt.date, calendar: WorkCalendar
) -> list[tuple[K, Occurrence]]:
    """Every occurrence due in [start, end] under the version in force on its period's first day
    (nothing before the first version), ordered by due date."""
    ordered = sorted(versions, key=lambda v: v.effective_from)
    out: list[tuple[K, Occurrence]] = []
    for i, version in enumerate(ordered):
        until = ordered[i + 1].effective_from if i + 1 < len(ordered) else None
        if until is not None and until <= version.effective_from:
            continue
        for occurrence in occurrences(version.schedule, start, end, calendar):
            if occurrence.period >= version.effective_from and (until is None or occurrence.period < until):
                out.append((version.key, occurrence))
    out.sort(key=lambda pair: (pair[1].due_date, pair[1].period))
    return out


def next_occurrences(
    schedule: Schedule, since: dt.date, calendar: WorkCalendar, *, count: int
) -> list[Occurrence]:
    """The first `count` occurrences of a schedule taking effect on `since` (periods from then on),
    looking at most a year ahead: what a draft version would ask for, before it is published."""
    found = occurrences(schedule, since, since + dt.timedelta(days=HORIZON_DAYS), calendar)
    return [o for o in found if o.period >= since][:count]


def validate_schedule(schedule: Schedule, calendar: WorkCalendar, *, today: dt.date) -> None:
    """Refuse a schedule that is malformed or never falls on a working day in the coming year."""
    if schedule.kind == ScheduleKind.WEEKLY and schedule.weekday not in range(1, 8):
        raise ValidationError(
            _("每周提交须选择星期几"), field="weekday", log_message="weekly without weekday"
        )
    if schedule.kind == ScheduleKind.MONTHLY and not (schedule.business_day and schedule.business_day >= 1):
        raise ValidationError(
            _("每月提交须填写第几个工作日（从 1 开始）"),
            field="business_day",
            log_message="monthly without business day",
        )
    if not occurrences(schedule, today, today + dt.timedelta(days=HORIZON_DAYS), calendar):
        raise ValidationError(
            _("该提交计划在未来一年内没有一天落在工作日上，请调整计划或节假日处理方式"),
            field="schedule",
            log_message=f"schedule {schedule} never falls on a workday",
        )
