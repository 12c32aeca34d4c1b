"""Risk levels, review intervals, due reviews and the period summary compared with the previous one."""

from __future__ import annotations

import datetime as dt

import pytest

from opscenter.care import services
from opscenter.care.models import RiskAssessment
from opscenter.care.selectors.risks import due_reviews, risk_summary
from opscenter.core.exceptions import ValidationError

from .conftest import MORSE_HIGH, MORSE_LOW

BRADEN_MEDIUM = {"sensory": 3, "moisture": 3, "activity": 3, "mobility": 3, "nutrition": 3, "friction": 2}


@pytest.fixture
def two(care, signed):
    def admit(name, bed):
        return services.residency_admit(
            actor=care.personas.ops_a, deal_id=signed(name).pk, bed_id=bed.pk, started_on=dt.date(2026, 1, 10)
        )

    return admit("甲", care.beds["assisted"][0]), admit("乙", care.beds["assisted"][1])


def assess(care, residency, kind, answers, day):
    return services.risk_assess(
        actor=care.personas.nursing_a, residency_id=residency.pk, kind=kind, answers=answers, assessed_on=day
    )


def test_level_sets_the_next_review_from_the_editable_interval(care, two):
    a, _b = two
    high = assess(care, a, "fall", MORSE_HIGH, dt.date(2026, 2, 1))
    assert (high.score, high.level, high.next_review_on) == (45, "high", dt.date(2026, 2, 8))
    settings = services.care_settings_for(care.site.pk)
    services.care_settings_update(
        actor=care.personas.ops_a, site_id=care.site.pk, version=settings.version, review_days_medium=14
    )
    medium = assess(care, a, "pressure", BRADEN_MEDIUM, dt.date(2026, 2, 1))
    assert (medium.score, medium.level, medium.next_review_on) == (17, "medium", dt.date(2026, 2, 15))


def test_stale_settings_edit_is_refused(care):
    settings = services.care_settings_for(care.site.pk)
    with pytest.raises(ValidationError):
        services.care_settings_update(
            actor=care.personas.ops_a, site_id=care.site.pk, version=settings.version + 1, review_days_high=3
        )


def test_reassessment_supersedes_and_due_list_shows_current_only(care, two):
    a, b = two
    first = assess(care, a, "fall", MORSE_HIGH, dt.date(2026, 2, 1))
    assess(care, a, "fall", MORSE_LOW, dt.date(2026, 2, 6))
    assess(care, b, "fall", MORSE_HIGH, dt.date(2026, 2, 3))
    first.refresh_from_db()
    assert first.superseded_on == dt.date(2026, 2, 6)
    rows = list(due_reviews(site_id=care.site.pk, today=dt.date(2026, 2, 12)))
    assert [(r.residency_id, r.next_review_on) for r in rows] == [(b.pk, dt.date(2026, 2, 10))]
    assert (
        list(due_reviews(site_id=care.site.pk, today=dt.date(2026, 2, 12), zone_id=care.zones["rehab"].pk))
        == []
    )


def test_summary_compares_with_the_previous_period(care, two):
    a, b = two
    assess(care, a, "fall", MORSE_HIGH, dt.date(2026, 2, 5))  # on the list in February and March
    assess(care, b, "fall", MORSE_HIGH, dt.date(2026, 2, 5))
    assess(care, b, "fall", MORSE_LOW, dt.date(2026, 3, 2))  # b leaves the list in March
    assess(care, a, "pressure", BRADEN_MEDIUM, dt.date(2026, 3, 3))
    result = risk_summary(site_id=care.site.pk, start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31))
    assert (result["prev_start"], result["prev_end"]) == (dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    assert (result["count"], result["count_before"]) == (1, 2)
    assert [r["residency"].pk for r in result["rows"]] == [a.pk] and result["rows"][0]["new"] is False
    assert [r.pk for r in result["left"]] == [b.pk]
    fall = next(t for t in result["table"] if t["kind"] == "跌倒")
    assert fall["levels"][0] == {"level": "高", "now": 1, "before": 2, "change": -1}
    assert RiskAssessment.objects.count() == 4


def test_out_of_range_braden_answer_is_rejected(care, two):
    with pytest.raises(ValidationError) as err:
        assess(care, two[0], "pressure", {**BRADEN_MEDIUM, "friction": 4}, dt.date(2026, 2, 1))
    assert "摩擦力和剪切力" in err.value.message
    assert RiskAssessment.objects.count() == 0
