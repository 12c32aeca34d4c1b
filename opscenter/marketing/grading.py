"""Grade matching for channel grading (渠道分级), as plain functions over plain values.

A channel gets the best grade (A, then B) whose every threshold it meets; otherwise C.
Thresholds: `min_consultations`, `min_deals`, `min_conversion_pct` (deals ÷ visits × 100),
`min_revenue_fen`, `max_cost_per_deal_fen` (a channel without deals fails a cost-per-deal
threshold unless it spent nothing).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from opscenter.core.exceptions import ValidationError
from opscenter.marketing.choices import Grade

KEYS = ("min_consultations", "min_deals", "min_conversion_pct", "min_revenue_fen", "max_cost_per_deal_fen")
GRADED = (Grade.A, Grade.B)


def validate_thresholds(raw: dict[str, Any]) -> dict[str, dict[str, str]]:
    """Thresholds for A and B as strings of non-negative numbers; unknown keys are refused."""
    if not isinstance(raw, dict) or not raw:
        raise ValidationError(_("请至少为 A 级设置一个门槛"), field="thresholds")
    clean: dict[str, dict[str, str]] = {}
    for grade, limits in raw.items():
        if grade not in (g.value for g in GRADED):
            raise ValidationError(_("只能为 A 级和 B 级设置门槛，C 级为其余渠道"), field="thresholds")
        clean[grade] = {}
        for key, value in (limits or {}).items():
            if key not in KEYS:
                raise ValidationError(_("未知的分级门槛：%(key)s") % {"key": key}, field="thresholds")
            if value in (None, ""):
                continue
            try:
                number = Decimal(str(value))
            except InvalidOperation:
                raise ValidationError(
                    _("%(grade)s 级门槛 %(key)s 应为数字") % {"grade": grade, "key": key}, field="thresholds"
                ) from None
            if number < 0:
                raise ValidationError(
                    _("%(grade)s 级门槛 %(key)s 不能为负数") % {"grade": grade, "key": key},
                    field="thresholds",
                )
            clean[grade][key] = str(number)
    return clean


def meets(limits: dict[str, str], results: dict[str, Any]) -> bool:
    for key, raw in limits.items():
        bound = Decimal(raw)
        if key == "max_cost_per_deal_fen":
            cpd = results.get("cost_per_deal_fen")
            if cpd is None:
                if results.get("spend_fen", 0):
                    return False
                continue
            if Decimal(cpd) > bound:
                return False
            continue
        name = key.removeprefix("min_")
        value = results.get(name)
        if value is None or Decimal(str(value)) < bound:
            return False
    return True


def grade_for(thresholds: dict[str, dict[str, str]], results: dict[str, Any]) -> str:
    for grade in GRADED:
        limits = thresholds.get(grade.value)
        if limits is not None and meets(limits, results):
            return grade.value
    return Grade.C.value
