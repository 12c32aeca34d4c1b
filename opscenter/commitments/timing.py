"""Stage timing as pure functions over plain values (no database): when a stage warns and is due,
how long it took, and whether it kept its allowance. Business time comes from `core.businesstime`
with the site's calendar; calendar time is wall-clock.

Conventions: a stage is on time when its elapsed time (business or calendar) is at most the
allowance; the warning point is `warning_pct` % of the allowance after the start. Both moments are
computed once when the stage starts and stored, so the monitor compares columns in SQL.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from opscenter.commitments.choices import AllowanceKind, StageStatus, ValueComparison
from opscenter.core.businesstime import (
    BusinessClock,
    WorkCalendar,
    add_business_time,
    business_time_between,
)


@dataclass(frozen=True)
class Rule:
    """What timing needs of a commitment."""

    allowance_minutes: int
    warning_pct: int = 80
    kind: str = AllowanceKind.BUSINESS

    @property
    def allowance(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.allowance_minutes)

    @property
    def warning_after(self) -> dt.timedelta:
        # Whole seconds: the warning point of 80 % of 150 minutes is 120 minutes exactly.
        return dt.timedelta(seconds=self.allowance_minutes * 60 * self.warning_pct // 100)


def deadlines(start: dt.datetime, rule: Rule, calendar: WorkCalendar) -> tuple[dt.datetime, dt.datetime]:
    """(warning moment, due moment) of a stage starting at `start`."""
    if rule.kind == AllowanceKind.CALENDAR:
        return start + rule.warning_after, start + rule.allowance
    return add_business_time(start, rule.warning_after, calendar), add_business_time(
        start, rule.allowance, calendar
    )


def elapsed(start: dt.datetime, end: dt.datetime, rule: Rule, calendar: WorkCalendar) -> dt.timedelta:
    """Time the stage took, in the rule's own kind of time."""
    if rule.kind == AllowanceKind.CALENDAR:
        return end - start
    return business_time_between(start, end, calendar)


def closed_status(
    start: dt.datetime, end: dt.datetime, rule: Rule, calendar: WorkCalendar
) -> tuple[str, int]:
    """(status, overrun in whole minutes ≥ 0) of a finished stage."""
    took = elapsed(start, end, rule, calendar)
    over = took - rule.allowance
    if over > dt.timedelta(0):
        return StageStatus.BREACHED, max(1, round(over.total_seconds() / 60))
    return StageStatus.ON_TIME, 0


def open_status(now: dt.datetime, warn_at: dt.datetime, due_at: dt.datetime) -> str:
    """Status of a running stage at `now`: breached once past due, warning from the warning point."""
    if now >= due_at:
        return StageStatus.BREACHED
    if now >= warn_at:
        return StageStatus.WARNING
    return StageStatus.OPEN


def open_overrun(now: dt.datetime, due_at: dt.datetime, rule: Rule, calendar: WorkCalendar) -> int:
    """Minutes a still-running stage is past due at `now` (0 before)."""
    if now <= due_at:
        return 0
    return round(elapsed(due_at, now, rule, calendar).total_seconds() / 60)


def clock_overrun(now: dt.datetime, due_at: dt.datetime, rule: Rule, clock: BusinessClock) -> int:
    """`open_overrun` read off a precomputed per-calendar clock (the monitor's many stages)."""
    if now <= due_at:
        return 0
    if rule.kind == AllowanceKind.CALENDAR:
        return round((now - due_at).total_seconds() / 60)
    return round(clock.minutes_at(now) - clock.minutes_at(due_at))


def hours_text(minutes: int) -> str:
    """6 → "0.1", 330 → "5.5", 360 → "6": hours with at most one decimal."""
    hours = round(minutes / 60, 1)
    return f"{hours:g}"


def value_status(value: Decimal, comparison: str, bound: Decimal) -> tuple[str, Decimal]:
    """(status, excess ≥ 0) of a value commitment's measured value: on time while the value keeps
    the bound (≤ for at_most, ≥ for at_least, the bound itself included), else breached by how far."""
    excess = value - bound if comparison == ValueComparison.AT_MOST else bound - value
    if excess > 0:
        return StageStatus.BREACHED, excess
    return StageStatus.ON_TIME, Decimal(0)
