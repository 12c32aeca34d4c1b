"""The scoring engine's arithmetic (seed 001), without a database."""

from decimal import Decimal as D

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opscenter.appraisal.scoring import (
    DEDUCTION,
    DOWNGRADE,
    LINEAR,
    STEP,
    TARGET,
    VETO,
    Band,
    Curve,
    RuleHit,
    apply_rules,
    band_index,
    weighted_total,
)

BANDS = [
    Band("优秀", D(90)),
    Band("良好", D(80)),
    Band("合格", D(70)),
    Band("基本合格", D(60)),
    Band("不合格", D(0)),
]


def grade(score):
    return apply_rules(D(score), [], BANDS).grade


def test_boundaries_are_inclusive_as_seed_001_writes_them():
    assert grade("90.0") == "优秀"
    assert grade("89.99") == "良好"
    assert grade("80") == "良好"
    assert grade("60") == "基本合格"
    assert grade("59.99") == "不合格"


def test_veto_overrides_a_95_point_score():
    out = apply_rules(D(95), [RuleHit(VETO, "虚假报案")], BANDS)
    assert out.grade == "不合格"
    assert out.score == D("95.00")
    assert out.fired[0]["rule"] == "虚假报案"


def test_downgrade_by_two_moves_good_to_basic_pass():
    out = apply_rules(D(85), [RuleHit(DOWNGRADE, "未上收报案", grades=2)], BANDS)
    assert out.grade == "基本合格"


def test_downgrade_never_goes_below_the_lowest_band():
    out = apply_rules(D(65), [RuleHit(DOWNGRADE, "a", grades=2)], BANDS)
    assert out.grade == "不合格"


def test_deductions_lower_the_score_before_grading():
    hits = [RuleHit(DEDUCTION, "总公司投诉", points=D(3)), RuleHit(DEDUCTION, "投诉升级", points=D(2))]
    out = apply_rules(D("91.50"), hits, BANDS)
    assert out.score == D("86.50")
    assert out.grade == "良好"
    assert [f["effect"] for f in out.fired] == ["-3.00", "-2.00"]


def test_weighted_total_of_the_40_40_20_scheme():
    assert weighted_total([(D(90), D(40)), (D(80), D(40)), (D(100), D(20))]) == D("88.00")


def test_curves():
    assert Curve(LINEAR, zero_at=D(60), full_at=D(90)).score(D(75)) == D("50.00")
    assert Curve(LINEAR, zero_at=D(600), full_at=D(300)).score(D(400)) == D("66.67")  # lower is better
    assert Curve(STEP, steps=((D(80), D(60)), (D(90), D(100)))).score(D(85)) == D(60)
    assert Curve(TARGET, target=D(10)).score(D(12)) == D(100)
    assert Curve(TARGET, target=D(10)).score(D(7)) == D(70)
    assert Curve(LINEAR, zero_at=D(50), full_at=D(90), scale=D(100)).score(D("0.7")) == D("50.00")
    assert Curve(TARGET, target=D(10)).score(None) == D(0)


def test_band_index_lowest_catches_negative():
    assert band_index(D(-5), BANDS) == 4


decimals = st.decimals(min_value=-(10**6), max_value=10**6, allow_nan=False, allow_infinity=False, places=4)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    value=decimals,
    a=decimals,
    b=decimals,
    target=decimals,
    steps=st.lists(st.tuples(decimals, decimals), max_size=5),
    higher=st.booleans(),
)
def test_automatic_item_scores_are_always_within_0_and_100(value, a, b, target, steps, higher):
    for curve in (
        Curve(LINEAR, zero_at=a, full_at=b),
        Curve(STEP, steps=tuple(steps), higher_is_better=higher),
        Curve(TARGET, target=target),
    ):
        score = curve.score(value)
        assert D(0) <= score <= D(100)
