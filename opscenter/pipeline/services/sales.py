"""Deals (contracts/orders), transactions, follow-ups and exits."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from opscenter.core import audit
from opscenter.core.audit import as_actor
from opscenter.core.bounds import MAX_DEAL_LINES
from opscenter.core.exceptions import NotFound, ValidationError
from opscenter.pipeline.choices import (
    CUSTOMER_TRANSITIONS,
    DEAL_TRANSITIONS,
    CareZone,
    CustomerStatus,
    DealStatus,
    FollowUpChannel,
    FollowUpOutcome,
    ItemCategory,
    Satisfaction,
    StayType,
    TransactionKind,
    VisitOutcome,
)
from opscenter.pipeline.models import Deal, DealLine, Exit, ExitReason, FollowUp, Transaction, Visit
from opscenter.pipeline.periods import month_key
from opscenter.pipeline.services._common import (
    acting_staff,
    business_date,
    customer_for_write,
    event_fields,
    past_date,
    require_amount,
    require_sessions,
    scope_requiring,
)
from opscenter.pipeline.services.hooks import pipeline_event

ITEM_LENGTH = DealLine._meta.get_field("item").max_length


@dataclass(frozen=True)
class DealLineInput:
    """One order line for `deal_sign` (clinics): item, category, amount in fen, sessions, and the
    treatment center (an org department of the customer's site) and performing doctor it is
    credited to."""

    item: str
    category: str
    amount_fen: int
    sessions: int = 1
    center_id: int | None = None
    doctor_id: int | None = None


def _lines(lines: Iterable[DealLineInput | Mapping[str, Any]]) -> list[DealLineInput]:
    out = []
    for n, raw in enumerate(lines, start=1):
        if n > MAX_DEAL_LINES:
            raise ValidationError(
                _("一笔成交最多 %(MAX_DEAL_LINES)s 条明细") % {"MAX_DEAL_LINES": MAX_DEAL_LINES},
                field="lines",
                log_message="too many deal lines",
            )
        line = raw if isinstance(raw, DealLineInput) else DealLineInput(**dict(raw))
        if not (line.item or "").strip():
            raise ValidationError(_("第%(n)s行：请填写项目名称") % {"n": n}, field="lines")
        if len(line.item.strip()) > ITEM_LENGTH:
            raise ValidationError(
                _("第%(n)s行：项目名称不能超过 %(ITEM_LENGTH)s 个字") % {"n": n, "ITEM_LENGTH": ITEM_LENGTH},
                field="lines",
            )
        if line.category not in ItemCategory.values:
            raise ValidationError(_("第%(n)s行：项目类别不正确") % {"n": n}, field="lines")
        require_amount(line.amount_fen, field="lines", label=_("第%(n)s行：") % {"n": n})
        require_sessions(line.sessions, field="lines", label=_("第%(n)s行：") % {"n": n})
        out.append(line)
    return out


def _check_credit(site_id: int, lines: list[DealLineInput]) -> None:
    """Every line's center is a department of the site and its doctor works there (one query each)."""
    from opscenter.org.models import Department, Staff

    centers = {ln.center_id for ln in lines if ln.center_id is not None}
    if centers and Department.objects.filter(pk__in=centers, site_id=site_id).count() != len(centers):
        raise ValidationError(_("科室/中心不存在或不属于该院区"), field="lines")
    doctors = {ln.doctor_id for ln in lines if ln.doctor_id is not None}
    if doctors and Staff.objects.filter(
        pk__in=doctors, is_active=True, department__site_id=site_id
    ).count() != len(doctors):
        raise ValidationError(_("医生不存在或不在该院区"), field="lines")


@as_actor
@transaction.atomic
def deal_sign(
    *,
    actor,
    customer_id: int,
    signed_on: dt.date,
    amount_fen: int | None = None,
    lines: Iterable[DealLineInput | Mapping[str, Any]] = (),
    stay_type: str = "",
    care_zone: str = "",
    consultant_id: int | None = None,
    visit_id: int | None = None,
    record_transactions: bool = False,
    note: str = "",
    contract_months: int | None = None,
    monthly_fee_fen: int | None = None,
    deposit_fen: int | None = None,
) -> Deal:
    """Sign a contract or order (成交/签约).

    Elder care: `stay_type` (试住/短住/长住) and `amount_fen`; clinics: `lines`, whose sum is the
    amount (a given `amount_fen` must match it). Rejected: a negative amount, a date before the
    customer's first consultation (or first visit for walk-ins), a date in the future, an exited
    customer. The first signed deal is the new-customer deal and makes a prospect a customer.
    `record_transactions` also writes one purchase Transaction per line. Elder-care contracts may
    carry their terms: `contract_months` (1–120), `monthly_fee_fen` and `deposit_fen` (fen, not
    negative); without an amount, the amount is the monthly fee × the months.
    """
    scope = scope_requiring(actor, "pipeline.add_deal")
    customer = customer_for_write(scope, customer_id)
    signed_on = past_date(signed_on, field="signed_on", label=_("签约日期"))
    line_inputs = _lines(lines)
    _check_credit(customer.site_id, line_inputs)
    if contract_months is not None and (
        isinstance(contract_months, bool)
        or not isinstance(contract_months, int)
        or not 1 <= contract_months <= 120
    ):
        raise ValidationError(_("合同期限应为 1–120 个月"), field="contract_months")
    if monthly_fee_fen is not None:
        require_amount(monthly_fee_fen, field="monthly_fee_fen")
    if deposit_fen is not None:
        require_amount(deposit_fen, field="deposit_fen")
    if amount_fen is None and not line_inputs and contract_months and monthly_fee_fen is not None:
        amount_fen = monthly_fee_fen * contract_months
    if amount_fen is not None:
        require_amount(amount_fen)
    if line_inputs:
        total = require_amount(sum(line.amount_fen for line in line_inputs), label=_("明细合计"))
        if amount_fen is not None and amount_fen != total:
            raise ValidationError(_("成交金额与明细合计不一致"), field="amount_fen")
        amount_fen = total
    if amount_fen is None:
        raise ValidationError(_("请填写成交金额或成交明细"), field="amount_fen")
    if stay_type and stay_type not in StayType.values:
        raise ValidationError(_("入住类型不正确"), field="stay_type")
    if care_zone and care_zone not in CareZone.values:
        raise ValidationError(_("入住区域不正确"), field="care_zone")
    if customer.first_contact_on is None:
        raise ValidationError(_("该客户还没有咨询或上门记录，不能登记成交"), field="signed_on")
    if signed_on < customer.first_contact_on:
        raise ValidationError(
            _("签约日期 %(signed_on)s 早于客户首次咨询日期 %(first_contact_on)s")
            % {"signed_on": signed_on, "first_contact_on": customer.first_contact_on},
            field="signed_on",
            log_message=f"deal before first contact for customer {customer.pk}",
        )
    if customer.status == CustomerStatus.EXITED:
        raise ValidationError(_("客户已退出，请先恢复为潜在客户再登记成交"), field="customer_id")
    visit = None
    if visit_id is not None:
        visit = Visit.objects.filter(pk=visit_id, customer=customer).first()
        if visit is None:
            raise ValidationError(_("上门记录不属于该客户"), field="visit_id")
    consultant = acting_staff(
        scope, customer.site_id, consultant_id, label=_("成交咨询师"), field="consultant_id"
    )
    earlier = Deal.objects.filter(
        customer=customer, status=DealStatus.SIGNED, signed_on__lte=signed_on
    ).exists()
    deal = Deal.objects.create(
        **event_fields(customer, month=month_key(signed_on)),
        consultant=consultant,
        signed_on=signed_on,
        amount_fen=amount_fen,
        stay_type=stay_type,
        care_zone=care_zone,
        contract_months=contract_months,
        monthly_fee_fen=monthly_fee_fen,
        deposit_fen=deposit_fen,
        is_new_customer=not earlier,
        visit=visit,
        note=note,
    )
    if line_inputs:
        DealLine.objects.bulk_create(
            [
                DealLine(
                    deal=deal,
                    item=ln.item.strip(),
                    category=ln.category,
                    sessions=ln.sessions,
                    amount_fen=ln.amount_fen,
                    center_id=ln.center_id,
                    doctor_id=ln.doctor_id,
                )
                for ln in line_inputs
            ]
        )
        if record_transactions:
            # One save per line (a deal has a handful): model signals keep other apps' bookkeeping,
            # such as members' running aggregates, in step with the purchase.
            for ln in line_inputs:
                Transaction.objects.create(
                    site_id=customer.site_id,
                    customer=customer,
                    occurred_on=signed_on,
                    month=month_key(signed_on),
                    item=ln.item.strip(),
                    category=ln.category,
                    sessions=ln.sessions,
                    amount_fen=ln.amount_fen,
                    deal=deal,
                    center_id=ln.center_id,
                    doctor_id=ln.doctor_id,
                    consultant=consultant,
                    channel_owner_id=deal.owner_id,
                )
    if visit is not None and visit.outcome != VisitOutcome.DEAL:
        visit.outcome = VisitOutcome.DEAL
        visit.save(update_fields=["outcome"])
    if customer.status == CustomerStatus.PROSPECT:
        customer.status = CustomerStatus.CUSTOMER
        customer.save(update_fields=["status"])
    pipeline_event("deal", deal)
    return deal


@as_actor
@transaction.atomic
def deal_transition(*, actor, deal_id: int, to_status: str, reason: str) -> Deal:
    """Move a deal along DEAL_TRANSITIONS (signed → cancelled), with a reason kept in the note.

    A cancelled deal stays on record (作废, never deleted) and is reversed rather than erased:
    the funnel counts signed deals only, so its count and revenue leave the numbers; each purchase
    recorded with it gets a reversing refund row (money rows are reversed, never deleted), and the
    member aggregates leave a cancelled deal's rows out, so its tier effect (spend, purchase days,
    sessions) goes too. If it was the customer's new-customer deal, the next signed deal becomes
    it; a customer left without any signed deal is a prospect again. Audited with the reason.
    """
    scope = scope_requiring(actor, "pipeline.change_deal")
    deal = Deal.objects.select_for_update().filter(pk=deal_id).first()
    if deal is None:
        raise NotFound(_("成交记录不存在或无权访问"))
    customer = customer_for_write(scope, deal.customer_id)
    if to_status not in DEAL_TRANSITIONS.get(deal.status, set()):
        raise ValidationError(
            _("成交状态不能从“%(get_status_display)s”变更")
            % {"get_status_display": deal.get_status_display()},
            field="status",
            log_message=f"deal {deal.pk} -> {to_status}",
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("请填写原因"), field="reason")
    now = timezone.now()
    deal.status, deal.status_changed_at = to_status, now
    deal.note = (
        _("%(note)s\n%(label)s：%(reason)s")
        % {"note": deal.note, "label": DealStatus(to_status).label, "reason": reason}
    ).strip()[:300]
    was_new = deal.is_new_customer
    deal.is_new_customer = False if to_status == DealStatus.CANCELLED else deal.is_new_customer
    deal.save(update_fields=["status", "status_changed_at", "note", "is_new_customer"])
    audit.record_event(
        deal,
        gettext("成交作废：%(reason)s") % {"reason": reason},
        {"status": [DealStatus.SIGNED.value, to_status]},
    )
    if to_status == DealStatus.CANCELLED:
        _reverse_transactions(deal, on=timezone.localdate(), reason=reason)
        remaining = Deal.objects.filter(customer=customer, status=DealStatus.SIGNED).order_by(
            "signed_on", "id"
        )
        if was_new:
            successor = remaining.first()
            if successor is not None:
                successor.is_new_customer = True
                successor.save(update_fields=["is_new_customer"])
        if customer.status == CustomerStatus.CUSTOMER and not remaining.exists():
            customer.status = CustomerStatus.PROSPECT
            customer.save(update_fields=["status"])
    return deal


def _reverse_transactions(deal: Deal, *, on: dt.date, reason: str) -> None:
    """One reversing refund row per purchase recorded with the deal (a handful; saved one by one so
    the members' bookkeeping signal refreshes the customer's aggregates and tier)."""
    purchases = list(Transaction.objects.filter(deal=deal, kind=TransactionKind.PURCHASE))
    for purchase in purchases:
        Transaction.objects.create(
            site_id=purchase.site_id,
            customer_id=purchase.customer_id,
            occurred_on=on,
            month=month_key(on),
            item=(_("%(item)s（%(reversal)s）") % {"item": purchase.item, "reversal": gettext("作废冲销")})[
                :100
            ],
            category=purchase.category,
            sessions=purchase.sessions,
            amount_fen=purchase.amount_fen,
            kind=TransactionKind.REFUND,
            deal=deal,
            reverses=purchase,
            center_id=purchase.center_id,
            doctor_id=purchase.doctor_id,
            consultant_id=purchase.consultant_id,
            channel_owner_id=purchase.channel_owner_id,
        )


@as_actor
@transaction.atomic
def transaction_record(
    *,
    actor,
    customer_id: int,
    occurred_on: dt.date,
    item: str,
    category: str,
    amount_fen: int,
    sessions: int = 1,
    kind: str = TransactionKind.PURCHASE,
    deal_id: int | None = None,
) -> Transaction:
    """Record one purchase, session or refund (消费记录). Amounts are non-negative fen; a refund is
    a row of kind refund.
    """
    scope = scope_requiring(actor, "pipeline.add_transaction")
    customer = customer_for_write(scope, customer_id)
    occurred_on = past_date(occurred_on, field="occurred_on", label=_("消费日期"))
    require_amount(amount_fen)
    if not (item or "").strip():
        raise ValidationError(_("请填写项目名称"), field="item")
    if category not in ItemCategory.values:
        raise ValidationError(_("项目类别不正确"), field="category")
    if kind not in TransactionKind.values:
        raise ValidationError(_("消费类型不正确"), field="kind")
    if kind == TransactionKind.GIFT:
        raise ValidationError(_("赠送项目请通过赠送开单登记（需审批人）"), field="kind")
    require_sessions(sessions)
    if deal_id is not None and not Deal.objects.filter(pk=deal_id, customer=customer).exists():
        raise ValidationError(_("成交记录不属于该客户"), field="deal_id")
    return Transaction.objects.create(
        site_id=customer.site_id,
        customer=customer,
        occurred_on=occurred_on,
        month=month_key(occurred_on),
        item=item.strip(),
        category=category,
        sessions=sessions,
        amount_fen=amount_fen,
        kind=kind,
        deal_id=deal_id,
    )


@as_actor
@transaction.atomic
def followup_schedule(
    *,
    actor,
    customer_id: int,
    scheduled_on: dt.date,
    channel: str = FollowUpChannel.PHONE,
    staff_id: int | None = None,
    deal_id: int | None = None,
    note: str = "",
) -> FollowUp:
    """Schedule an after-care contact (回访) with a customer."""
    scope = scope_requiring(actor, "pipeline.add_followup")
    customer = customer_for_write(scope, customer_id)
    if channel not in FollowUpChannel.values:
        raise ValidationError(_("回访方式不正确"), field="channel")
    scheduled_on = business_date(scheduled_on, field="scheduled_on", label=_("计划日期"))
    staff = acting_staff(scope, customer.site_id, staff_id, label=_("回访人"), field="staff_id")
    if deal_id is not None and not Deal.objects.filter(pk=deal_id, customer=customer).exists():
        raise ValidationError(_("成交记录不属于该客户"), field="deal_id")
    return FollowUp.objects.create(
        site_id=customer.site_id,
        customer=customer,
        staff=staff,
        channel=channel,
        scheduled_on=scheduled_on,
        month=month_key(scheduled_on),
        deal_id=deal_id,
        note=note,
    )


@as_actor
@transaction.atomic
def followup_complete(
    *,
    actor,
    followup_id: int,
    done_on: dt.date,
    outcome: str,
    satisfaction: int | None = None,
    note: str | None = None,
) -> FollowUp:
    """Record the follow-up's result. A reached customer must be given a satisfaction rating
    (非常满意 … 非常不满意), which the member tiers read.
    """
    scope = scope_requiring(actor, "pipeline.change_followup")
    followup = FollowUp.objects.select_for_update().filter(pk=followup_id).first()
    if followup is None:
        raise NotFound(_("回访记录不存在或无权访问"))
    customer_for_write(scope, followup.customer_id)
    if followup.done_on is not None:
        raise ValidationError(_("该回访已完成"), field="done_on")
    done_on = past_date(done_on, field="done_on", label=_("完成日期"))
    if outcome not in FollowUpOutcome.values or outcome == FollowUpOutcome.PENDING:
        raise ValidationError(_("回访结果不正确"), field="outcome")
    if satisfaction is not None and satisfaction not in Satisfaction.values:
        raise ValidationError(_("满意度不正确"), field="satisfaction")
    if outcome == FollowUpOutcome.REACHED and satisfaction is None:
        raise ValidationError(_("已回访请选择满意度"), field="satisfaction")
    followup.done_on, followup.outcome, followup.satisfaction = done_on, outcome, satisfaction
    if note is not None:
        followup.note = note
    followup.save(update_fields=["done_on", "outcome", "satisfaction", "note"])
    pipeline_event("followup", followup)
    return followup


@as_actor
@transaction.atomic
def exit_record(
    *, actor, customer_id: int, exited_on: dt.date, reason_id: int | None, note: str = ""
) -> Exit:
    """A customer leaves (退出): the reason from the list is required; the customer becomes exited."""
    scope = scope_requiring(actor, "pipeline.add_exit")
    customer = customer_for_write(scope, customer_id)
    if reason_id is None:
        raise ValidationError(_("请选择退出原因"), field="reason_id", log_message="exit without reason")
    reason = ExitReason.objects.filter(pk=reason_id, is_active=True).first()
    if reason is None:
        raise ValidationError(_("退出原因不存在或已停用"), field="reason_id")
    exited_on = past_date(exited_on, field="exited_on", label=_("退出日期"))
    if CustomerStatus.EXITED not in CUSTOMER_TRANSITIONS.get(customer.status, set()):
        raise ValidationError(_("客户已退出"), field="customer_id")
    record = Exit.objects.create(
        site_id=customer.site_id,
        customer=customer,
        exited_on=exited_on,
        month=month_key(exited_on),
        reason=reason,
        note=note,
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    customer.status = CustomerStatus.EXITED
    customer.save(update_fields=["status"])
    return record
