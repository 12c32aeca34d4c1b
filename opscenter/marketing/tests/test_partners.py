"""Commission rules (percent of first-year revenue, fixed per admission, tiered, 讲解费), monthly
statements with their lines, group tours creating consultations, and grading's effect on commission."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opscenter.appraisal.models import Partner
from opscenter.core.exceptions import ValidationError
from opscenter.marketing import services
from opscenter.marketing.commission import parse_tiers, tier_for
from opscenter.marketing.models import CommissionStatement, GroupTour
from opscenter.pipeline.models import Consultation, Customer

D = dt.date


@pytest.fixture
def insurer(personas, channels):
    from opscenter.pipeline.models import Channel

    channel = Channel.objects.create(
        site=personas.site_a, name="平安保险团队", kind="offline", partner="平安"
    )
    return Partner.objects.create(
        site=personas.site_a, name="平安保险宁波团队", kind="insurer_team", channel=channel
    )


def _rule(personas, partner, kind, **values):
    return services.commission_rule_create(
        actor=personas.marketing_a, partner_id=partner.pk, kind=kind, valid_from=D(2026, 1, 1), **values
    )


def test_overlapping_tiers_are_rejected_naming_the_rows(personas, insurer):
    with pytest.raises(ValidationError, match="第 1 档与第 2 档的人数区间重叠"):
        _rule(
            personas,
            insurer,
            "tiered",
            tiers=[{"from": 1, "to": 5, "fen": 100000}, {"from": 5, "to": None, "fen": 150000}],
        )
    with pytest.raises(ValidationError, match="重叠"):
        _rule(
            personas,
            insurer,
            "tiered",
            tiers=[{"from": 1, "to": None, "fen": 1}, {"from": 9, "to": 12, "fen": 2}],
        )


@given(st.lists(st.tuples(st.integers(1, 50), st.integers(0, 20)), min_size=1, max_size=5))
def test_accepted_tiers_never_overlap(pairs):
    rows = [{"from": low, "to": low + width, "fen": 100} for low, width in pairs]
    try:
        tiers = parse_tiers(rows)
    except ValidationError:
        return
    for count in range(1, 80):
        assert sum(1 for t in tiers if t.low <= count and (t.high is None or count <= t.high)) <= 1
        match = tier_for(tiers, count)
        assert match is None or match.low <= count


def test_statement_adds_up_each_rule_with_a_line_per_deal_and_tour(personas, insurer, make_customer, journey):
    _rule(personas, insurer, "percent_first_year", rate_pct="5")
    _rule(personas, insurer, "fixed_per_admission", fixed_fen=100_000)
    _rule(personas, insurer, "tour_fee", fixed_fen=20_000)
    referred = []
    for name in ("赵一", "钱二"):
        customer = make_customer(personas.marketing_a, name=name)
        Customer.objects.filter(pk=customer.pk).update(channel=insurer.channel)
        journey.consult(customer, D(2026, 3, 1))
        referred.append(customer)
    journey.deal(referred[0], D(2026, 3, 10), 1_200_001)
    journey.deal(referred[1], D(2026, 3, 11), 800_000)
    services.group_tour_record(
        actor=personas.marketing_a,
        partner_id=insurer.pk,
        team_name="平安江北营业部",
        toured_on=D(2026, 3, 18),
        headcount=25,
    )
    statement = services.statement_generate(actor=personas.marketing_a, partner_id=insurer.pk, month=202603)
    amounts = sorted(statement.lines.values_list("amount_fen", flat=True))
    # 5 % of 1,200,001 = 60,000.05 → 60,000; 5 % of 800,000 = 40,000; 2 × 100,000; one 讲解费 20,000.
    assert amounts == [20_000, 40_000, 60_000, 100_000, 100_000]
    assert statement.total_fen == 320_000
    # Regenerating supersedes the old statement instead of rewriting it.
    again = services.statement_generate(actor=personas.marketing_a, partner_id=insurer.pk, month=202603)
    assert CommissionStatement.objects.get(pk=statement.pk).status == "superseded"
    assert again.total_fen == 320_000


def test_tiered_rule_pays_every_admission_of_the_month_at_the_matched_tier(
    personas, insurer, make_customer, journey
):
    _rule(
        personas,
        insurer,
        "tiered",
        tiers=[{"from": 1, "to": 1, "fen": 50_000}, {"from": 2, "to": None, "fen": 80_000}],
    )
    for name in ("孙三", "李四"):
        customer = make_customer(personas.marketing_a, name=name)
        Customer.objects.filter(pk=customer.pk).update(channel=insurer.channel)
        journey.consult(customer, D(2026, 4, 1))
        journey.deal(customer, D(2026, 4, 8), 100_000)
    statement = services.statement_generate(actor=personas.marketing_a, partner_id=insurer.pk, month=202604)
    assert statement.total_fen == 160_000


def test_group_tour_creates_prospects_with_onsite_consultations(personas, insurer, channels):
    campaign = services.campaign_create(
        actor=personas.marketing_a,
        site_id=personas.site_a.pk,
        name="保险团队参观",
        code="tour-pingan",
        kind="partner_tour",
        starts_on=D(2026, 5, 1),
        ends_on=D(2026, 5, 31),
    )
    tour = services.group_tour_record(
        actor=personas.marketing_a,
        partner_id=insurer.pk,
        team_name="平安镇海营业部",
        toured_on=D(2026, 5, 9),
        headcount=12,
        guide_id=personas.marketing_a.staff.pk,
        campaign_id=campaign.pk,
        visitors=[{"name": "周五", "phone": "13900001111"}, {"name": "吴六", "phone": "13900002222"}],
    )
    assert GroupTour.objects.get() == tour
    consultations = Consultation.objects.filter(customer__channel=insurer.channel, mode="onsite")
    assert consultations.count() == 2
    assert campaign.touches.count() == 2


def test_group_tour_with_more_visitors_than_headcount_is_rejected(personas, insurer):
    with pytest.raises(ValidationError, match="来访人数多于团队人数"):
        services.group_tour_record(
            actor=personas.marketing_a,
            partner_id=insurer.pk,
            team_name="x",
            toured_on=D(2026, 5, 9),
            headcount=1,
            visitors=[{"name": "a", "phone": "13900003333"}, {"name": "b", "phone": "13900004444"}],
        )
    assert not GroupTour.objects.exists()


def test_channel_grade_scales_commission_where_the_scheme_says_so(personas, insurer, make_customer, journey):
    services.grade_scheme_create(
        actor=personas.marketing_a,
        site_id=personas.site_a.pk,
        thresholds={"A": {"min_deals": 1}, "B": {"min_consultations": 1}},
        window_months=1,
        commission_factor_pct={"A": "150"},
    )
    _rule(personas, insurer, "fixed_per_admission", fixed_fen=100_000)
    customer = make_customer(personas.marketing_a, name="郑七")
    Customer.objects.filter(pk=customer.pk).update(channel=insurer.channel, channel_kind="offline")
    journey.consult(customer, D(2026, 6, 1))
    journey.deal(customer, D(2026, 6, 8), 100_000)
    grades = {
        g.channel_id: g
        for g in services.channels_grade(actor=personas.marketing_a, site_id=personas.site_a.pk, month=202606)
    }
    assert grades[insurer.channel_id].grade == "A"
    assert grades[insurer.channel_id].results["deals"] == 1
    statement = services.statement_generate(actor=personas.marketing_a, partner_id=insurer.pk, month=202606)
    assert statement.total_fen == 150_000
    assert "A 级系数 150%" in statement.lines.get().explanation
