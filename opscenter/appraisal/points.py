"""Points, stages, contests and allocations as plain functions (no database).

Rounding (written down, shown on the statement): points × unit price and count × fixed reward are
exact or rounded half-up to the fen once per line (`pay.points_pay`); an allocation is entered in
fen and must add up to its part exactly — the suggestion offered beside it splits the part by the
monthly scores with the largest-remainder method (`pay.largest_remainder`), so it always does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from opscenter.appraisal.pay import largest_remainder
from opscenter.core.exceptions import ValidationError


@dataclass(frozen=True)
class Stage:
    """A unit-price stage: whole months from `starts_on` to `ends_on` (None: still running)."""

    name: str
    starts_on: dt.date
    ends_on: dt.date | None
    unit_price_fen: int


def _month_end(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def validate_stages(stages: Sequence[Stage]) -> list[Stage]:
    """Whole months, in order, each starting the day after the previous one ends, only the last
    open-ended, prices ≥ 0. Errors name the row (1-based, in date order)."""
    ordered = sorted(stages, key=lambda s: s.starts_on)
    for n, s in enumerate(ordered, start=1):
        if not (s.name or "").strip():
            raise ValidationError(_("第 %(n)s 个阶段：请填写阶段名称") % {"n": n}, field="stages")
        if s.starts_on.day != 1:
            raise ValidationError(
                _("第 %(n)s 个阶段：开始日期须为某月 1 日（阶段按整月计）") % {"n": n}, field="stages"
            )
        if s.ends_on is not None and s.ends_on != _month_end(s.ends_on):
            raise ValidationError(
                _("第 %(n)s 个阶段：结束日期须为月末（阶段按整月计）") % {"n": n}, field="stages"
            )
        if s.ends_on is not None and s.ends_on < s.starts_on:
            raise ValidationError(_("第 %(n)s 个阶段：结束日期早于开始日期") % {"n": n}, field="stages")
        if s.unit_price_fen < 0:
            raise ValidationError(_("第 %(n)s 个阶段：积分单价不能为负数") % {"n": n}, field="stages")
        if n > 1:
            prev = ordered[n - 2]
            if prev.ends_on is None:
                raise ValidationError(
                    _("只有最后一个阶段可以不设结束日期（第 %(n)s 个阶段）") % {"n": n - 1}, field="stages"
                )
            if s.starts_on <= prev.ends_on:
                raise ValidationError(_("第 %(n)s 个阶段与上一阶段重叠") % {"n": n}, field="stages")
            if s.starts_on != prev.ends_on + dt.timedelta(days=1):
                raise ValidationError(
                    _("第 %(n)s 个阶段之前有空档（%(a)s 至 %(b)s 没有单价）")
                    % {
                        "n": n,
                        "a": prev.ends_on + dt.timedelta(days=1),
                        "b": s.starts_on - dt.timedelta(days=1),
                    },
                    field="stages",
                )
    return ordered


def stage_for(stages: Sequence[Stage], day: dt.date) -> Stage | None:
    """The stage whose months hold `day`."""
    for s in stages:
        if s.starts_on <= day and (s.ends_on is None or day <= s.ends_on):
            return s
    return None


def validate_rules(rules, *, field: str, amount_key: str) -> list[dict]:
    """Rows {"metric": code, amount_key: number}: each names a metric and a non-negative amount."""
    if not isinstance(rules, list):
        raise ValidationError(_("规则应为列表"), field=field)
    out = []
    for n, rule in enumerate(rules, start=1):
        if not isinstance(rule, dict) or not rule.get("metric") or amount_key not in rule:
            raise ValidationError(
                _("第 %(n)s 条规则应包含 metric 和 %(k)s") % {"n": n, "k": amount_key}, field=field
            )
        try:
            amount = Decimal(str(rule[amount_key]))
        except (InvalidOperation, ValueError) as exc:
            raise ValidationError(_("第 %(n)s 条规则：数值不是数字") % {"n": n}, field=field) from exc
        if amount < 0:
            raise ValidationError(_("第 %(n)s 条规则：数值不能为负数") % {"n": n}, field=field)
        if amount_key.endswith("_fen") and amount != amount.to_integral_value():
            raise ValidationError(_("第 %(n)s 条规则：金额须为整数（分）") % {"n": n}, field=field)
        out.append({**rule, amount_key: int(amount) if amount_key.endswith("_fen") else str(amount)})
    return out


def check_allocation(
    *, part_label: str, share_fen: int, entries: Mapping[int, int], eligible: Mapping[int, str]
) -> None:
    """An allocation of one part: only eligible people, no negative amounts, and the entries add up
    to the part exactly (a fen off is refused, with the difference named)."""
    for staff_id, amount in entries.items():
        if staff_id not in eligible:
            raise ValidationError(
                _("%(part)s：所选员工不能参与该部分分配") % {"part": part_label}, field="entries"
            )
        if amount < 0:
            raise ValidationError(
                _("%(part)s：%(name)s 的金额不能为负数") % {"part": part_label, "name": eligible[staff_id]},
                field="entries",
            )
    total = sum(entries.values())
    if total != share_fen:
        diff = share_fen - total
        raise ValidationError(
            _("%(part)s：分配合计 %(t)s 元，应为 %(s)s 元，%(d)s %(a)s 元")
            % {
                "part": part_label,
                "t": f"{total / 100:,.2f}",
                "s": f"{share_fen / 100:,.2f}",
                "d": _("还差") if diff > 0 else _("多出"),
                "a": f"{abs(diff) / 100:,.2f}",
            },
            field="entries",
        )


def suggest_allocation(share_fen: int, scores: Mapping[int, Decimal | None]) -> dict[int, int]:
    """Split by the monthly scores (no score counts 0; all zero → equally), exact to the fen."""
    ids = list(scores)
    parts = largest_remainder(share_fen, [Decimal(scores[i] or 0) for i in ids]) if ids else []
    return dict(zip(ids, parts, strict=True))
