"""Incentive arithmetic (seeds 001, 002, 003) to the fen, without a database."""

from decimal import Decimal as D

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opscenter.appraisal.pay import (
    MARGINAL,
    WHOLE,
    Bracket,
    Dept,
    bracket_commission,
    contract_bonus_split,
    cost_saving_bonus,
    largest_remainder,
    monthly_pay,
    points_pay,
    profit_share,
    referral_reward,
    validate_brackets,
)
from opscenter.core.exceptions import ValidationError

WAN = 1_000_000  # 1 万元 in fen
SEED_BRACKETS = [
    Bracket(0, 50 * WAN, D(0), no_commission=True),
    Bracket(50 * WAN, 100 * WAN, D(10)),
    Bracket(100 * WAN, 101 * WAN, D(0), no_commission=True),
    Bracket(101 * WAN, 200 * WAN, D(15)),
    Bracket(200 * WAN, 300 * WAN, D(20)),
    Bracket(300 * WAN, 400 * WAN, D(25)),
    Bracket(400 * WAN, 500 * WAN, D(30)),
    Bracket(500 * WAN, None, D(35)),
]


def _by_part(shares):
    out = {}
    for s in shares:
        out[s.part] = out.get(s.part, 0) + s.amount_fen
    return out


def test_two_class_a_and_one_class_b_split_to_the_fen():
    pool = (100_000 + 100_000 + 60_000) * 100
    shares = contract_bonus_split(
        pool_fen=pool,
        gm_id=1,
        marketing_manager_id=2,
        marketing_staff_ids=[2, 3, 4, 5],
        departments=[Dept(10, 20, (21, 22)), Dept(11, 30, ())],
        allocation_weights={3: D(90), 4: D(80), 5: D(70)},
    )
    parts = _by_part(shares)
    assert parts["gm"] == 78_000_00
    assert parts["mk_manager"] == 52_000_00
    assert parts["mk_allocated"] == 32_500_00
    assert parts["mk_equal"] == 45_500_00
    assert parts["other_equal"] + parts["other_gm"] == 52_000_00
    assert parts["other_equal"] == 33_800_00
    assert sum(s.amount_fen for s in shares) == pool
    # neither the GM nor the marketing manager receives from the allocated 25 %
    assert {s.staff_id for s in shares if s.part == "mk_allocated"} == {3, 4, 5}
    # a department whose only member is its manager gives its share to the manager
    assert [s.amount_fen for s in shares if s.staff_id == 30] == [16_900_00]
    assert sorted(s.amount_fen for s in shares if s.department_id == 10) == [8_450_00, 8_450_00]


def test_largest_remainder_gives_leftover_fen_to_largest_remainders():
    assert largest_remainder(100, [1, 1, 1]) == [34, 33, 33]
    assert largest_remainder(10, [D("0.5"), D("0.3"), D("0.2")]) == [5, 3, 2]
    assert largest_remainder(7, [0, 0]) == [4, 3]


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    pool=st.integers(min_value=0, max_value=10**11),
    n_marketing=st.integers(min_value=0, max_value=12),
    depts=st.lists(st.integers(min_value=0, max_value=6), max_size=6),
    weights=st.lists(st.integers(min_value=0, max_value=100), min_size=12, max_size=12),
    gm_alloc=st.booleans(),
)
def test_splits_always_sum_exactly_to_the_pool(pool, n_marketing, depts, weights, gm_alloc):
    staff = list(range(100, 100 + n_marketing))
    departments = [
        Dept(i, 1000 + i, tuple(range(2000 + 10 * i, 2000 + 10 * i + n))) for i, n in enumerate(depts)
    ]
    shares = contract_bonus_split(
        pool_fen=pool,
        gm_id=1,
        marketing_manager_id=2,
        marketing_staff_ids=[2, *staff],
        departments=departments,
        allocation_weights={s: D(w) for s, w in zip(staff, weights, strict=False)},
        gm_allocation={1000: D(1), 1001: D(3)} if gm_alloc else None,
    )
    assert sum(s.amount_fen for s in shares) == pool
    assert all(s.amount_fen >= 0 for s in shares)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    total=st.integers(min_value=0, max_value=10**12),
    weights=st.lists(st.integers(0, 10**6), min_size=1, max_size=30),
)
def test_largest_remainder_sums_to_total(total, weights):
    parts = largest_remainder(total, weights)
    assert sum(parts) == total
    assert len(parts) == len(weights)


def test_whole_vs_marginal_bracket_modes():
    profit = 250 * WAN  # 250 万
    whole = bracket_commission(profit_fen=profit, brackets=SEED_BRACKETS, mode=WHOLE)
    assert whole.amount_fen == 50 * WAN  # 250 万 × 20 %
    marginal = bracket_commission(profit_fen=profit, brackets=SEED_BRACKETS, mode=MARGINAL)
    # 50 万×10% + (101–200 万) 99 万×15% + 50 万×20% = 5 + 14.85 + 10 = 29.85 万
    assert marginal.amount_fen == 29_8500_00
    assert bracket_commission(profit_fen=100 * WAN + 50, brackets=SEED_BRACKETS, mode=WHOLE).amount_fen == 0


def test_bracket_gap_and_overlap_are_rejected():
    with pytest.raises(ValidationError, match="空档"):
        validate_brackets([Bracket(50 * WAN, 100 * WAN, D(10)), Bracket(101 * WAN, None, D(15))])
    with pytest.raises(ValidationError, match="重叠"):
        validate_brackets([Bracket(0, 100 * WAN, D(10)), Bracket(90 * WAN, None, D(15))])
    validate_brackets(SEED_BRACKETS)


def test_formulas():
    assert monthly_pay(base_fen=500_000, float_pct=D(30), score=D(92)) == 638_000
    assert points_pay(points=D("123.5"), unit_price_fen=250) == 30_875
    assert referral_reward(referrals=2, threshold=2, reward_fen=40_000, penalty_fen=10_000) == 40_000
    assert referral_reward(referrals=1, threshold=2, reward_fen=40_000, penalty_fen=10_000) == -10_000
    assert (
        cost_saving_bonus(budget_fen=1_000_000, actual_fen=800_000, target_met=True, rate_pct=D(40)) == 80_000
    )
    assert cost_saving_bonus(budget_fen=1_000_000, actual_fen=800_000, target_met=False, rate_pct=D(40)) == 0
    assert profit_share(profit_fen=1_000_001, rate_pct=D(25)) == 250_000
