"""Template filters of the list pages: money in fen shown as yuan with cents, ages of queue rows."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def fen_yuan(fen) -> str:
    """12800050 → "128,000.50" (integer fen, never float; always two decimals)."""
    if fen is None or fen == "":
        return "—"
    fen = int(fen)
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), 100)
    return f"{sign}{yuan:,}.{cents:02d}"


@register.filter
def days_since(value) -> int:
    """Whole days from an aware datetime (or a date) until now, local time; 0 for the future."""
    import datetime as dt

    from django.utils import timezone

    if value is None:
        return 0
    day = timezone.localtime(value).date() if isinstance(value, dt.datetime) else value
    return max((timezone.localdate() - day).days, 0)


@register.filter
def dictget(mapping, key):
    """mapping[key] for keys a template cannot spell (integers): `lane.by_hour|dictget:hour`."""
    try:
        return mapping.get(key, ())
    except AttributeError:
        return ()
