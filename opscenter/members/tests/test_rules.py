"""Rule definitions are validated in one place: bad input is rejected with a clear message."""

from __future__ import annotations

import copy
import itertools
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opscenter.members.constants import LADDER, SEED_004
from opscenter.members.rules import RuleSetError, match_level, shift_month, validate_rule_set


def seed():
    return copy.deepcopy(SEED_004)


def errors_of(definition) -> str:
    with pytest.raises(RuleSetError) as exc:
        validate_rule_set(definition)
    return exc.value.message


def test_the_shipped_examples_are_valid():
    assert validate_rule_set(SEED_004)["levels"][0] == {
        "tier": "C", "match": "all", "criteria": ["D"], "k": None, "priority": 1,
    }  # fmt: skip
    validate_rule_set(LADDER)


def test_a_level_with_no_criteria_is_rejected():
    d = seed()
    d["levels"][4]["criteria"] = []
    assert "第 5 条定级规则（AAA）没有引用任何判定标准" in errors_of(d)


def test_a_criterion_with_no_conditions_is_rejected():
    d = seed()
    d["criteria"][1]["conditions"] = []
    assert "判定标准“B”没有任何条件" in errors_of(d)


def test_a_threshold_of_the_wrong_type_is_rejected():
    d = seed()
    d["criteria"][1]["conditions"][0]["threshold"] = "28000"
    assert "判定标准“B”第 1 个条件：标准值必须是以分为单位的整数金额（收到 '28000'）" in errors_of(d)
    d["criteria"][1]["conditions"][0]["threshold"] = True
    assert "标准值必须是以分为单位的整数金额" in errors_of(d)
    d = seed()
    d["criteria"][2]["conditions"][0]["threshold"] = 7
    assert "满意度标准值必须在 1（非常不满意）到 5（非常满意）之间" in errors_of(d)


def test_overlapping_levels_without_priority_are_rejected():
    d = seed()
    d["levels"][5]["priority"] = None  # AA (at least two) overlaps AAA (all three)
    message = errors_of(d)
    assert "定级规则 5（AAA）与 6（AA）可能同时成立" in message
    assert "请为它们设置不同的判定顺序" in message


def test_a_combination_no_level_covers_is_rejected():
    d = seed()
    del d["levels"][7]  # B = none of A, B, C
    assert "所有判定标准都不成立时没有任何定级规则成立" in errors_of(d)


def test_unknown_metric_tier_and_criterion_are_named():
    d = seed()
    d["criteria"][0]["conditions"][0]["metric"] = "visits"
    d["levels"][0]["tier"] = "VIP"
    d["levels"][1]["criteria"] = ["X"]
    message = errors_of(d)
    assert "指标“visits”不存在" in message and "等级“VIP”不存在" in message and "判定标准“X”不存在" in message


@given(st.lists(st.booleans(), min_size=6, max_size=6))
def test_seed_004_levels_give_exactly_the_documented_tier(values):
    definition = validate_rule_set(SEED_004)
    a, b, c, d, r, s = values
    truths = dict(zip("ABCDRS", values, strict=True))
    tier = match_level(definition, truths)["tier"]
    if d:
        assert tier == "C"
    elif r:
        assert tier == "J"
    elif s:
        assert tier == ("B" if c else "C")
    else:
        assert tier == {3: "AAA", 2: "AA", 1: "A", 0: "B"}[a + b + c]


@given(st.integers(2000, 2100), st.integers(1, 12), st.integers(-240, 240))
def test_shift_month_agrees_with_month_arithmetic(year, month, delta):
    index = year * 12 + month - 1 + delta
    assert shift_month(year * 100 + month, delta) == (index // 12) * 100 + index % 12 + 1


def test_validation_enumerates_every_combination_of_criteria():
    definition = validate_rule_set(LADDER)
    for values in itertools.product((False, True), repeat=4):
        match_level(definition, dict(zip(["S1", "S2", "S3", "S4"], values, strict=True)))


def test_benefits_are_normalized_and_a_discount_is_kept_as_exact_text():
    d = seed()
    d["tiers"][0]["benefits"].update(
        {
            "discount": Decimal("8.80"),
            "coupon_fen": 26_000,
            "birthday": ["birthday_discount", "birthday_call"],
        }
    )
    benefits = validate_rule_set(d)["tiers"][0]["benefits"]
    assert benefits["discount"] == "8.8" and Decimal(benefits["discount"]) == Decimal("8.8")
    assert benefits["coupon_fen"] == 26_000
    assert benefits["birthday"] == ["birthday_call", "birthday_discount"]
    assert validate_rule_set(validate_rule_set(d)) == validate_rule_set(d)


@pytest.mark.parametrize("discount", ["0", "10", 10, "10.5", "-1", "八八折", "8.888", True])
def test_a_discount_outside_zero_to_ten_is_rejected_naming_the_tier_and_field(discount):
    d = seed()
    d["tiers"][1]["benefits"]["discount"] = discount
    assert "等级“AA级”的权益：生日当月折扣必须大于 0 折且小于 10 折" in errors_of(d)


def test_negative_intervals_coupons_and_unknown_birthday_benefits_are_rejected():
    d = seed()
    d["tiers"][0]["benefits"].update({"followup_days": -30, "coupon_fen": -1, "birthday": ["birthday_cake"]})
    message = errors_of(d)
    assert "等级“AAA级”的权益：随访间隔（天）必须是 0–366 的整数（收到 -30）" in message
    assert "等级“AAA级”的权益：生日礼券金额必须是不小于 0 的金额" in message
    assert "等级“AAA级”的权益：生日权益只能选择" in message
