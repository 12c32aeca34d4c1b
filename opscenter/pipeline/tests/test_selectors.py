"""The funnel on a hand-built fixture, asserted exactly in both views, with drill-downs and shares.

Site A, March–April 2026 (all times Asia/Shanghai):

C1 referral  phone consult 03-05; phone appt booked 03-05 → arrived 03-08; deals 03-08 ¥10,000 (new)
             and 04-02 ¥5,000 (repeat)
C2 referral  phone consult 03-10; phone appt booked 03-10 → no-show                 exit: price
C3 online    online consult 03-15 (本市); online appt booked 03-15 → arrived 04-02
C4 online    online consult 03-20 (上海, out of town); visit 04-05 without appt; deal 04-05 ¥2,000
C5 walk-in   registered by front desk, no consultation; visit 03-25 triaged to A2; deal 03-25 ¥3,000
C6 offline   (consultant A2) phone consult 04-01; phone appt 04-01 rescheduled, then cancelled
C7 offline   phone consults 02-27 (cohort February) and 03-02                       exit: death
C8 online    online consult 03-18 (本市), nothing more                                exit: price
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from opscenter.core.exceptions import ValidationError
from opscenter.core.testing import make_department
from opscenter.org.models import Staff, Team
from opscenter.org.selectors import scope_for
from opscenter.pipeline import selectors, services
from opscenter.pipeline.models import ExitReason
from opscenter.pipeline.selectors import METRICS, FunnelFilters, parse_funnel_filters
from opscenter.pipeline.tests.conftest import at


@pytest.fixture
def world(personas, make_customer):
    a, a2, desk = personas.consultant_a, personas.consultant_a2, personas.marketing_a
    c = {}
    c[1] = make_customer(a, kind="referral", name="C1", profession="教师")
    c[2] = make_customer(a, kind="referral", name="C2", profession="教师")
    c[3] = make_customer(a, kind="online", name="C3", profession="医务人员", city="宁波")
    c[4] = make_customer(a, kind="online", name="C4", city="上海")
    c[5] = make_customer(desk, kind="walk_in", name="C5")
    c[6] = make_customer(a2, kind="offline", name="C6")
    c[7] = make_customer(a, kind="offline", name="C7")
    c[8] = make_customer(a, kind="online", name="C8")

    def consult(n, when, mode, actor=a):
        services.consultation_record(actor=actor, customer_id=c[n].pk, mode=mode, occurred_at=when)

    def book(n, when, mode, actor=a, days=3):
        return services.appointment_book(
            actor=actor,
            customer_id=c[n].pk,
            mode=mode,
            booked_at=when,
            scheduled_for=when + dt.timedelta(days=days),
        )

    def deal(n, on, fen):
        services.deal_sign(
            actor=desk, customer_id=c[n].pk, signed_on=on, amount_fen=fen, consultant_id=a.staff.pk
        )

    consult(1, at(2026, 3, 5), "phone")
    appt1 = book(1, at(2026, 3, 5), "phone")
    services.visit_register(
        actor=desk, customer_id=c[1].pk, arrived_at=at(2026, 3, 8), appointment_id=appt1.pk
    )
    deal(1, dt.date(2026, 3, 8), 1_000_000)
    deal(1, dt.date(2026, 4, 2), 500_000)

    consult(2, at(2026, 3, 10), "phone")
    appt2 = book(2, at(2026, 3, 10), "phone")
    services.appointment_transition(actor=a, appointment_id=appt2.pk, to_status="no_show")

    consult(3, at(2026, 3, 15), "online")
    appt3 = book(3, at(2026, 3, 15), "online", days=18)
    services.visit_register(
        actor=desk, customer_id=c[3].pk, arrived_at=at(2026, 4, 2), appointment_id=appt3.pk
    )

    consult(4, at(2026, 3, 20), "online")
    services.visit_register(actor=desk, customer_id=c[4].pk, arrived_at=at(2026, 4, 5))
    deal(4, dt.date(2026, 4, 5), 200_000)

    services.visit_register(
        actor=desk, customer_id=c[5].pk, arrived_at=at(2026, 3, 25), onsite_consultant_id=a2.staff.pk
    )
    deal(5, dt.date(2026, 3, 25), 300_000)

    consult(6, at(2026, 4, 1), "phone", actor=a2)
    appt6 = book(6, at(2026, 4, 1), "phone", actor=a2)
    appt6b = services.appointment_reschedule(actor=a2, appointment_id=appt6.pk, scheduled_for=at(2026, 4, 9))
    services.appointment_transition(actor=a2, appointment_id=appt6b.pk, to_status="cancelled")

    consult(7, at(2026, 2, 27), "phone")
    consult(7, at(2026, 3, 2), "phone")
    consult(8, at(2026, 3, 18), "online")

    reasons = dict(ExitReason.objects.values_list("code", "pk"))
    for n, code in ((2, "price"), (8, "price"), (7, "death")):
        services.exit_record(
            actor=desk, customer_id=c[n].pk, exited_on=dt.date(2026, 5, 1), reason_id=reasons[code]
        )
    return c


def _filters(view, **kwargs):
    return FunnelFilters(month_from=202603, month_to=202604, view=view, **kwargs)


COHORT_TOTAL = {
    "consultations": 6,  # C1 C2 C3 C4 C8 (March cohort) + C6 (April); C7 is a February prospect
    "consultations_phone": 3,
    "consultations_online_local": 2,
    "consultations_online_remote": 1,
    "consultations_onsite": 0,
    "appointments": 4,  # C6's rescheduled row is not counted, its replacement is
    "appointments_phone": 3,
    "appointments_online_local": 1,
    "appointments_online_remote": 0,
    "appointments_arrived": 2,
    "appointments_no_show": 1,
    "appointments_due": 3,
    "visits": 4,
    "visits_phone": 1,
    "visits_online_local": 1,
    "visits_online_remote": 1,
    "visits_walk_in": 1,
    "visits_new": 4,
    "deals": 4,
    "deals_new": 3,
    "deals_history": 0,  # imported history: none here
}
EVENT_TOTAL = {**COHORT_TOTAL, "consultations": 7, "consultations_phone": 4}  # + C7's March consultation


def test_cohort_view_counts_and_rates_exactly(personas, world):
    result = selectors.funnel(user=personas.executive, filters=_filters("cohort"))
    assert result.total.counts == COHORT_TOTAL
    assert result.total.rates == {
        "phone_appointment_rate": Decimal("1.0000"),
        "online_appointment_rate": Decimal("0.5000"),
        "phone_visit_rate": Decimal("0.3333"),
        "online_visit_rate": Decimal("0.5000"),
        "no_show_rate": Decimal("0.3333"),
        "new_customer_conversion_rate": Decimal("0.7500"),
        "total_conversion_rate": Decimal("1.0000"),
    }
    assert (result.total.revenue_fen, result.total.deal_customers) == (2_000_000, 3)
    assert result.total.revenue_per_customer_fen == 666_667
    march, april = result.months
    assert (march.month, march.label, april.month) == (202603, "2026年3月", 202604)
    # Everything C1..C5 and C8 did counts in March, their first-contact month, even April's deals.
    assert (march.counts["consultations"], march.counts["visits"], march.counts["deals"]) == (5, 4, 4)
    assert (march.revenue_fen, march.deal_customers) == (2_000_000, 3)
    assert (april.counts["consultations_phone"], april.counts["appointments"], april.counts["visits"]) == (
        1,
        1,
        0,
    )
    assert april.rates["total_conversion_rate"] is None
    assert "首次咨询" in result.filters.view_label


def test_event_view_counts_each_row_in_its_own_month(personas, world):
    result = selectors.funnel(user=personas.executive, filters=_filters("event"))
    assert result.total.counts == EVENT_TOTAL
    assert result.total.rates["phone_appointment_rate"] == Decimal("0.7500")
    assert result.total.rates["phone_visit_rate"] == Decimal("0.2500")
    assert result.total.revenue_per_customer_fen == 666_667
    march, april = result.months
    assert (march.counts["consultations"], april.counts["consultations"]) == (6, 1)
    assert (march.counts["appointments"], april.counts["appointments"]) == (3, 1)
    assert (march.counts["visits"], april.counts["visits"]) == (2, 2)
    assert (
        march.counts["deals"],
        march.counts["deals_new"],
        april.counts["deals"],
        april.counts["deals_new"],
    ) == (2, 2, 2, 1)
    assert (march.revenue_fen, april.revenue_fen) == (1_300_000, 700_000)
    assert (march.deal_customers, april.deal_customers, result.total.deal_customers) == (2, 2, 3)
    assert "发生月份" in result.filters.view_label


@pytest.mark.parametrize("view", ["cohort", "event"])
def test_every_cell_drills_down_to_exactly_the_rows_counted(personas, world, view):
    filters = _filters(view)
    result = selectors.funnel(user=personas.executive, filters=filters)
    for key in METRICS:
        assert (
            selectors.funnel_rows(user=personas.executive, metric=key, filters=filters).count()
            == result.total.counts[key]
        ), key
        for row in result.months:
            rows = selectors.funnel_rows(
                user=personas.executive, metric=key, filters=filters.for_month(row.month)
            )
            assert rows.count() == row.counts[key], (key, row.month)
    deals = selectors.funnel_rows(user=personas.executive, metric="revenue_fen", filters=filters)
    assert sum(d.amount_fen for d in deals) == result.total.revenue_fen
    phone_visits = selectors.funnel_rows(user=personas.executive, metric="phone_visit_rate", filters=filters)
    assert [v.customer.name for v in phone_visits] == ["C1"]


def test_filters_by_consultant_channel_and_site(personas, world):
    a2 = personas.consultant_a2.staff
    mine = selectors.funnel(user=personas.executive, filters=_filters("cohort", consultant_id=a2.pk)).total
    assert (mine.counts["consultations"], mine.counts["visits_walk_in"], mine.counts["deals"]) == (1, 1, 1)
    online = selectors.funnel(
        user=personas.executive, filters=_filters("cohort", channel_kind="online")
    ).total
    assert (online.counts["consultations"], online.counts["visits"], online.counts["deals"]) == (3, 2, 1)
    other_site = selectors.funnel(
        user=personas.executive, filters=_filters("event", site_id=personas.site_b.pk)
    ).total
    assert sum(other_site.counts.values()) == 0


def test_a_consultant_sees_only_the_funnel_credited_to_them(personas, world):
    theirs = selectors.funnel(user=personas.consultant_a2, filters=_filters("cohort")).total
    assert theirs.counts["consultations"] == 1 and theirs.counts["deals"] == 1
    assert (
        selectors.funnel(user=personas.consultant_b, filters=_filters("cohort")).total.counts["consultations"]
        == 0
    )


def test_funnel_is_five_queries_whatever_the_data(personas, world, django_assert_max_num_queries):
    scope_for(personas.executive)  # resolved once per request in real use
    with django_assert_max_num_queries(5):
        selectors.funnel(user=personas.executive, filters=FunnelFilters(month_from=202501, month_to=202612))


def test_funnel_filters_parse_periods_and_reject_bad_input():
    parse = selectors.parse_funnel_filters
    assert (parse({"period": "2026Q2"}).month_from, parse({"period": "2026Q2"}).month_to) == (202604, 202606)
    assert (parse({"period": "2026"}).month_from, parse({"period": "2026"}).month_to) == (202601, 202612)
    f = parse(
        {"month_from": "2026-03", "month_to": "202604", "view": "event", "site": "3", "consultant": "7"}
    )
    assert (f.month_from, f.month_to, f.view, f.site_id, f.consultant_id) == (202603, 202604, "event", 3, 7)
    assert parse(f.as_params()) == f
    for bad in ({"period": "2026Q5"}, {"month_from": "2026-13"}, {"view": "weekly"}, {"site": "x"}):
        with pytest.raises(ValidationError):
            parse(bad)
    with pytest.raises(ValidationError):
        FunnelFilters(month_from=202605, month_to=202603)


def test_source_profession_and_exit_reason_tables_with_percentages(personas, world):
    source = selectors.share_table(user=personas.executive, table="source", site_id=personas.site_a.pk)
    assert [(s.label, s.count, s.percent) for s in source] == [
        ("线上", 3, Decimal("37.5")),
        ("线下渠道", 2, Decimal("25.0")),
        ("转介绍/口碑", 2, Decimal("25.0")),
        ("自然上门", 1, Decimal("12.5")),
    ]
    signed = selectors.share_table(user=personas.executive, table="source", signed_only=True)
    assert [(s.label, s.count, s.percent) for s in signed] == [
        ("线上", 1, Decimal("33.3")),
        ("自然上门", 1, Decimal("33.3")),
        ("转介绍/口碑", 1, Decimal("33.3")),
    ]
    profession = selectors.share_table(user=personas.executive, table="profession")
    assert [(s.label, s.percent) for s in profession] == [
        ("未填写", Decimal("62.5")),
        ("教师", Decimal("25.0")),
        ("医务人员", Decimal("12.5")),
    ]
    exits = selectors.share_table(user=personas.executive, table="exit_reason")
    assert [(s.label, s.count, s.percent) for s in exits] == [
        ("价格原因", 2, Decimal("66.7")),
        ("去世", 1, Decimal("33.3")),
    ]
    for table, shares in (("source", source), ("profession", profession), ("exit_reason", exits)):
        for share in shares:
            rows = selectors.share_rows(user=personas.executive, table=table, key=share.key)
            assert rows.count() == share.count


def test_share_tables_respect_the_cohort_period(personas, world):
    february = selectors.share_table(
        user=personas.executive, table="source", month_from=202602, month_to=202602
    )
    assert [(s.label, s.count, s.percent) for s in february] == [("线下渠道", 1, Decimal("100.0"))]


# --- the department filter: events credited to the teams of one department ----------------------


@pytest.fixture
def departments(personas, request):
    """Site A's 市场部 (team 一组: consultant_a) and a 客户管理部 (team 二组: consultant_a2, moved
    there before any event is recorded), then the selector tests' hand-built world."""
    marketing = personas.consultant_a.staff.department
    care = make_department(personas.site_a, "customer", "客户管理部")
    team = Team.objects.create(department=care, name="二组")
    Staff.objects.filter(pk=personas.consultant_a2.staff.pk).update(department=care, team=team)
    request.getfixturevalue("world")
    return marketing, care


def _counts(user, filters) -> dict[str, int]:
    total = selectors.funnel(user=user, filters=filters).total
    return {**total.counts, "revenue_fen": total.revenue_fen}


def test_department_filter_counts_the_events_of_its_teams_exactly(personas, departments):
    marketing, care = departments
    mine = _counts(personas.executive, _filters("cohort", department_id=marketing.pk))
    theirs = _counts(personas.executive, _filters("cohort", department_id=care.pk))
    # 咨询甲 (一组): C1 C2 (phone), C3 C4 C8 (online; C3 out of town); C1's visit and two deals,
    # C3's and C4's visits, C4's deal. 咨询甲二 (二组): C6's phone consultation and its one live
    # booking, C5's walk-in visit and deal (on-site consultant).
    assert (mine["consultations"], mine["consultations_phone"], mine["consultations_online_local"]) == (
        5,
        2,
        2,
    )
    assert (mine["appointments"], mine["visits"], mine["deals"], mine["revenue_fen"]) == (3, 3, 3, 1_700_000)
    assert (theirs["consultations"], theirs["consultations_phone"], theirs["appointments"]) == (1, 1, 1)
    assert (theirs["visits"], theirs["visits_walk_in"], theirs["deals"], theirs["revenue_fen"]) == (
        1, 1, 1, 300_000,
    )  # fmt: skip
    everyone = _counts(personas.executive, _filters("cohort"))
    assert all(mine[k] + theirs[k] == everyone[k] for k in everyone)


@pytest.mark.parametrize("view", ["cohort", "event"])
def test_department_drill_down_rows_equal_the_counts(personas, departments, view):
    for department in departments:
        filters = _filters(view, department_id=department.pk)
        result = selectors.funnel(user=personas.executive, filters=filters)
        for key in METRICS:
            rows = selectors.funnel_rows(user=personas.executive, metric=key, filters=filters)
            assert rows.count() == result.total.counts[key], (department.name, key)
            for row in result.months:
                cell = selectors.funnel_rows(
                    user=personas.executive, metric=key, filters=filters.for_month(row.month)
                )
                assert cell.count() == row.counts[key], (department.name, key, row.month)
        deals = selectors.funnel_rows(user=personas.executive, metric="revenue_fen", filters=filters)
        assert sum(d.amount_fen for d in deals) == result.total.revenue_fen


def test_a_consultant_filtering_by_department_still_sees_only_their_own(personas, departments):
    marketing, care = departments
    own = _counts(personas.consultant_a2, _filters("cohort", department_id=care.pk))
    assert (own["consultations"], own["deals"]) == (1, 1)
    assert sum(_counts(personas.consultant_a2, _filters("cohort", department_id=marketing.pk)).values()) == 0


def test_department_filter_round_trips_and_keeps_the_funnel_at_five_queries(
    personas, departments, django_assert_max_num_queries
):
    marketing, _care = departments
    filters = _filters("event", department_id=marketing.pk)
    assert filters.as_params()["department"] == str(marketing.pk)
    assert parse_funnel_filters(filters.as_params()) == filters
    scope_for(personas.executive)
    with django_assert_max_num_queries(5):
        selectors.funnel(user=personas.executive, filters=filters)
