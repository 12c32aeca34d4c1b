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
