"""Channel grading: thresholds as data (pure matching), the scheduled pass (idempotent), versions,
and the grade's effect on ownership protection where the scheme sets it."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opscenter.core.exceptions import ValidationError
from opscenter.marketing import selectors, services
from opscenter.marketing.grading import grade_for, validate_thresholds
from opscenter.marketing.models import ChannelGrade, GradeScheme

D = dt.date
SCHEME = {"A": {"min_consultations": "3", "max_cost_per_deal_fen": "100000"}, "B": {"min_consultations": "1"}}


def test_grade_matching_takes_the_best_grade_whose_every_threshold_is_met():
    results = {"consultations": 5, "deals": 1, "spend_fen": 90_000, "cost_per_deal_fen": 90_000}
    assert grade_for(SCHEME, results) == "A"
    assert grade_for(SCHEME, {**results, "cost_per_deal_fen": 120_000}) == "B"
    assert grade_for(SCHEME, {**results, "consultations": 0}) == "C"
    # Spent without a deal fails a cost-per-deal threshold; nothing spent, nothing to fail.
    assert grade_for(SCHEME, {"consultations": 5, "spend_fen": 1, "cost_per_deal_fen": None}) == "B"
    assert grade_for(SCHEME, {"consultations": 5, "spend_fen": 0, "cost_per_deal_fen": None}) == "A"


@given(st.integers(0, 100), st.integers(0, 100))
def test_a_channel_meeting_more_never_grades_lower(low, extra):
    order = {"A": 0, "B": 1, "C": 2}
    worse = grade_for(SCHEME, {"consultations": low, "spend_fen": 0})
    better = grade_for(SCHEME, {"consultations": low + extra, "spend_fen": 0})
    assert order[better] <= order[worse]


def test_thresholds_for_grade_c_or_unknown_keys_are_rejected():
    with pytest.raises(ValidationError, match="只能为 A 级和 B 级设置门槛"):
        validate_thresholds({"C": {"min_consultations": 1}})
    with pytest.raises(ValidationError, match="未知的分级门槛"):
        validate_thresholds({"A": {"min_visits": 1}})
    with pytest.raises(ValidationError, match="不能为负数"):
        validate_thresholds({"A": {"min_deals": -1}})


def test_scheduled_pass_grades_last_month_once_and_protection_follows_the_grade(
    personas, channels, customer_at_a, journey
):
    services.grade_scheme_create(
        actor=personas.marketing_a, site_id=personas.site_a.pk, thresholds=SCHEME, window_months=1,
        protection_days={"B": 45},
    )  # fmt: skip
    customer = customer_at_a(kind="phone")
    journey.consult(customer, D(2026, 5, 10))
    done = services.channels_grade_due(today=D(2026, 6, 3))
    assert done == {personas.site_a.pk: 1}
    grade = ChannelGrade.objects.get()
    assert (grade.month, grade.channel_id, grade.grade, grade.scheme.version) == (
        202605,
        channels["phone"].pk,
        "B",
        1,
    )
    assert services.channels_grade_due(today=D(2026, 6, 4)) == {}
    assert (
        selectors.channel_protection_days(site_id=personas.site_a.pk, channel_id=channels["phone"].pk) == 45
    )
    assert (
        selectors.channel_protection_days(site_id=personas.site_a.pk, channel_id=channels["online"].pk)
        is None
    )


def test_a_new_scheme_is_a_new_version_and_the_old_one_is_kept(personas):
    for _ in range(2):
        services.grade_scheme_create(
            actor=personas.marketing_a, site_id=personas.site_a.pk, thresholds=SCHEME
        )
    assert list(GradeScheme.objects.values_list("version", "is_active").order_by("version")) == [
        (1, False),
        (2, True),
    ]


@pytest.mark.django_db
def test_the_channel_grade_sets_the_customers_ownership_protection_and_the_page_says_why(
    client, personas, channels, make_customer, customer_at_a, journey
):
    services.grade_scheme_create(
        actor=personas.marketing_a, site_id=personas.site_a.pk, thresholds=SCHEME, window_months=1,
        protection_days={"B": 45},
    )  # fmt: skip
    journey.consult(customer_at_a(kind="phone"), D(2026, 5, 10))
    services.channels_grade_due(today=D(2026, 6, 3))  # phone: B → 45 days
    graded = make_customer(kind="phone", name="李四")
    plain = make_customer(kind="online", name="王五")  # online is not graded: the site's 30 days
    default_days = personas.site_a.ownership_protection_days
    assert default_days != 45
    assert graded.protected_until() == graded.owner_since + dt.timedelta(days=45)
    assert plain.protected_until() == plain.owner_since + dt.timedelta(days=default_days)
    client.force_login(personas.consultant_a)
    page = client.get(f"/pipeline/customers/{graded.pk}/").content.decode()
    assert "45 天 · 渠道分级 B 级（2026-05，分级方案 v1）" in page
    page = client.get(f"/pipeline/customers/{plain.pk}/").content.decode()
    assert f"{default_days} 天 · 院区默认保护期" in page
