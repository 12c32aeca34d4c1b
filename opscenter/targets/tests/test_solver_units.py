"""The funnel chain has one unit throughout (the event row: consultations, visits, signed deals),
so forward- and back-solving are inverses on real history, repeat buyers included (issue 12, item 1)."""

from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from opscenter.pipeline.selectors import FunnelRow
from opscenter.targets.actuals import rates_from_row
from opscenter.targets.solver import RATE_KEYS, RATE_UNITS, back_solve, forward_solve


def _history(*, cp: int, co: int, vp: int, vo: int, vw: int, deals: int, customers: int, revenue_fen: int):
    row = FunnelRow(month=None)
    row.counts.update(
        consultations_phone=cp,
        consultations_online_local=co,
        visits_phone=vp,
        visits_online_local=vo,
        visits_walk_in=vw,
        visits=vp + vo + vw,
        deals=deals,
    )
    row.revenue_fen = revenue_fen
    row.deal_customers = customers
    return row


def test_a_hundred_visits_fifty_deals_by_twenty_five_customers_forward_solve_to_their_revenue():
    # The example: ¥50,000 from 50 deals by 25 customers (each bought twice).
    row = _history(cp=200, co=0, vp=100, vo=0, vw=0, deals=50, customers=25, revenue_fen=5_000_000)
    rates = rates_from_row(row)
    assert rates.revenue_per_deal_fen == D(100_000)  # ¥1,000 a deal, not ¥2,000 a customer
    expected = forward_solve(consultations_phone=200, consultations_online=0, visits_walk_in=0, rates=rates)
    assert expected.deals == D("50.0")
    assert expected.revenue_fen == 5_000_000  # not ¥100,000
    need = back_solve(5_000_000, rates)
    assert (need.deals, need.visits, need.consultations_phone) == (50, 100, 200)  # not 25 / 50 / 100


@st.composite
def histories(draw):
    customers = draw(st.integers(1, 40))
    deals = customers + draw(st.integers(1, 60))  # at least one repeat buyer
    vp = draw(st.integers(1, 150))
    vo = draw(st.integers(0, 150))
    vw = draw(st.integers(0, 150)) + max(0, -(-deals // 5) - vp - vo)  # at most 5 deals a visit
    return _history(
        cp=vp + draw(st.integers(0, 400)),
        co=vo + draw(st.integers(0, 400)) if vo else 0,
        vp=vp,
        vo=vo,
        vw=vw,
        deals=deals,
        customers=customers,
        revenue_fen=draw(st.integers(deals, 10**10)),
    )


@given(histories())
def test_forward_of_back_is_the_identity_on_history_with_repeat_buyers(row):
    rates = rates_from_row(row)
    x = row.revenue_fen
    need = back_solve(x, rates)
    # Back-solving the history's own revenue gives back its own funnel …
    assert need.deals == row.counts["deals"]
    assert need.visits == row.counts["visits"]
    assert need.consultations_phone == row.counts["consultations_phone"]
    assert need.consultations_online == row.counts["consultations_online_local"]
    # … and forward-solving those needs gives back the revenue: forward(back(x)) = x.
    expected = forward_solve(
        consultations_phone=need.consultations_phone,
        consultations_online=need.consultations_online,
        visits_walk_in=need.visits_walk_in,
        rates=rates,
    )
    assert expected.revenue_fen == x


def test_every_rate_names_its_unit():
    assert set(RATE_UNITS) == set(RATE_KEYS)
    assert "笔" in str(RATE_UNITS["conversion_rate"]) and "人次" in str(RATE_UNITS["conversion_rate"])
    assert "元/笔" in str(RATE_UNITS["revenue_per_deal_fen"])
