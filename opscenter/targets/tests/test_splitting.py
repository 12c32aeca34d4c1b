"""Splits add up to their parent exactly, whatever the weights (money in fen)."""

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opscenter.core.exceptions import ValidationError
from opscenter.targets.splitting import difference, history_weights, split_by_weights, split_evenly


@given(
    total=st.integers(min_value=0, max_value=10**14),
    weights=st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=40),
)
def test_any_split_adds_up_to_the_parent_and_stays_within_one_fen_of_its_share(total, weights):
    parts = split_by_weights(total, weights)
    assert sum(parts) == total
    assert len(parts) == len(weights)
    weight_sum = sum(weights) or len(weights)
    for part, weight in zip(parts, weights if sum(weights) else [1] * len(weights), strict=True):
        assert abs(Fraction(part) - Fraction(total * weight, weight_sum)) < 1
        assert part >= 0


@given(total=st.integers(min_value=0, max_value=10**12), count=st.integers(min_value=1, max_value=31))
def test_even_split_differs_by_at_most_one(total, count):
    parts = split_evenly(total, count)
    assert sum(parts) == total and max(parts) - min(parts) <= 1


def test_largest_remainders_get_the_leftover_fen_and_earlier_parts_win_ties():
    assert split_by_weights(100, [1, 1, 1]) == [34, 33, 33]
    assert split_by_weights(10, [1, 2, 2]) == [2, 4, 4]
    assert split_by_weights(7, [0, 0]) == [4, 3]  # no history: evenly


def test_a_unit_without_history_takes_the_mean_weight_of_the_others():
    weights = history_weights([[10] * 12, [30] * 12, [0] * 12])
    assert weights[2] == [Fraction(20)] * 12
    assert difference(100, [30, 30, 30]) == 10


def test_negative_targets_cannot_be_split():
    with pytest.raises(ValidationError):
        split_by_weights(-1, [1])
