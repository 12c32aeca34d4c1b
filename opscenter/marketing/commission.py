"""Commission arithmetic as plain functions (unit- and property-tested without a database).

Rounding: every percentage amount is rounded half-up to the fen per deal line, so a statement's
total is the exact sum of its lines.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from opscenter.core.exceptions import ValidationError


@dataclass(frozen=True)
class Tier:
    """Admissions in the month from `low` to `high` (inclusive; None = no upper bound) pay `fen` each."""

    low: int
    high: int | None
    fen: int


def parse_tiers(raw: Sequence[Any]) -> list[Tier]:
    """Validate tier rows ({"from", "to", "fen"}) and return them sorted; overlapping or malformed
    tiers are rejected with a message naming the row (1-based)."""
    tiers: list[tuple[int, Tier]] = []
    if not raw:
        raise ValidationError(_("阶梯规则至少需要一档"), field="tiers")
    for number, row in enumerate(raw, start=1):
        try:
            low = int(row["from"])
            high = None if row.get("to") in (None, "") else int(row["to"])
            fen = int(row["fen"])
        except (KeyError, TypeError, ValueError):
            raise ValidationError(
                _("第 %(number)s 档格式不正确：需要起始人数、截止人数和金额") % {"number": number},
                field="tiers",
            ) from None
        if low < 1 or (high is not None and high < low):
            raise ValidationError(
                _("第 %(number)s 档的人数区间不正确（起始应 ≥ 1 且不大于截止）") % {"number": number},
                field="tiers",
            )
        if fen < 0:
            raise ValidationError(_("第 %(number)s 档的金额不能为负数") % {"number": number}, field="tiers")
        tiers.append((number, Tier(low, high, fen)))
    tiers.sort(key=lambda pair: pair[1].low)
    for (n1, t1), (n2, t2) in itertools.pairwise(tiers):
        if t1.high is None or t1.high >= t2.low:
            raise ValidationError(
                _("第 %(first)s 档与第 %(second)s 档的人数区间重叠")
                % {"first": min(n1, n2), "second": max(n1, n2)},
                field="tiers",
                log_message="overlapping commission tiers",
            )
    return [tier for _n, tier in tiers]


def tier_for(tiers: Sequence[Tier], count: int) -> Tier | None:
    """The tier holding `count` admissions (None in a gap or below the first tier)."""
    for tier in tiers:
        if count >= tier.low and (tier.high is None or count <= tier.high):
            return tier
    return None


def percent_of(amount_fen: int, rate_pct: Decimal) -> int:
    """`rate_pct` % of an amount in fen, rounded half-up to the fen."""
    return int((Decimal(amount_fen) * rate_pct / 100).quantize(Decimal(1), ROUND_HALF_UP))


def parse_pct(raw: Any, *, field: str, label: str) -> Decimal:
    try:
        value = Decimal(str(raw).strip().rstrip("%"))
    except (InvalidOperation, ValueError):
        raise ValidationError(_("%(label)s应为数字") % {"label": label}, field=field) from None
    if value < 0 or value > 100:
        raise ValidationError(_("%(label)s应在 0 到 100 之间") % {"label": label}, field=field)
    return value
