"""Display helpers of the member screens (plain lookups, no queries)."""

from django import template
from django.utils.translation import gettext as _

from opscenter.members.reference import yuan as _yuan

register = template.Library()


@register.filter
def tier_label(labels: dict, code: str) -> str:
    """The tier's label from a code → label dict; the code itself when unknown."""
    if not code:
        return _("（无）")
    return (labels or {}).get(code, code)


@register.filter
def yuan(fen: int) -> str:
    return _yuan(int(fen or 0))


@register.filter
def percent(value) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


@register.filter
def match_label(level: dict) -> str:
    """A level rule in words: "AAA ← 全部满足 A、B、C"."""
    from opscenter.members.choices import Match

    if not level:
        return ""
    how = Match(level["match"]).label
    if level["match"] == Match.AT_LEAST:
        how = _("至少满足 %(k)s 项") % {"k": level.get("k") or "?"}
    return f"{level['tier']} ← {how} {_('、').join(level['criteria'])}"
