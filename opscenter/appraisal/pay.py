"""Incentive arithmetic as plain functions over integer fen (no database).

Rounding (written down, shown on every statement):
- a single amount from a rate (monthly pay, commission, cost saving, profit share) is rounded half-up
  to the fen;
- a pool split into shares uses the largest-remainder method: every share gets the floor of its exact
  part, then the fen left over go one each to the largest fractional remainders (ties: the earlier
  share in the order given), so the shares always add up to the pool exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from opscenter.core.exceptions import ValidationError

HUNDRED = Decimal("100")


def fen_round(value: Decimal | Fraction) -> int:
    """Half-up to the fen."""
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    return int(Decimal(value).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def largest_remainder(total: int, weights: Sequence[Decimal | int | Fraction]) -> list[int]:
    """Split `total` fen in proportion to `weights` so the parts sum to `total` exactly.

    All-zero (or no positive) weights split equally. Negative weights are refused."""
    if not weights:
        return []
    fracs = [Fraction(Decimal(w)) if not isinstance(w, Fraction) else w for w in weights]
    if any(w < 0 for w in fracs):
        raise ValueError("negative weight")
    if sum(fracs) == 0:
        fracs = [Fraction(1)] * len(fracs)
    whole = sum(fracs)
    exact = [Fraction(total) * w / whole for w in fracs]
    parts = [e.numerator // e.denominator for e in exact]
    left = total - sum(parts)
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in order[:left]:
        parts[i] += 1
    return parts


# ---------------------------------------------------------------- monthly pay, points, referrals
def monthly_pay(*, base_fen: int, float_pct: Decimal, score: Decimal) -> int:
    """Seed 003: base + base × float% × score% (float up to 30 %), half-up to the fen."""
    return base_fen + fen_round(Decimal(base_fen) * Decimal(float_pct) / HUNDRED * Decimal(score) / HUNDRED)


def points_pay(*, points: Decimal, unit_price_fen: int) -> int:
    """Seed 002: points × unit price, half-up to the fen."""
    return fen_round(Decimal(points) * unit_price_fen)


def referral_reward(*, referrals: int, threshold: int, reward_fen: int, penalty_fen: int) -> int:
    """Seed 001 全员营销: `threshold` referred patients in the month → the reward, otherwise no
    reward and the penalty (a negative amount)."""
    return reward_fen if referrals >= threshold else -penalty_fen


def cost_saving_bonus(*, budget_fen: int, actual_fen: int, target_met: bool, rate_pct: Decimal) -> int:
    """Seed 003: (budget − actual) × 40 %, only when the target is met (never negative)."""
    if not target_met or actual_fen >= budget_fen:
        return 0
    return fen_round(Decimal(budget_fen - actual_fen) * Decimal(rate_pct) / HUNDRED)


def profit_share(*, profit_fen: int, rate_pct: Decimal) -> int:
    """Seed 003: profit × 25 % (nothing on a loss)."""
    return fen_round(Decimal(max(profit_fen, 0)) * Decimal(rate_pct) / HUNDRED)


# ---------------------------------------------------------------- brackets
WHOLE, MARGINAL = "whole", "marginal"


@dataclass(frozen=True)
class Bracket:
    """[lower, upper) in fen (upper None: no ceiling) at `rate_pct`; `no_commission` marks an
    explicit gap (the seed's table leaves 100–101 万 and below 50 万 unpaid)."""

    lower_fen: int
    upper_fen: int | None
    rate_pct: Decimal
    no_commission: bool = False


def validate_brackets(brackets: Sequence[Bracket]) -> list[Bracket]:
    """Sorted, contiguous from 0, no overlaps, only the last open-ended. Errors name the row (1-based)."""
    ordered = sorted(brackets, key=lambda b: b.lower_fen)
    if not ordered:
        raise ValidationError(_("提成档位表不能为空"), field="brackets", log_message="empty bracket table")
    expected = 0
    for n, b in enumerate(ordered, start=1):
        if b.upper_fen is not None and b.upper_fen <= b.lower_fen:
            raise ValidationError(
                _("第 %(n)s 档：上限必须大于下限") % {"n": n},
                field="brackets",
                log_message=f"row {n} upper<=lower",
            )
        if b.lower_fen > expected:
            raise ValidationError(
                _("第 %(n)s 档之前有空档（%(a)s–%(b)s 元）：请补一档或明确标为“不提成”")
                % {"n": n, "a": expected // 100, "b": b.lower_fen // 100},
                field="brackets",
                log_message=f"gap before row {n}",
            )
        if b.lower_fen < expected:
            raise ValidationError(
                _("第 %(n)s 档与上一档重叠") % {"n": n}, field="brackets", log_message=f"row {n} overlaps"
            )
        if b.upper_fen is None and n != len(ordered):
            raise ValidationError(
                _("只有最后一档可以不设上限（第 %(n)s 档）") % {"n": n},
                field="brackets",
                log_message=f"row {n} open-ended but not last",
            )
        if not b.no_commission and not (Decimal(0) <= Decimal(b.rate_pct) <= HUNDRED):
            raise ValidationError(
                _("第 %(n)s 档：比例须在 0–100%% 之间") % {"n": n},
                field="brackets",
                log_message=f"row {n} rate",
            )
        expected = b.upper_fen if b.upper_fen is not None else expected
    return ordered


@dataclass
class BracketResult:
    amount_fen: int
    mode: str
    lines: list[dict] = field(default_factory=list)


def bracket_commission(*, profit_fen: int, brackets: Sequence[Bracket], mode: str) -> BracketResult:
    """Whole mode: the rate of the bracket holding the profit applies to all of it. Marginal mode:
    each bracket's rate applies only to the part of the profit inside it. Half-up to the fen (once,
    on the total)."""
    ordered = validate_brackets(brackets)
    if profit_fen <= 0:
        return BracketResult(0, mode)
    lines: list[dict] = []
    if mode == WHOLE:
        hit = next(
            b
            for b in ordered
            if b.lower_fen <= profit_fen and (b.upper_fen is None or profit_fen < b.upper_fen)
        )
        rate = Decimal(0) if hit.no_commission else Decimal(hit.rate_pct)
        lines.append({"lower": hit.lower_fen, "upper": hit.upper_fen, "base": profit_fen, "rate": str(rate)})
        return BracketResult(fen_round(Decimal(profit_fen) * rate / HUNDRED), mode, lines)
    if mode != MARGINAL:
        raise ValueError(mode)
    total = Decimal(0)
    for b in ordered:
        if profit_fen <= b.lower_fen:
            break
        top = profit_fen if b.upper_fen is None else min(profit_fen, b.upper_fen)
        part = top - b.lower_fen
        rate = Decimal(0) if b.no_commission else Decimal(b.rate_pct)
        total += Decimal(part) * rate / HUNDRED
        lines.append({"lower": b.lower_fen, "upper": b.upper_fen, "base": part, "rate": str(rate)})
    return BracketResult(fen_round(total), mode, lines)


# ---------------------------------------------------------------- year-end contract bonus split
@dataclass(frozen=True)
class Dept:
    """A department other than marketing: its manager and the other members."""

    id: int
    manager_id: int | None
    member_ids: tuple[int, ...]  # without the manager


@dataclass(frozen=True)
class Share:
    part: str
    amount_fen: int
    staff_id: int | None = None
    department_id: int | None = None
    equal_split: bool = False
    formula: str = ""


@dataclass(frozen=True)
class SplitRules:
    """Seed 003's percentages (editable on the plan)."""

    gm_pct: Decimal = Decimal(30)
    marketing_pct: Decimal = Decimal(50)
    other_pct: Decimal = Decimal(20)
    mk_manager_pct: Decimal = Decimal(40)
    mk_allocated_pct: Decimal = Decimal(25)
    mk_equal_pct: Decimal = Decimal(35)
    other_equal_pct: Decimal = Decimal(65)


def contract_bonus_split(
    *,
    pool_fen: int,
    gm_id: int | None,
    marketing_manager_id: int | None,
    marketing_staff_ids: Sequence[int],
    departments: Sequence[Dept],
    allocation_weights: dict[int, Decimal] | None = None,
    gm_allocation: dict[int, Decimal] | None = None,
    rules: SplitRules = SplitRules(),
) -> list[Share]:
    """Seed 003 1.3–1.5, 3.3. Every level splits by largest remainder, so Σ shares == pool.

    - GM 30 % / marketing 50 % / other departments 20 %;
    - marketing: manager 40 %; 25 % allocated by the marketing manager and the GM by the monthly
      scores (`allocation_weights`, staff → weight; neither of them may receive it; no weights →
      equal); 35 % equally among marketing staff other than the manager;
    - other departments: 65 % equally between departments, inside a department equally among its
      members other than the manager, or to the manager when they are its only member; the rest is
      allocated by the GM (`gm_allocation`, staff → weight), held unassigned until then;
    - nobody to receive a marketing share (no staff besides the manager): it goes to the manager.
    """
    gm, marketing, other = largest_remainder(pool_fen, [rules.gm_pct, rules.marketing_pct, rules.other_pct])
    shares = [Share("gm", gm, staff_id=gm_id, formula=gettext_noop("奖金池 × 30%"))]
    mk_manager, mk_alloc, mk_equal = largest_remainder(
        marketing, [rules.mk_manager_pct, rules.mk_allocated_pct, rules.mk_equal_pct]
    )
    shares.append(
        Share(
            "mk_manager", mk_manager, staff_id=marketing_manager_id, formula=gettext_noop("市场部奖金 × 40%")
        )
    )
    eligible = [s for s in marketing_staff_ids if s not in (marketing_manager_id, gm_id)]
    if eligible:
        weights = allocation_weights or {}
        alloc_parts = largest_remainder(mk_alloc, [Decimal(weights.get(s, 0)) for s in eligible])
        shares += [
            Share(
                "mk_allocated",
                amt,
                staff_id=s,
                formula=gettext_noop("市场部奖金 × 25% × 本人月度考核分 ÷ 合计"),
            )
            for s, amt in zip(eligible, alloc_parts, strict=True)
        ]
        shares += [
            Share(
                "mk_equal",
                amt,
                staff_id=s,
                equal_split=True,
                formula=gettext_noop("市场部奖金 × 35% ÷ 市场部员工人数（不含经理）"),
            )
            for s, amt in zip(eligible, largest_remainder(mk_equal, [1] * len(eligible)), strict=True)
        ]
    else:
        shares.append(
            Share(
                "mk_allocated",
                mk_alloc,
                staff_id=marketing_manager_id,
                formula=gettext_noop("市场部没有经理以外的员工：归经理"),
            )
        )
        shares.append(
            Share(
                "mk_equal",
                mk_equal,
                staff_id=marketing_manager_id,
                equal_split=True,
                formula=gettext_noop("市场部没有经理以外的员工：归经理"),
            )
        )
    other_equal, other_gm = largest_remainder(other, [rules.other_equal_pct, HUNDRED - rules.other_equal_pct])
    if departments:
        for dept, dept_amt in zip(
            departments, largest_remainder(other_equal, [1] * len(departments)), strict=True
        ):
            receivers = list(dept.member_ids) or ([dept.manager_id] if dept.manager_id else [])
            if not receivers:
                shares.append(
                    Share(
                        "other_equal",
                        dept_amt,
                        department_id=dept.id,
                        equal_split=True,
                        formula=gettext_noop("该部门没有成员：暂不分配"),
                    )
                )
                continue
            for s, amt in zip(receivers, largest_remainder(dept_amt, [1] * len(receivers)), strict=True):
                shares.append(
                    Share(
                        "other_equal",
                        amt,
                        staff_id=s,
                        department_id=dept.id,
                        equal_split=True,
                        formula=gettext_noop("其他部门奖金 × 65% ÷ 部门数 ÷ 部门成员数（只有经理时归经理）"),
                    )
                )
    else:
        other_gm += other_equal
    if gm_allocation:
        targets = list(gm_allocation)
        for s, amt in zip(
            targets, largest_remainder(other_gm, [Decimal(gm_allocation[t]) for t in targets]), strict=True
        ):
            shares.append(
                Share("other_gm", amt, staff_id=s, formula=gettext_noop("其他部门奖金 × 35%，由总经理分配"))
            )
    else:
        shares.append(Share("other_gm", other_gm, formula=gettext_noop("其他部门奖金 × 35%，待总经理分配")))
    return shares
