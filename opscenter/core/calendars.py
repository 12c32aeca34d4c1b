"""Business calendars from the database: `BusinessCalendar` + `CalendarDay` rows → `WorkCalendar`.

The arithmetic lives in `opscenter.core.businesstime` and never touches the database; this module
only loads the value it works on. Callers computing many due times should load the
`WorkCalendar` once and reuse it (it is an immutable value).
"""

from __future__ import annotations

import time

from django.db import connection
from django.db.models import Q
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django.utils.translation import gettext as _

from opscenter.core.businesstime import BusinessTimeError, WorkCalendar
from opscenter.core.models import BusinessCalendar, CalendarDay

DEFAULT_CACHE_SECONDS = 60

_default_cache: tuple[float, WorkCalendar] | None = None


def work_calendar_for(calendar: BusinessCalendar | None) -> WorkCalendar:
    """The `WorkCalendar` for a site's calendar; None means the default (08:30–17:30 Mon–Fri).

    Overrides come from `CalendarDay` in one query: global rows (no calendar) first, then the
    calendar's own rows, which win on the same date. The default calendar is cached
    (`default_work_calendar`).
    """
    if calendar is None:
        return default_work_calendar()
    return _load(calendar)


def default_work_calendar() -> WorkCalendar:
    """The default calendar with the global `CalendarDay` overrides, cached per process.

    The cache lives `DEFAULT_CACHE_SECONDS` and is dropped whenever a `CalendarDay` is saved or
    deleted in this process (other processes catch up within the lifetime). It is filled only
    outside a transaction, so rows read inside one that later rolls back are never cached.
    """
    global _default_cache
    now = time.monotonic()
    cached = _default_cache
    if cached is not None and now - cached[0] < DEFAULT_CACHE_SECONDS:
        return cached[1]
    value = _load(None)
    if not connection.in_atomic_block:
        _default_cache = (now, value)
    return value


def clear_calendar_cache(**_signal_kwargs: object) -> None:
    """Forget the cached default calendar (connected to `CalendarDay` saves and deletes)."""
    global _default_cache
    _default_cache = None


post_save.connect(clear_calendar_cache, sender=CalendarDay, dispatch_uid="core.calendars.clear_on_save")
post_delete.connect(clear_calendar_cache, sender=CalendarDay, dispatch_uid="core.calendars.clear_on_delete")


def _load(calendar: BusinessCalendar | None) -> WorkCalendar:
    scope = Q(calendar__isnull=True)
    if calendar is not None and calendar.pk is not None:
        scope |= Q(calendar=calendar)
    rows = CalendarDay.objects.filter(scope).values_list("calendar_id", "date", "kind")
    overrides: dict = {}
    # Global rows first so that the calendar's own row for the same date replaces them.
    for _calendar_id, day, kind in sorted(rows, key=lambda row: row[0] is not None):
        overrides[day] = kind == CalendarDay.Kind.WORKDAY
    tz = timezone.get_default_timezone()
    if calendar is None:
        return WorkCalendar(overrides=overrides, tz=tz)  # 默认工作日历: 08:30–17:30, Mon–Fri
    return WorkCalendar(
        day_start=calendar.day_start,
        day_end=calendar.day_end,
        workdays=_weekdays(calendar),
        use_statutory=calendar.use_statutory_holidays,
        overrides=overrides,
        name=calendar.name,
        tz=tz,
    )


def _weekdays(calendar: BusinessCalendar) -> frozenset[int]:
    text = calendar.workdays or ""
    if any(c not in "1234567" for c in text):
        raise BusinessTimeError(
            _("工作日历「%(name)s」的每周工作日设置无效：%(text)s") % {"name": calendar.name, "text": text},
            field="workdays",
            log_message=f"calendar {calendar.name!r} has invalid workdays {text!r}",
        )
    return frozenset(int(c) for c in text)
