"""Display filters of the target screens (formatting only; no queries)."""

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.translation import gettext as _

from opscenter.targets.screens import fmt_pct, fmt_value

register = template.Library()


@register.filter
def amount(value, money=False):
    return fmt_value(value, bool(money))


@register.filter
def signed_amount(value, money=False):
    if value is None:
        return "—"
    text = fmt_value(abs(value), bool(money))
    return f"+{text}" if value > 0 else f"−{text}" if value < 0 else text


@register.filter
def input_amount(value, money=False):
    if value is None:
        return ""
    if money:
        if value % 100 == 0:
            return str(value // 100)
        return str((Decimal(value) / 100).quantize(Decimal("0.01"), ROUND_HALF_UP))
    return str(value)


@register.filter
def month_short(value):
    return _("%(value)s月") % {"value": int(value) % 100}


@register.filter
def pct(value):
    return fmt_pct(value)
