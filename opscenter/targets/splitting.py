"""Splitting a target into parts that add up exactly (pure; integers, so money is in fen).

Largest-remainder (Hamilton) rounding: each part gets the floor of its exact share, then the units
left over go one each to the parts with the largest remainders (earlier parts win ties). The parts
always sum to the total, and no part is more than one unit away from its exact share.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

from django.utils.translation import gettext as _

from opscenter.core.exceptions import ValidationError


def split_by_weights(total: int, weights: Sequence[int | Decimal | Fraction]) -> list[int]:
    """`total` split in proportion to `weights` (all zero → evenly). Parts sum to `total` exactly."""
    if total < 0:
        raise ValidationError(_("目标值不能为负数"), field="target")
    if not weights:
        raise ValidationError(_("至少需要一个分解对象"), field="units")
    exact = [Fraction(w) for w in weights]
    if any(w < 0 for w in exact):
        raise ValidationError(_("分解权重不能为负数"), field="weights")
    weight_sum = sum(exact)
    if weight_sum == 0:
        exact = [Fraction(1)] * len(exact)
        weight_sum = Fraction(len(exact))
    shares = [total * w / weight_sum for w in exact]
    parts = [int(s) for s in shares]  # floor: shares are non-negative
    left = total - sum(parts)
    by_remainder = sorted(range(len(shares)), key=lambda i: (-(shares[i] - parts[i]), i))
    for i in by_remainder[:left]:
        parts[i] += 1
    return parts


def split_evenly(total: int, count: int) -> list[int]:
    return split_by_weights(total, [1] * count)


def difference(parent: int, children: Sequence[int]) -> int:
    """How far the children are from their parent: positive = children fall short of it."""
    return parent - sum(children)


def history_weights(history: Sequence[Sequence[int]]) -> list[list[Fraction]]:
    """Monthly weights of several units from their history (one row of 12 values per unit).

    A unit with no history at all (a new team) takes the mean of the others, month by month, so a
    seasonal split still gives it a fair share instead of nothing.
    """
    rows = [[Fraction(v) for v in row] for row in history]
    known = [row for row in rows if any(row)]
    if not known:
        return [[Fraction(1)] * 12 for _ in rows]
    mean = [sum(row[m] for row in known) / len(known) for m in range(12)]
    return [row if any(row) else list(mean) for row in rows]
