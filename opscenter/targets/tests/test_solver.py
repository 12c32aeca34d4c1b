"""Exact arithmetic of back- and forward-solving (DESIGN.md, funnel and target arithmetic)."""

from decimal import Decimal as D

import pytest

from opscenter.core.exceptions import ValidationError
from opscenter.targets.solver import Rates, back_solve, forward_solve, resolve_rates

SITE = Rates(
    revenue_per_deal_fen=D(5_000_000),  # ¥50,000
    conversion_rate=D("0.25"),
    phone_visit_rate=D("0.40"),
    online_visit_rate=D("0.20"),
    phone_appointment_rate=D("0.50"),
    online_appointment_rate=D("0.30"),
    mix_phone=D("0.5"),
    mix_online=D("0.3"),
    mix_walk_in=D("0.2"),
)


def test_back_solve_of_a_million_yuan_needs_twenty_deals_and_eighty_visits():
    need = back_solve(100_000_000, SITE)  # ¥1,000,000
    assert need.deals == 20  # 1,000,000 ÷ 50,000
    assert need.visits == 80  # 20 ÷ 25%
    assert (need.visits_phone, need.visits_online, need.visits_walk_in) == (40, 24, 16)
    assert need.consultations_phone == 100  # 40 ÷ 40%
    assert need.consultations_online == 120  # 24 ÷ 20%
    assert need.appointments_phone == 50 and need.appointments_online == 36


def test_back_solve_rounds_each_count_up_from_the_exact_chain():
    need = back_solve(12_000_000, SITE)  # ¥120,000 → 2.4 deals → 9.6 visits
    assert need.deals == 3
    assert need.visits == 10  # ceil(9.6), not 3 ÷ 25% = 12
    assert need.consultations_phone == 12  # 4.8 phone visits ÷ 40% = 12 exactly
    assert need.consultations_online == 15  # 2.88 ÷ 20% = 14.4 → 15


def test_forward_solve_reproduces_the_revenue_of_the_back_solved_consultations():
    expected = forward_solve(consultations_phone=100, consultations_online=120, visits_walk_in=16, rates=SITE)
    assert expected.visits_phone == D("40.0") and expected.visits_online == D("24.0")
    assert expected.visits == D("80.0")
    assert expected.deals == D("20.0")
    assert expected.revenue_fen == 100_000_000


def test_forward_solve_of_fewer_consultations_falls_short():
    expected = forward_solve(consultations_phone=50, consultations_online=0, visits_walk_in=3, rates=SITE)
    # 50 × 40% = 20 phone visits + 3 walk-ins = 23 visits × 25% = 5.75 deals × ¥50,000
    assert expected.deals == D("5.8")
    assert expected.revenue_fen == 28_750_000


def test_a_unit_with_no_history_takes_the_site_rates_and_says_which():
    resolved = resolve_rates(Rates(), SITE, {"conversion_rate": D("0.5")})
    assert resolved.sources["conversion_rate"] == "override"
    assert resolved.sources["phone_visit_rate"] == "site"
    assert set(resolved.fallbacks) == {
        "revenue_per_deal_fen", "phone_visit_rate", "online_visit_rate", "phone_appointment_rate",
        "online_appointment_rate", "mix_phone", "mix_online", "mix_walk_in",
    }  # fmt: skip
    need = back_solve(100_000_000, resolved.rates)
    assert need.deals == 20 and need.visits == 40  # conversion overridden to 50%


def test_a_unit_with_some_visits_keeps_its_own_mix():
    unit = Rates(mix_phone=D("1"), mix_online=D("0"), mix_walk_in=D("0"))
    resolved = resolve_rates(unit, SITE)
    assert resolved.sources["mix_online"] == "unit"
    need = back_solve(100_000_000, resolved.rates)
    assert (need.visits_phone, need.visits_online, need.visits_walk_in) == (80, 0, 0)
    assert need.consultations_phone == 200 and need.consultations_online == 0


@pytest.mark.parametrize(
    ("rates", "message"),
    [
        (Rates(**{**SITE.as_dict(), "conversion_rate": D("5.2")}), "成交率应在 0 到 500% 之间"),
        (Rates(**{**SITE.as_dict(), "phone_visit_rate": D("1.2")}), "电话上门率应在 0 到 100% 之间"),
        (Rates(**{**SITE.as_dict(), "phone_visit_rate": D("0")}), "电话上门率为 0，无法反推"),
        (Rates(**{**SITE.as_dict(), "conversion_rate": D("0")}), "成交率为 0，无法反推"),
        (Rates(**{**SITE.as_dict(), "revenue_per_deal_fen": None}), "缺少单笔贡献额"),
        (
            Rates(**{**SITE.as_dict(), "mix_phone": D(0), "mix_online": D(0), "mix_walk_in": D(0)}),
            "缺少上门构成",
        ),
    ],
)
def test_bad_rates_are_refused_with_a_clear_message_not_a_division_error(rates, message):
    with pytest.raises(ValidationError, match=message):
        back_solve(100_000_000, rates)


def test_negative_targets_are_refused():
    with pytest.raises(ValidationError, match="不能为负数"):
        back_solve(-1, SITE)
    with pytest.raises(ValidationError, match="不能为负数"):
        forward_solve(consultations_phone=-5, consultations_online=0, visits_walk_in=0, rates=SITE)


def test_a_zero_target_needs_nothing_even_without_rates():
    assert back_solve(0, Rates()).deals == 0
