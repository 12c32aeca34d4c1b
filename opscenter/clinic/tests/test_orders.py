"""Orders credited to center, doctor and consultant in targets' actual-vs-target; gift orders
apart from revenue; refunds that reverse revenue and move the member to the special class."""

import datetime as dt

import pytest

from opscenter.clinic import selectors, services
from opscenter.clinic.metrics import CREDITED_REVENUE
from opscenter.clinic.services import GiftLine, OrderLine
from opscenter.core.exceptions import ValidationError
from opscenter.members import services as members
from opscenter.members.constants import SEED_004, SEED_004_NAME
from opscenter.members.services import member_refresh
from opscenter.pipeline import services as pipeline
from opscenter.pipeline.models import Transaction
from opscenter.pipeline.selectors import FunnelFilters
from opscenter.targets import services as targets
from opscenter.targets.progress import Period, plan_progress

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 24)


def _order(personas, clinic, c, day, *lines):
    return services.order_place(
        actor=personas.consultant_b, customer_id=c.pk, signed_on=day, lines=list(lines)
    )


def _skin(clinic, yuan, **kw):
    return OrderLine(item="光子嫩肤", category="skin", amount_fen=yuan * 100, center_id=clinic.skin.pk,
                     doctor_id=clinic.doctor.pk, **kw)  # fmt: skip


def _dental(clinic, yuan):
    return OrderLine(item="种牙", category="dental", amount_fen=yuan * 100, center_id=clinic.dental.pk,
                     doctor_id=clinic.dentist.pk)  # fmt: skip


@pytest.fixture
def sales(personas, clinic, customer):
    """March 2026: ¥8,000 skin (李医生) + ¥20,000 dental (王医生); April: ¥5,000 skin (李医生) of
    which ¥1,200 refunded in April. All sold by consultant_b."""
    a, b = customer(name="甲"), customer(name="乙")
    _order(personas, clinic, a, dt.date(2026, 3, 5), _skin(clinic, 8_000), _dental(clinic, 20_000))
    deal = _order(personas, clinic, b, dt.date(2026, 4, 2), _skin(clinic, 5_000))
    dispute = pipeline.dispute_open(actor=personas.ops_b, customer_id=b.pk, opened_on=dt.date(2026, 4, 10),
                                    category="treatment", description="效果不满意")  # fmt: skip
    purchase = Transaction.objects.get(deal=deal)
    services.refund_record(actor=personas.ops_b, transaction_id=purchase.pk, amount_fen=120_000,
                           dispute_id=dispute.pk, refunded_on=dt.date(2026, 4, 12))  # fmt: skip
    return SimpleNs(a=a, b=b, purchase=purchase, dispute=dispute)


class SimpleNs:
    def __init__(self, **kw):
        self.__dict__.update(kw)


def test_revenue_is_credited_to_center_doctor_and_consultant_in_actual_vs_target(personas, clinic, sales):
    plan = targets.plan_create(actor=personas.ops_b, site_id=clinic.site.pk, year=2026,
                               targets={CREDITED_REVENUE: 120_000_000}, month_split="even", today=TODAY)  # fmt: skip
    targets.plan_split_units(actor=personas.ops_b, plan_id=plan.pk, method="even", today=TODAY,
                             units=[f"department:{clinic.skin.pk}", f"department:{clinic.dental.pk}",
                                    f"department:{clinic.marketing.pk}"])  # fmt: skip
    targets.plan_split_units(actor=personas.ops_b, plan_id=plan.pk, parent=f"department:{clinic.skin.pk}",
                             units=[f"staff:{clinic.doctor.pk}"], method="even", today=TODAY)  # fmt: skip
    targets.plan_split_units(actor=personas.ops_b, plan_id=plan.pk, parent=f"department:{clinic.marketing.pk}",
                             units=[f"staff:{clinic.consultant.pk}"], method="even", today=TODAY)  # fmt: skip

    def actuals(month):
        progress = plan_progress(user=personas.ops_b, plan=plan, period=Period(month, month), today=TODAY)
        return {line.unit.key: (line.target, line.actual) for line in progress.lines[CREDITED_REVENUE]}

    skin, dental, mkt = (f"department:{d.pk}" for d in (clinic.skin, clinic.dental, clinic.marketing))
    doctor, consultant = f"staff:{clinic.doctor.pk}", f"staff:{clinic.consultant.pk}"
    assert actuals(202603) == {
        "site": (10_000_000, 2_800_000), skin: (3_333_334, 800_000), dental: (3_333_333, 2_000_000),
        mkt: (3_333_333, 2_800_000), doctor: (3_333_334, 800_000), consultant: (3_333_333, 2_800_000),
    }  # fmt: skip
    # April: ¥5,000 sold less ¥1,200 refunded, credited back to the same center, doctor, consultant.
    april = actuals(202604)
    assert {k: v[1] for k, v in april.items()} == {
        "site": 380_000,
        skin: 380_000,
        dental: 0,
        mkt: 380_000,
        doctor: 380_000,
        consultant: 380_000,
    }


def test_credited_rows_are_what_the_actual_sums_and_are_scoped(personas, clinic, sales):
    f = FunnelFilters(
        month_from=202603, month_to=202604, site_id=clinic.site.pk, consultant_id=clinic.doctor.pk
    )
    rows = selectors.credited_rows(user=personas.ops_b, filters=f)
    assert sorted((r.kind, r.amount_fen) for r in rows) == [("purchase", 500_000), ("purchase", 800_000),
                                                            ("refund", 120_000)]  # fmt: skip
    assert selectors.credited_rows(user=personas.ops_a, filters=f).count() == 0
    split = selectors.credited_split(
        user=personas.ops_b, site_id=clinic.site.pk, month_from=202603, month_to=202604
    )
    assert [(r["center__name"], r["net"]) for r in split["centers"]] == [
        ("口腔中心", 2_000_000),
        ("皮肤中心", 1_180_000),
    ]


def test_refund_reverses_revenue_settles_the_dispute_and_makes_the_member_special(personas, clinic, sales):
    refund = Transaction.objects.get(kind="refund", customer=sales.b)
    assert (refund.reverses_id, refund.dispute_id, refund.center_id, refund.doctor_id) == (
        sales.purchase.pk,
        sales.dispute.pk,
        clinic.skin.pk,
        clinic.doctor.pk,
    )
    sales.dispute.refresh_from_db()
    assert (sales.dispute.status, sales.dispute.outcome) == ("settled", "refunded")
    rule_set = members.tier_rules_create(actor=personas.ops_b, site_id=clinic.site.pk, name=SEED_004_NAME,
                                         definition=SEED_004)  # fmt: skip
    members.tier_rules_transition(actor=personas.ops_b, rule_set_id=rule_set.pk, to_status="active")
    assert member_refresh(customer_id=sales.b.pk, as_of=TODAY).tier == "J"  # 特殊存档（退费/赔偿）
    assert Transaction.objects.filter(pk=sales.purchase.pk).exists()  # never deleted


def test_refund_larger_than_what_is_left_paid_is_rejected(personas, clinic, sales):
    with pytest.raises(ValidationError, match=r"退费金额 ¥3800\.01 超过该笔消费尚可退金额 ¥3800\.00"):
        services.refund_record(actor=personas.ops_b, transaction_id=sales.purchase.pk, amount_fen=380_001,
                               dispute_id=sales.dispute.pk, refunded_on=dt.date(2026, 4, 20))  # fmt: skip
    assert Transaction.objects.filter(kind="refund").count() == 1
    with pytest.raises(ValidationError, match="退费/赔偿须关联纠纷登记"):
        services.refund_record(actor=personas.ops_b, transaction_id=sales.purchase.pk, amount_fen=100,
                               dispute_id=None, refunded_on=dt.date(2026, 4, 20))  # fmt: skip


def test_gift_order_needs_an_approver_has_zero_price_and_counts_apart(personas, clinic, customer, sales):
    c = sales.a
    line = GiftLine(item="580元皮肤护理", category="skin", cost_fen=18_000, center_id=clinic.skin.pk)
    with pytest.raises(ValidationError, match="赠送开单须指定审批人"):
        services.gift_order_create(actor=personas.consultant_b, customer_id=c.pk, lines=[line], reason="benefit",
                                   approver_id=None, given_on=dt.date(2026, 3, 20))  # fmt: skip
    with pytest.raises(ValidationError, match="审批人须为本院区科室/部门负责人"):
        services.gift_order_create(actor=personas.consultant_b, customer_id=c.pk, lines=[line], reason="benefit",
                                   approver_id=clinic.dentist.pk, given_on=dt.date(2026, 3, 20))  # fmt: skip
    assert not Transaction.objects.filter(kind="gift").exists()
    order = services.gift_order_create(
        actor=personas.consultant_b, customer_id=c.pk, lines=[line], reason="benefit", benefit_choice="skin_care",
        approver_id=clinic.on_duty.pk, given_on=dt.date(2026, 3, 20),
    )  # fmt: skip
    gift = order.transactions.get()
    assert (order.cost_fen, gift.kind, gift.amount_fen, gift.cost_fen) == (18_000, "gift", 0, 18_000)
    months = selectors.credited_revenue_by_month(
        user=personas.ops_b, filters=FunnelFilters(month_from=202603, month_to=202603, site_id=clinic.site.pk)
    )
    assert months == {202603: 2_800_000}
