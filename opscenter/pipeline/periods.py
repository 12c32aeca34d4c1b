"""Month keys: the funnel groups by an integer yyyymm stored on every event row (local time)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from opscenter.core.exceptions import ValidationError


def month_key(value: dt.date | dt.datetime) -> int:
    """yyyymm of a date, or of an aware datetime in the local time zone (Asia/Shanghai)."""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return value.year * 100 + value.month


def local_date(value: dt.datetime) -> dt.date:
    return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()


def month_start(key: int) -> dt.date:
    return dt.date(key // 100, key % 100, 1)


def month_add(key: int, months: int) -> int:
    index = (key // 100) * 12 + (key % 100 - 1) + months
    return (index // 12) * 100 + index % 12 + 1


def month_span(first: int, last: int) -> list[int]:
    """Every month key from `first` to `last` inclusive."""
    keys, key = [], first
    while key <= last:
        keys.append(key)
        key = month_add(key, 1)
    return keys


def is_month_key(key: int) -> bool:
    return 190001 <= key <= 299912 and 1 <= key % 100 <= 12


def month_label(key: int) -> str:
    return _("%(value)s年%(value2)s月") % {"value": key // 100, "value2": key % 100}


def parse_month(raw: str, field: str = "month") -> int:
    """A month key from "2026-07", "2026/07" or "202607"; ValidationError otherwise."""
    text = str(raw).strip().replace("/", "-")
    try:
        if "-" in text:
            year, month = text.split("-", 1)
            key = int(year) * 100 + int(month)
        else:
            key = int(text)
    except ValueError:
        key = 0
    if not is_month_key(key):
        raise ValidationError(_("月份“%(raw)s”格式不正确，应为 2026-07") % {"raw": raw}, field=field)
    return key
