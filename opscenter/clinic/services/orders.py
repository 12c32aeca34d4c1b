"""Orders (销售开单) on the pipeline's deals, gift orders (赠送开单) and refunds (退费/赔偿)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from opscenter.clinic.models import GiftOrder, Package
from opscenter.clinic.services._common import site_center, site_staff
from opscenter.core.audit import as_actor
from opscenter.core.bounds import MAX_AMOUNT_FEN, MAX_DEAL_LINES, MAX_SESSIONS
from opscenter.core.exceptions import NotFound, ValidationError
from opscenter.org.models import Department
from opscenter.pipeline import services as pipeline
from opscenter.pipeline.choices import DisputeOutcome, DisputeStatus, ItemCategory, TransactionKind
from opscenter.pipeline.models import Deal, Dispute, Transaction
from opscenter.pipeline.periods import month_key
from opscenter.pipeline.services._common import acting_staff, customer_for_write, past_date, scope_requiring


@dataclass(frozen=True)
class OrderLine:
    """One order line: the pipeline's line plus, for a course (`sessions` > 1), its validity."""

    item: str
    category: str
    amount_fen: int
    center_id: int
    sessions: int = 1
    doctor_id: int | None = None
    valid_days: int | None = None


@as_actor
@transaction.atomic
def order_place(
    *,
    actor,
    customer_id: int,
    signed_on: dt.date,
    lines: Iterable[OrderLine | Mapping[str, Any]],
    consultant_id: int | None = None,
    redeem_points: int = 0,
    note: str = "",
) -> Deal:
    """A sales order (销售开单): a pipeline Deal whose lines and purchase transactions carry the
    center, doctor, selling consultant and channel owner; every course line (sessions > 1) opens
    a package with its validity; points are earned on the amount (and `redeem_points` redeemed)."""
    from opscenter.clinic.services.points import points_earn_for_deal, points_redeem

    scope = scope_requiring(actor, "clinic.add_package")
    customer = customer_for_write(scope, customer_id)
    inputs = [ln if isinstance(ln, OrderLine) else OrderLine(**dict(ln)) for ln in lines]
    for n, ln in enumerate(inputs, start=1):
        row = _("第%(n)s行：") % {"n": n}
        site_center(customer.site_id, ln.center_id, field="lines", label=row)
        if ln.sessions > 1 and not ln.valid_days:
            raise ValidationError(row + _("疗程套餐请填写有效天数"), field="lines")
    deal = pipeline.deal_sign(
        actor=actor, customer_id=customer.pk, signed_on=signed_on, consultant_id=consultant_id,
        record_transactions=True, note=note,
        lines=[
            pipeline.DealLineInput(
                item=ln.item, category=ln.category, amount_fen=ln.amount_fen, sessions=ln.sessions,
                center_id=ln.center_id, doctor_id=ln.doctor_id,
            )
            for ln in inputs
        ],
    )  # fmt: skip
    deal_lines = list(deal.lines.order_by("pk"))
    Package.objects.bulk_create(
        [
            Package(
                site_id=customer.site_id, customer=customer, deal_line=dl, item=dl.item, category=dl.category,
                center_id=dl.center_id, doctor_id=dl.doctor_id, sessions_total=dl.sessions, amount_fen=dl.amount_fen,
                sold_on=signed_on, valid_until=signed_on + dt.timedelta(days=ln.valid_days),
            )
            for dl, ln in zip(deal_lines, inputs, strict=True)
            if ln.sessions > 1
        ]
    )  # fmt: skip
    points_earn_for_deal(deal=deal)
    if redeem_points:
        points_redeem(
            actor=actor, customer_id=customer.pk, points=redeem_points, deal_id=deal.pk, on=signed_on
        )
    return deal


@dataclass(frozen=True)
class GiftLine:
    item: str
    category: str
    cost_fen: int
    center_id: int
    sessions: int = 1


@as_actor
@transaction.atomic
def gift_order_create(
    *,
    actor,
    customer_id: int,
    lines: Iterable[GiftLine | Mapping[str, Any]],
    reason: str,
    approver_id: int | None,
    given_on: dt.date,
    benefit_choice: str = "",
    dispute_id: int | None = None,
    note: str = "",
) -> GiftOrder:
    """A gift order (赠送开单): items given free — zero price, their cost kept — approved by the
    manager of a department of the site (not the person writing it). Each line is a pipeline
    transaction of kind gift, so revenue is untouched and gifts are counted apart."""
    from opscenter.clinic.choices import BenefitChoice, GiftReason

    scope = scope_requiring(actor, "clinic.add_giftorder")
    customer = customer_for_write(scope, customer_id)
    if reason not in GiftReason.values:
        raise ValidationError(_("请选择赠送原因"), field="reason")
    if benefit_choice and benefit_choice not in BenefitChoice.values:
        raise ValidationError(_("权益选项不正确"), field="benefit_choice")
    if approver_id is None:
        raise ValidationError(
            _("赠送开单须指定审批人"), field="approver_id", log_message="gift without approver"
        )
    requester = acting_staff(scope, customer.site_id, None, label=_("开单人"), field="requested_by")
    approver = site_staff(customer.site_id, approver_id, field="approver_id", label=_("审批人"))
    if approver.pk == requester.pk:
        raise ValidationError(_("审批人不能是开单人本人"), field="approver_id")
    if not Department.objects.filter(site_id=customer.site_id, manager=approver).exists():
        raise ValidationError(_("审批人须为本院区科室/部门负责人"), field="approver_id")
    given_on = past_date(given_on, field="given_on", label=_("赠送日期"))
    dispute = None
    if dispute_id is not None:
        dispute = Dispute.objects.filter(pk=dispute_id, customer=customer).first()
        if dispute is None:
            raise ValidationError(_("纠纷记录不属于该客户"), field="dispute_id")
    inputs = [ln if isinstance(ln, GiftLine) else GiftLine(**dict(ln)) for ln in lines]
    if not inputs:
        raise ValidationError(_("赠送单至少需要一个项目"), field="lines")
    if len(inputs) > MAX_DEAL_LINES:
        raise ValidationError(_("明细过多"), field="lines")
    for n, ln in enumerate(inputs, start=1):
        row = _("第%(n)s行：") % {"n": n}
        if not (ln.item or "").strip():
            raise ValidationError(row + _("请填写项目名称"), field="lines")
        if ln.category not in ItemCategory.values:
            raise ValidationError(row + _("项目类别不正确"), field="lines")
        if (
            isinstance(ln.cost_fen, bool)
            or not isinstance(ln.cost_fen, int)
            or not 0 <= ln.cost_fen <= MAX_AMOUNT_FEN
        ):
            raise ValidationError(row + _("成本应为不小于 0 的金额"), field="lines")
        if (
            isinstance(ln.sessions, bool)
            or not isinstance(ln.sessions, int)
            or not 1 <= ln.sessions <= MAX_SESSIONS
        ):
            raise ValidationError(row + _("次数应为 1–999"), field="lines")
        site_center(customer.site_id, ln.center_id, field="lines", label=row)
    order = GiftOrder.objects.create(
        site_id=customer.site_id, customer=customer, reason=reason, benefit_choice=benefit_choice,
        requested_by=requester, approver=approver, given_on=given_on,
        cost_fen=sum(ln.cost_fen for ln in inputs), dispute=dispute, note=note,
    )  # fmt: skip
    # One save per line (a handful) so the members' bookkeeping signal sees them.
    txns = [
        Transaction.objects.create(
            site_id=customer.site_id, customer=customer, occurred_on=given_on, month=month_key(given_on),
            item=ln.item.strip(), category=ln.category, sessions=ln.sessions, amount_fen=0, cost_fen=ln.cost_fen,
            kind=TransactionKind.GIFT, center_id=ln.center_id, consultant=requester, dispute=dispute,
            receipt_no=f"GIFT-{order.pk}",
        )
        for ln in inputs
    ]  # fmt: skip
    order.transactions.add(*txns)
    return order


def paid_left(purchase: Transaction) -> int:
    """What is still refundable of a purchase: its amount less the refunds that reversed it."""
    refunded = purchase.reversals.filter(kind=TransactionKind.REFUND).aggregate(s=Sum("amount_fen"))["s"] or 0
    return purchase.amount_fen - refunded


@as_actor
@transaction.atomic
def refund_record(
    *,
    actor,
    transaction_id: int,
    amount_fen: int,
    dispute_id: int | None,
    refunded_on: dt.date | None = None,
    outcome: str = DisputeOutcome.REFUNDED,
    reason: str = "",
) -> Transaction:
    """A refund or compensation (退费/赔偿) of a purchase: a new refund row that reverses revenue
    for the same center, doctor and consultant (never a deletion), linked to the dispute it
    settles. An open dispute is settled with this outcome, which moves the member to the special
    class (members' rules: 退费或赔偿 → 特殊存档). More than what is left paid is rejected."""
    scope = scope_requiring(actor, "pipeline.change_dispute")
    scope.require("pipeline.add_transaction")
    purchase = Transaction.objects.select_for_update().filter(pk=transaction_id).first()
    if purchase is None:
        raise NotFound(_("消费记录不存在或无权访问"))
    customer = customer_for_write(scope, purchase.customer_id)
    if purchase.kind != TransactionKind.PURCHASE:
        raise ValidationError(_("只能对消费记录退费"), field="transaction_id")
    if outcome not in (DisputeOutcome.REFUNDED, DisputeOutcome.COMPENSATED):
        raise ValidationError(_("处理结果应为退费或赔偿"), field="outcome")
    if isinstance(amount_fen, bool) or not isinstance(amount_fen, int) or amount_fen <= 0:
        raise ValidationError(_("退费金额应大于 0"), field="amount_fen")
    left = paid_left(purchase)
    if amount_fen > left:
        raise ValidationError(
            _("退费金额 ¥%(amount).2f 超过该笔消费尚可退金额 ¥%(left).2f")
            % {"amount": amount_fen / 100, "left": left / 100},
            field="amount_fen", log_message=f"refund {amount_fen} > {left} on txn {purchase.pk}",
        )  # fmt: skip
    if dispute_id is None:
        raise ValidationError(_("退费/赔偿须关联纠纷登记"), field="dispute_id")
    dispute = Dispute.objects.select_for_update().filter(pk=dispute_id, customer=customer).first()
    if dispute is None:
        raise ValidationError(_("纠纷记录不属于该客户"), field="dispute_id")
    refunded_on = past_date(refunded_on or timezone.localdate(), field="refunded_on", label=_("退费日期"))
    if refunded_on < purchase.occurred_on:
        raise ValidationError(_("退费日期不能早于消费日期"), field="refunded_on")
    if dispute.status == DisputeStatus.OPEN:
        pipeline.dispute_settle(
            actor=actor, dispute_id=dispute.pk, settled_on=refunded_on, outcome=outcome,
            resolution=(reason or "").strip(),
        )  # fmt: skip
    label = _("退费") if outcome == DisputeOutcome.REFUNDED else _("赔偿")
    return Transaction.objects.create(
        site_id=purchase.site_id, customer=customer, occurred_on=refunded_on, month=month_key(refunded_on),
        item=(_("%(item)s（%(label)s）") % {"item": purchase.item, "label": label})[:100], category=purchase.category,
        sessions=purchase.sessions, amount_fen=amount_fen, kind=TransactionKind.REFUND, deal_id=purchase.deal_id,
        reverses=purchase, dispute=dispute, center_id=purchase.center_id, doctor_id=purchase.doctor_id,
        consultant_id=purchase.consultant_id, channel_owner_id=purchase.channel_owner_id,
    )  # fmt: skip


BENEFIT_ITEMS = {  # the B-tier choice (seed 004: 任选一项) → the gift it gives
    "skin_care": ("580元皮肤护理", "skin"),  # i18n: data
    "dental_voucher": ("洁牙券", "dental"),  # i18n: data
}


@as_actor
@transaction.atomic
def benefit_choose(
    *,
    actor,
    customer_id: int,
    choice: str,
    given_on: dt.date,
    approver_id: int | None = None,
    center_id: int | None = None,
    cost_fen: int = 0,
    points: int = 0,
):
    """Record a member's benefit choice (B 级 任选一项: 580 元皮肤护理 / 洁牙券 / 赠送积分): points
    are granted to the ledger; a care item or voucher is a gift order (approver, center, cost)."""
    from opscenter.clinic.choices import BenefitChoice, GiftReason
    from opscenter.clinic.services.points import points_grant

    if choice not in BenefitChoice.values:
        raise ValidationError(_("权益选项不正确"), field="choice")
    if choice == BenefitChoice.POINTS:
        return points_grant(
            actor=actor, customer_id=customer_id, points=points, on=given_on,
            note=_("会员权益：%(choice)s") % {"choice": BenefitChoice(choice).label},
        )  # fmt: skip
    if center_id is None:
        raise ValidationError(_("请选择提供该权益的科室/中心"), field="center_id")
    item, category = BENEFIT_ITEMS[choice]
    return gift_order_create(
        actor=actor, customer_id=customer_id, reason=GiftReason.BENEFIT, benefit_choice=choice,
        approver_id=approver_id, given_on=given_on,
        lines=[GiftLine(item=item, category=category, cost_fen=cost_fen, center_id=center_id)],
    )  # fmt: skip
