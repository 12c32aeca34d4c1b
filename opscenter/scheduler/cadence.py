"""When a job is next due: pure functions over plain values (unit- and property-tested).

Three cadences: every N minutes on the clock (aligned to local midnight, so every scheduler
process computes the same due times), daily at a local time, and every working day of the
business calendar at a local time (statutory holidays and 调休 from `core.businesstime`).
A job missed while nothing ran (a weekend with the server off) runs once when the scheduler comes
back, not once per missed tick: the next due time is always computed from "now".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from opscenter.core.businesstime import SHANGHAI, WorkCalendar
from opscenter.scheduler.choices import CadenceKind

MAX_INTERVAL_MINUTES = 7 * 24 * 60


def parse_time(value: str | dt.time) -> dt.time:
    if isinstance(value, dt.time):
        return value.replace(second=0, microsecond=0)
    hours, minutes = str(value).split(":")
    return dt.time(int(hours), int(minutes))


@dataclass(frozen=True)
class Cadence:
    """How often a job runs. Build with `every(minutes=…)`, `daily("02:00")`, `workdays("08:30")`."""

    kind: str
    minutes: int | None = None
    at: dt.time | None = None

    def __post_init__(self) -> None:
        if self.kind == CadenceKind.INTERVAL:
            if not self.minutes or not 1 <= self.minutes <= MAX_INTERVAL_MINUTES:
                raise ValueError(f"interval must be 1..{MAX_INTERVAL_MINUTES} minutes, got {self.minutes!r}")
        elif self.kind in (CadenceKind.DAILY, CadenceKind.WORKDAYS):
            if self.at is None:
                raise ValueError("a daily cadence needs a time of day")
        else:
            raise ValueError(f"unknown cadence kind {self.kind!r}")

    @classmethod
    def every(cls, *, minutes: int) -> Cadence:
        return cls(CadenceKind.INTERVAL.value, minutes=minutes)

    @classmethod
    def daily(cls, at: str | dt.time) -> Cadence:
        return cls(CadenceKind.DAILY.value, at=parse_time(at))

    @classmethod
    def workdays(cls, at: str | dt.time) -> Cadence:
        return cls(CadenceKind.WORKDAYS.value, at=parse_time(at))

    def next_after(self, moment: dt.datetime, *, calendar: WorkCalendar | None = None) -> dt.datetime:
        """The first due time strictly after `moment` (aware; the result is aware, in UTC)."""
        if moment.tzinfo is None:
            raise ValueError("moment must be timezone-aware")
        tz = calendar.tz if calendar is not None else SHANGHAI
        local = moment.astimezone(tz)
        if self.kind == CadenceKind.INTERVAL:
            midnight = dt.datetime.combine(local.date(), dt.time(0), tzinfo=tz)
            step = dt.timedelta(minutes=self.minutes or 1)
            elapsed = local - midnight
            candidate = midnight + step * (elapsed // step + 1)
            next_midnight = dt.datetime.combine(local.date() + dt.timedelta(days=1), dt.time(0), tzinfo=tz)
            return min(candidate, next_midnight).astimezone(dt.UTC)
        day = local.date()
        candidate = dt.datetime.combine(day, self.at, tzinfo=tz)
        if candidate <= local:
            day += dt.timedelta(days=1)
        if self.kind == CadenceKind.WORKDAYS:
            if calendar is None:
                raise ValueError("a workdays cadence needs the business calendar")
            for _attempt in range(400):
                if calendar.is_workday(day):
                    break
                day += dt.timedelta(days=1)
        return dt.datetime.combine(day, self.at, tzinfo=tz).astimezone(dt.UTC)

    def describe(self) -> str:
        """What staff read: 每 15 分钟 / 每天 02:00 / 每个工作日 08:30."""
        if self.kind == CadenceKind.INTERVAL:
            return _("每 %(minutes)s 分钟") % {"minutes": self.minutes}
        at = self.at.strftime("%H:%M") if self.at else ""
        if self.kind == CadenceKind.DAILY:
            return _("每天 %(at)s") % {"at": at}
        return _("每个工作日 %(at)s") % {"at": at}
