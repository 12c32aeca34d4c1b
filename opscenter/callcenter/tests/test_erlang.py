"""Erlang C against published values and an exact (fractions) evaluation of the textbook formula."""

import math
import time
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opscenter.callcenter import erlang


def exact_erlang_c(n: int, a: Fraction) -> Fraction:
    """The textbook formula with factorials and powers, in exact rational arithmetic."""
    top = a**n / math.factorial(n) * Fraction(n, 1) / (n - a)
    bottom = sum(a**k / math.factorial(k) for k in range(n)) + top
    return top / bottom


@pytest.mark.parametrize(
    ("servers", "traffic"),
    # Erlang B table, grade of service 1 %: (N, A) pairs as printed in the classic tables.
    [(5, 1.361), (10, 4.461), (20, 12.031), (50, 37.901), (100, 84.064)],
)
def test_erlang_b_matches_the_published_one_percent_table(servers, traffic):
    assert erlang.erlang_b(servers, traffic) == pytest.approx(0.01, abs=2e-5)


def test_the_textbook_example_100_calls_in_30_minutes_needs_14_agents_20_with_shrinkage():
    # 100 calls per half hour, AHT 180 s, 80 % in 20 s: A = 10 Erlangs; with 11 agents the
    # probability to wait is 68.21 %; 14 agents give 88.8 %, ASA 7.8 s, occupancy 71.4 %;
    # 30 % shrinkage makes 20 rostered.
    assert erlang.erlang_c(11, 10) == pytest.approx(0.6821, abs=1e-4)
    plan = erlang.agents_needed(
        calls=100, interval_minutes=30, aht_seconds=180, target_sl=0.8, target_seconds=20, shrinkage=0.3
    )
    assert plan.traffic == 10
    assert plan.agents == 14
    assert erlang.service_level(13, 10, 180, 20) < 0.8 <= plan.service_level
    assert plan.service_level == pytest.approx(0.8884, abs=1e-4)
    assert plan.asa_seconds == pytest.approx(7.84, abs=0.01)
    assert plan.occupancy == pytest.approx(0.7143, abs=1e-4)
    assert plan.scheduled == 20


@settings(max_examples=60, deadline=None)
@given(n=st.integers(min_value=1, max_value=40), a_tenths=st.integers(min_value=1, max_value=399))
def test_the_recursion_equals_the_exact_formula_at_small_sizes(n, a_tenths):
    a = Fraction(a_tenths, 10)
    if n <= a:
        assert erlang.erlang_c(n, float(a)) == 1.0
        return
    assert erlang.erlang_c(n, float(a)) == pytest.approx(float(exact_erlang_c(n, a)), rel=1e-9)


def test_targets_asa_and_occupancy_cap_only_raise_the_agents():
    base = erlang.agents_needed(
        calls=300, interval_minutes=30, aht_seconds=240, target_sl=0.8, target_seconds=20
    )
    asa = erlang.agents_needed(
        calls=300, interval_minutes=30, aht_seconds=240, target_sl=0.8, target_seconds=20, target_asa=2
    )
    capped = erlang.agents_needed(
        calls=300, interval_minutes=30, aht_seconds=240, target_sl=0.8, target_seconds=20, max_occupancy=0.7
    )
    assert asa.agents > base.agents and asa.asa_seconds <= 2
    assert capped.occupancy <= 0.7 and capped.agents >= base.agents
    # the answer is minimal: one agent fewer misses the target
    assert erlang.asa(asa.agents - 1, asa.traffic, 240) > 2


def test_5000_calls_per_interval_stays_finite_and_a_day_plan_takes_under_50_ms():
    started = time.perf_counter()
    plan = erlang.day_plan(
        [5000] * 48, interval_minutes=30, aht_seconds=300, target_sl=0.8, target_seconds=20
    )
    elapsed = time.perf_counter() - started
    assert len(plan) == 48
    first = plan[0]
    assert math.isfinite(first.service_level) and 0.8 <= first.service_level < 1
    assert first.traffic == pytest.approx(833.33, abs=0.01)
    assert first.agents > first.traffic
    assert erlang.service_level(first.agents - 1, first.traffic, 300, 20) < 0.8
    assert elapsed < 0.05


def test_no_calls_need_no_agents_and_bad_input_is_refused():
    assert (
        erlang.agents_needed(
            calls=0, interval_minutes=30, aht_seconds=200, target_sl=0.8, target_seconds=20
        ).agents
        == 0
    )
    with pytest.raises(ValueError):
        erlang.agents_needed(
            calls=10, interval_minutes=30, aht_seconds=200, target_sl=0.8, target_seconds=20, shrinkage=1
        )
