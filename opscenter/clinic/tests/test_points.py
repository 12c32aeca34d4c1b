"""The points ledger: earned per yuan by tier, granted as a benefit, redeemed on an order
(beyond the balance rejected), expired by rule (oldest first)."""

import datetime as dt
from decimal import Decimal

import pytest

from opscenter.clinic import selectors, services
from opscenter.clinic.models import PointsEntry, PointsRule
from opscenter.clinic.services import OrderLine
from opscenter.clinic.tests.conftest import spend
from opscenter.core.exceptions import ValidationError
from opscenter.members.services import member_refresh

pytestmark = pytest.mark.django_db


def _order(personas, clinic, c, day, yuan, redeem=0):
    return services.order_place(
        actor=personas.consultant_b, customer_id=c.pk, signed_on=day, redeem_points=redeem,
        lines=[OrderLine(item="光子嫩肤", category="skin", amount_fen=yuan * 100, center_id=clinic.skin.pk)],
    )  # fmt: skip


@pytest.fixture
def rules(clinic, ladder):
    """Default 1 point per yuan valid 12 months; 水晶级 earns 1.5 per yuan valid 6 months; a point
    is worth 1 fen (100 points = ¥1)."""
    PointsRule.objects.create(site=clinic.site, tier="", points_per_yuan=1, expiry_months=12,
                              valid_from=dt.date(2025, 1, 1))  # fmt: skip
    PointsRule.objects.create(site=clinic.site, tier="crystal", points_per_yuan=Decimal("1.5"), expiry_months=6,
                              valid_from=dt.date(2025, 1, 1))  # fmt: skip


def test_points_earned_by_tier_redeemed_and_expired(personas, clinic, customer, rules):
    c = customer()
    spend(c, dt.date(2026, 1, 10), 6_000)
    assert member_refresh(customer_id=c.pk, as_of=dt.date(2026, 2, 1)).tier == "crystal"
    _order(personas, clinic, c, dt.date(2026, 2, 1), 1_999)  # ¥1,999 × 1.5 = 2998.5 → 2998, to 2026-08-01
    _order(personas, clinic, c, dt.date(2026, 5, 1), 1_000)  # 1500, to 2026-11-01
    assert selectors.points_balance(user=personas.ops_b, customer_id=c.pk) == 4498
    deal = _order(personas, clinic, c, dt.date(2026, 6, 1), 100, redeem=1000)  # +150 earned, −1000 redeemed
    redeem = PointsEntry.objects.get(kind="redeem")
    assert (redeem.points, redeem.value_fen, redeem.deal_id) == (-1000, 1000, deal.pk)
    assert selectors.points_balance(user=personas.ops_b, customer_id=c.pk) == 3648
    # 2026-08-01: the February lot (2998) expires less the 1000 redeemed from it first → 1998.
    assert services.points_expire(site_id=clinic.site.pk, on=dt.date(2026, 8, 1)) == 1
    assert services.points_expire(site_id=clinic.site.pk, on=dt.date(2026, 8, 1)) == 0  # idempotent
    assert PointsEntry.objects.get(kind="expire").points == -1998
    assert selectors.points_balance(user=personas.ops_b, customer_id=c.pk) == 1650
    history = [(e.kind, e.points) for e in selectors.points_history(user=personas.ops_b, customer_id=c.pk)]
    assert history == [("expire", -1998), ("redeem", -1000), ("earn", 150), ("earn", 1500), ("earn", 2998)]


def test_redeeming_beyond_the_balance_is_rejected_and_nothing_is_written(personas, clinic, customer, rules):
    c = customer()
    deal = _order(personas, clinic, c, dt.date(2026, 2, 1), 300)  # default rule: 300 points
    with pytest.raises(ValidationError, match="积分余额不足：可用 300 分，本次抵扣 301 分"):
        services.points_redeem(actor=personas.consultant_b, customer_id=c.pk, points=301, deal_id=deal.pk,
                               on=dt.date(2026, 2, 2))  # fmt: skip
    with pytest.raises(ValidationError, match="积分余额不足"):
        _order(personas, clinic, c, dt.date(2026, 2, 3), 50, redeem=999)
    assert not PointsEntry.objects.filter(kind="redeem").exists()
    assert selectors.points_balance(user=personas.ops_b, customer_id=c.pk) == 300


def test_points_granted_as_a_benefit_choice(personas, clinic, customer, rules):
    c = customer()
    entry = services.points_grant(actor=personas.ops_b, customer_id=c.pk, points=580, on=dt.date(2026, 3, 1),
                                  note="B级权益：赠送积分")  # fmt: skip
    assert (entry.kind, entry.expires_on) == ("grant", dt.date(2027, 3, 1))
    with pytest.raises(ValidationError, match="积分应为正整数"):
        services.points_grant(actor=personas.ops_b, customer_id=c.pk, points=0)


def test_b_tier_benefit_choice_grants_points_or_a_gift(personas, clinic, customer, rules):
    c = customer()
    entry = services.benefit_choose(actor=personas.consultant_b, customer_id=c.pk, choice="points", points=580,
                                    given_on=dt.date(2026, 3, 1))  # fmt: skip
    assert (entry.kind, entry.points, entry.note) == ("grant", 580, "会员权益：赠送积分")
    order = services.benefit_choose(actor=personas.consultant_b, customer_id=c.pk, choice="skin_care",
                                    approver_id=clinic.on_duty.pk, center_id=clinic.skin.pk, cost_fen=18_000,
                                    given_on=dt.date(2026, 3, 2))  # fmt: skip
    gift = order.transactions.get()
    assert (order.benefit_choice, gift.item, gift.amount_fen, gift.cost_fen) == (
        "skin_care",
        "580元皮肤护理",
        0,
        18_000,
    )
    with pytest.raises(ValidationError, match="赠送开单须指定审批人"):
        services.benefit_choose(actor=personas.consultant_b, customer_id=c.pk, choice="dental_voucher",
                                center_id=clinic.dental.pk, given_on=dt.date(2026, 3, 2))  # fmt: skip
