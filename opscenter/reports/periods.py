"""Report periods: ISO weeks (2026-W49) and months (2026-11), their previous period and the same
period a year earlier. Pure functions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from opscenter.core.exceptions import ValidationError
from opscenter.reports.choices import ReportKind


@dataclass(frozen=True)
class Period:
    kind: str
    start: dt.date
    end: dt.date
    label: str

    @property
    def metric_period(self) -> str:
        return "week" if self.kind == ReportKind.WEEKLY else "month"


def week(year: int, number: int) -> Period:
    start = dt.date.fromisocalendar(year, number, 1)
    return Period(ReportKind.WEEKLY, start, start + dt.timedelta(days=6), f"{year}-W{number:02d}")


def month(year: int, number: int) -> Period:
    start = dt.date(year, number, 1)
    end = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    return Period(ReportKind.MONTHLY, start, end, f"{year}-{number:02d}")


def parse(kind: str, label: str) -> Period:
    """`2026-W49` for a weekly report, `2026-11` for a monthly one; a clear error otherwise."""
    text = (label or "").strip().upper()
    try:
        if kind == ReportKind.WEEKLY:
            year, number = text.split("-W")
            return week(int(year), int(number))
        if kind == ReportKind.MONTHLY:
            year, number = text.split("-")
            return month(int(year), int(number))
    except ValueError:
        pass
    raise ValidationError(
        _("期间格式不正确：%(label)s（周报如 2026-W49，月报如 2026-11）") % {"label": label},
        field="period",
        log_message=f"bad report period {label!r} for {kind}",
    )


def containing(kind: str, day: dt.date) -> Period:
    if kind == ReportKind.WEEKLY:
        year, number, _weekday = day.isocalendar()
        return week(year, number)
    return month(day.year, day.month)


def previous(period: Period) -> Period:
    return containing(period.kind, period.start - dt.timedelta(days=1))


def year_before(period: Period) -> Period:
    """The same ISO week (or month) a year earlier (week 53 falls back to week 52)."""
    if period.kind == ReportKind.WEEKLY:
        year, number, _weekday = period.start.isocalendar()
        try:
            return week(year - 1, number)
        except ValueError:
            return week(year - 1, 52)
    return month(period.start.year - 1, period.start.month)
