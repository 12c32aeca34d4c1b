"""Exact scale scoring, the suggested zone and out-of-range answers (plus properties)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opscenter.care import scales
from opscenter.core.exceptions import ValidationError

from .conftest import BARTHEL_55, BARTHEL_FULL


def test_barthel_full_independence_scores_100():
    assert scales.score(scales.BARTHEL, BARTHEL_FULL) == 100
    assert scales.barthel_band(100) == "independent"


def test_barthel_partial_scores_exact_sum():
    assert scales.score(scales.BARTHEL, BARTHEL_55) == 55  # 10+0+5+5+10+10+5+5+5+0
    assert scales.barthel_band(55) == "moderate"
    assert scales.barthel_band(60) == "moderate"
    assert scales.barthel_band(40) == "severe"
    assert scales.barthel_band(61) == "mild"


def test_barthel_has_ten_items_from_0_to_100():
    assert len(scales.BARTHEL.items) == 10
    assert (scales.BARTHEL.minimum, scales.BARTHEL.maximum) == (0, 100)


@pytest.mark.parametrize(
    ("answers", "total", "level"),
    [
        (
            {
                "history": 0,
                "secondary_diagnosis": 0,
                "ambulatory_aid": 0,
                "iv": 0,
                "gait": 0,
                "mental_status": 0,
            },
            0,
            "low",
        ),
        (
            {
                "history": 0,
                "secondary_diagnosis": 15,
                "ambulatory_aid": 0,
                "iv": 0,
                "gait": 10,
                "mental_status": 0,
            },
            25,
            "medium",
        ),
        (
            {
                "history": 25,
                "secondary_diagnosis": 0,
                "ambulatory_aid": 0,
                "iv": 0,
                "gait": 10,
                "mental_status": 0,
            },
            35,
            "medium",
        ),
        (
            {
                "history": 25,
                "secondary_diagnosis": 0,
                "ambulatory_aid": 0,
                "iv": 20,
                "gait": 0,
                "mental_status": 0,
            },
            45,
            "high",
        ),
        (
            {
                "history": 25,
                "secondary_diagnosis": 15,
                "ambulatory_aid": 30,
                "iv": 20,
                "gait": 20,
                "mental_status": 15,
            },
            125,
            "high",
        ),
    ],
)
def test_morse_total_and_level(answers, total, level):
    assert scales.score(scales.MORSE, answers) == total
    assert scales.morse_level(total) == level


@pytest.mark.parametrize(
    ("values", "total", "level"),
    [
        ((4, 4, 4, 4, 4, 3), 23, "low"),
        ((3, 3, 3, 3, 3, 3), 18, "medium"),
        ((2, 2, 2, 2, 2, 2), 12, "high"),
        ((1, 1, 1, 1, 1, 1), 6, "high"),
        ((3, 3, 3, 3, 3, 2), 17, "medium"),
        ((4, 4, 4, 4, 2, 1), 19, "low"),
    ],
)
def test_braden_total_and_level(values, total, level):
    codes = [i.code for i in scales.BRADEN.items]
    assert scales.score(scales.BRADEN, dict(zip(codes, values, strict=True))) == total
    assert scales.braden_level(total) == level


def test_minicog_and_mmse_totals_and_cutoffs():
    rule = scales.ZoneRule(cognitive_screen="minicog")
    assert scales.score(scales.MINICOG, {"recall": 1, "clock": 2}) == 3
    assert not scales.cognitive_impaired(3, rule)
    assert scales.cognitive_impaired(2, rule)
    mmse = {i.code: i.maximum for i in scales.MMSE.items}
    assert scales.score(scales.MMSE, mmse) == 30
    rule = scales.ZoneRule(cognitive_screen="mmse", mmse_cutoff=24)
    assert scales.cognitive_impaired(23, rule) and not scales.cognitive_impaired(24, rule)


@pytest.mark.parametrize(
    ("barthel", "cognitive", "zone"),
    [
        (100, 5, "assisted"),
        (61, 3, "assisted"),
        (60, 3, "rehab"),
        (20, 4, "rehab"),
        (100, 2, "dementia"),
        (40, 0, "dementia"),
    ],
)
def test_suggested_zone(barthel, cognitive, zone):
    assert scales.suggested_zone(barthel=barthel, cognitive=cognitive, rule=scales.ZoneRule()) == zone


def test_suggested_zone_follows_edited_thresholds():
    rule = scales.ZoneRule(barthel_rehab_max=70, cognitive_screen="mmse", mmse_cutoff=20)
    assert scales.suggested_zone(barthel=65, cognitive=22, rule=rule) == "rehab"
    assert scales.suggested_zone(barthel=65, cognitive=19, rule=rule) == "dementia"


@pytest.mark.parametrize("bad", [7, 20, -5, "x", 5.5, True, None])
def test_barthel_answer_out_of_range_is_rejected_naming_the_item(bad):
    with pytest.raises(ValidationError) as err:
        scales.score(scales.BARTHEL, {**BARTHEL_FULL, "feeding": bad})
    assert "进食" in err.value.message
    assert err.value.field == "barthel.feeding"


def test_unknown_item_is_rejected():
    with pytest.raises(ValidationError):
        scales.score(scales.MINICOG, {"recall": 3, "clock": 2, "extra": 1})


@settings(deadline=None)  # a loaded CI machine must not turn slowness into failure
@given(st.sampled_from(list(scales.SCALES.values())), st.data())
def test_any_allowed_answers_score_their_sum_within_bounds(scale, data):
    answers = {item.code: data.draw(st.sampled_from(sorted(item.values))) for item in scale.items}
    total = scales.score(scale, answers)
    assert total == sum(answers.values())
    assert scale.minimum <= total <= scale.maximum


@settings(deadline=None)  # a loaded CI machine must not turn slowness into failure
@given(st.sampled_from(list(scales.SCALES.values())), st.data(), st.integers(-1000, 1000))
def test_any_disallowed_value_is_rejected(scale, data, value):
    item = data.draw(st.sampled_from(scale.items))
    answers = {i.code: min(i.values) for i in scale.items}
    answers[item.code] = value
    if value in item.values:
        assert scales.score(scale, answers) == sum(answers.values())
    else:
        with pytest.raises(ValidationError):
            scales.score(scale, answers)


@settings(deadline=None)  # a loaded CI machine must not turn slowness into failure
@given(st.integers(0, 100), st.integers(0, 5))
def test_suggested_zone_is_monotone_in_dependence(barthel, cognitive):
    rule = scales.ZoneRule()
    zone = scales.suggested_zone(barthel=barthel, cognitive=cognitive, rule=rule)
    if cognitive < 3:
        assert zone == "dementia"
    elif barthel <= 60:
        assert zone == "rehab"
    else:
        assert zone == "assisted"
