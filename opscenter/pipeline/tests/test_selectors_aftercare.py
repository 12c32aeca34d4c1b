"""Counts outside the funnel's five queries: new residents by stay type / care zone (elder care)
and follow-up completion — exact on a hand-built history, scoped and filtered like the funnel, and
drilling down to exactly the rows they count."""

import datetime as dt

import pytest

from opscenter.core.exceptions import ValidationError
from opscenter.org.models import Team
from opscenter.org.selectors import scope_for
from opscenter.pipeline import selectors, services
from opscenter.pipeline.selectors import ALL_METRICS, METRICS, FunnelFilters
from opscenter.pipeline.tests.aftercare import (
    FOLLOWUPS,
    RESIDENTS,
    _signed,
    build_followups,
    build_residents,
)
from opscenter.pipeline.tests.aftercare import (
    _customer as aftercare_customer,
)
from opscenter.pipeline.tests.conftest import at

pytestmark = pytest.mark.django_db

RESIDENT_KEYS = [key for key, m in ALL_METRICS.items() if not m.in_funnel]
FOLLOWUP_KEYS = ["followups_done", "followups_scheduled"]


def _filters(**kwargs) -> FunnelFilters:
    return FunnelFilters(month_from=202601, month_to=202606, view="event", **kwargs)


def _nonzero(months: dict[int, dict[str, int]]) -> dict[int, dict[str, int]]:
    return {m: {k: n for k, n in row.items() if n} for m, row in months.items() if any(row.values())}


@pytest.fixture
def residents(personas):
    build_residents(personas)


@pytest.fixture
def followups(personas):
    build_followups(personas)


def test_new_residents_are_seven_counts_the_funnel_does_not_compute():
    assert RESIDENT_KEYS == [
        "residents_new_trial",
        "residents_new_short",
        "residents_new_long",
        "residents_new_assisted",
        "residents_new_rehab",
        "residents_new_dementia",
        "residents_trial_converted",
    ]
    assert not set(RESIDENT_KEYS) & set(METRICS)
    assert selectors.metric_label("residents_new_trial") == "新入住 · 试住"
    assert selectors.metric_label("residents_new_dementia") == "新入住 · 失智区"


def test_new_residents_count_new_customers_signed_stays_by_month(personas, residents):
    site_a = _filters(site_id=personas.site_a.pk)
    counts = selectors.metric_counts(user=personas.ops_a, filters=site_a, keys=RESIDENT_KEYS)
    assert list(counts) == [202601, 202602, 202603, 202604, 202605, 202606]
    # Not the cancelled deal, not the returning customer's second deal, not the deal without a stay.
    assert _nonzero(counts) == RESIDENTS
    # The clinic's new-customer order has no stay type: site B has no new residents at all.
    site_b = selectors.metric_counts(
        user=personas.executive, filters=_filters(site_id=personas.site_b.pk), keys=RESIDENT_KEYS
    )
    assert _nonzero(site_b) == {}
    # ...while the funnel's new-customer deals count every first deal, stay or not (甲, 戊 in March).
    funnel = selectors.funnel(user=personas.ops_a, filters=site_a)
    assert [row.counts["deals_new"] for row in funnel.months][1:4] == [1, 2, 1]


def test_new_residents_follow_the_funnels_scope_and_filters(personas, residents):
    a2 = personas.consultant_a2.staff
    mine = selectors.metric_counts(user=personas.consultant_a2, filters=_filters(), keys=RESIDENT_KEYS)
    assert _nonzero(mine) == {202604: RESIDENTS[202604]}
    by_consultant = selectors.metric_counts(
        user=personas.ops_a, filters=_filters(consultant_id=a2.pk), keys=RESIDENT_KEYS
    )
    assert _nonzero(by_consultant) == {202604: RESIDENTS[202604]}
    by_department = selectors.metric_counts(
        user=personas.ops_a, filters=_filters(department_id=a2.department_id), keys=RESIDENT_KEYS
    )
    assert _nonzero(by_department) == RESIDENTS
    online = selectors.metric_counts(
        user=personas.ops_a, filters=_filters(channel_kind="online"), keys=RESIDENT_KEYS
    )
    assert _nonzero(online) == {202604: RESIDENTS[202604]}
    assert (
        _nonzero(selectors.metric_counts(user=personas.ops_b, filters=_filters(), keys=RESIDENT_KEYS)) == {}
    )


@pytest.mark.parametrize("who", ["ops_a", "consultant_a", "consultant_a2"])
def test_every_new_resident_count_drills_down_to_exactly_its_rows(personas, residents, who):
    user = getattr(personas, who)
    filters = _filters(site_id=personas.site_a.pk)
    counts = selectors.metric_counts(user=user, filters=filters, keys=RESIDENT_KEYS)
    for month, row in counts.items():
        for key, n in row.items():
            rows = selectors.funnel_rows(user=user, metric=key, filters=filters.for_month(month))
            assert rows.count() == n, (key, month)
            # By care zone: new customers' stays; by stay type: each resident's first of that type.
            assert all(d.status == "signed" for d in rows)
            if key.endswith(("assisted", "rehab", "dementia")):
                assert all(d.is_new_customer for d in rows)


def test_the_funnel_stays_five_queries_and_leaves_new_residents_out(
    personas, residents, django_assert_num_queries
):
    scope_for(personas.ops_a)  # resolved once per request in real use
    with django_assert_num_queries(5):
        result = selectors.funnel(user=personas.ops_a, filters=_filters())
    assert set(result.total.counts) == set(METRICS)
    with django_assert_num_queries(1):  # all six from one grouped query on the deals
        selectors.metric_counts(user=personas.ops_a, filters=_filters(), keys=RESIDENT_KEYS)


def test_a_trial_resident_who_signs_long_stay_counts_as_a_new_long_stay_resident_and_a_conversion(personas):
    """Seed 000's yearly long-stay target counts residents, however they started (issue 12, item 2)."""
    a = personas.consultant_a

    def _customer(actor, *, name):
        customer = aftercare_customer(actor, name=name)
        services.consultation_record(
            actor=actor, customer_id=customer.pk, mode="phone", occurred_at=at(2026, 1, 2)
        )
        return customer

    jia = _customer(a, name="试住转长住")
    _signed(a, jia, dt.date(2026, 1, 10), amount_fen=300_000, stay_type="trial", care_zone="assisted")
    _signed(a, jia, dt.date(2026, 2, 10), amount_fen=5_000_000, stay_type="long", care_zone="assisted")
    _signed(
        a, jia, dt.date(2026, 5, 10), amount_fen=5_000_000, stay_type="long", care_zone="assisted"
    )  # renewal
    yi = _customer(a, name="试住未转")
    _signed(a, yi, dt.date(2026, 1, 12), amount_fen=300_000, stay_type="trial", care_zone="rehab")
    bing = _customer(a, name="直接长住")
    _signed(a, bing, dt.date(2026, 2, 12), amount_fen=5_000_000, stay_type="long", care_zone="rehab")
    ding = _customer(a, name="撤销的转长住")
    _signed(a, ding, dt.date(2026, 1, 15), amount_fen=300_000, stay_type="trial", care_zone="rehab")
    cancelled = _signed(
        a, ding, dt.date(2026, 2, 15), amount_fen=5_000_000, stay_type="long", care_zone="rehab"
    )
    services.deal_transition(actor=a, deal_id=cancelled.pk, to_status="cancelled", reason="家属反对")

    keys = ["residents_new_trial", "residents_new_long", "residents_trial_converted"]
    counts = _nonzero(selectors.metric_counts(user=personas.ops_a, filters=_filters(), keys=keys))
    assert counts == {
        202601: {"residents_new_trial": 3},
        # 试住转长住's first long stay and 直接长住; the renewal in May and the cancelled one do not count.
        202602: {"residents_new_long": 2, "residents_trial_converted": 1},
    }
    rows = selectors.funnel_rows(user=personas.ops_a, metric="residents_trial_converted", filters=_filters())
    assert [(d.customer.name, d.signed_on) for d in rows] == [("试住转长住", dt.date(2026, 2, 10))]
    long_rows = selectors.funnel_rows(user=personas.ops_a, metric="residents_new_long", filters=_filters())
    assert sorted(d.customer.name for d in long_rows) == ["直接长住", "试住转长住"]


def test_unknown_count_keys_are_refused(personas):
    with pytest.raises(ValidationError):
        selectors.metric_counts(user=personas.ops_a, filters=_filters(), keys=["residents_new_forever"])
    with pytest.raises(ValidationError):
        selectors.followup_rows(user=personas.ops_a, filters=_filters(), metric="followups_lost")


def test_follow_up_completion_counts_by_scheduled_month(personas, followups, django_assert_num_queries):
    scope_for(personas.ops_a)
    with django_assert_num_queries(1):
        counts = selectors.followup_counts(user=personas.ops_a, filters=_filters())
    # Unreachable is not completed; the March follow-up done on 2 April completes March.
    assert _nonzero(counts) == FOLLOWUPS
    site_b = selectors.followup_counts(user=personas.executive, filters=_filters(site_id=personas.site_b.pk))
    assert _nonzero(site_b) == {202603: {"followups_done": 1, "followups_scheduled": 1}}


def test_follow_up_completion_filters_through_the_staff_and_the_customers_channel(personas, followups):
    a, a2 = personas.consultant_a.staff, personas.consultant_a2.staff

    def counts(user=personas.ops_a, **kwargs):
        return _nonzero(selectors.followup_counts(user=user, filters=_filters(**kwargs)))

    assert counts(consultant_id=a.pk) == {
        202603: {"followups_done": 2, "followups_scheduled": 3},
        202604: {"followups_done": 1, "followups_scheduled": 1},
    }
    assert counts(consultant_id=a2.pk) == {202603: {"followups_scheduled": 1}}
    assert counts(team_id=a.team_id) == FOLLOWUPS
    empty_team = Team.objects.create(department=a.department, name="二组")
    assert counts(team_id=empty_team.pk) == {}
    assert counts(department_id=a.department_id) == FOLLOWUPS
    assert counts(channel_kind="online") == {
        202603: {"followups_done": 1, "followups_scheduled": 1},
        202604: {"followups_done": 1, "followups_scheduled": 1},
    }
    # Own-only: a consultant counts the follow-ups assigned to them; another site's manager nothing.
    assert counts(user=personas.consultant_a2) == {202603: {"followups_scheduled": 1}}
    assert counts(user=personas.ops_b, site_id=personas.site_a.pk) == {}


@pytest.mark.parametrize("who", ["ops_a", "consultant_a", "consultant_a2", "executive"])
def test_follow_up_counts_drill_down_to_exactly_their_rows(personas, followups, who):
    user = getattr(personas, who)
    filters = _filters()
    for month, row in selectors.followup_counts(user=user, filters=filters).items():
        for key in FOLLOWUP_KEYS:
            rows = selectors.followup_rows(user=user, filters=filters.for_month(month), metric=key)
            assert rows.count() == row[key], (who, key, month)
    done = selectors.followup_rows(user=personas.ops_a, filters=filters.for_month(202603))
    assert [(f.customer.name, str(f.done_on), f.outcome) for f in done] == [
        ("回访客户一", "2026-03-06", "reached"),
        ("回访客户二", "2026-04-02", "reached"),
    ]
