"""Quotes (报价): a priced treatment plan; accepting one signs the order."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opscenter.clinic import journey
from opscenter.clinic.choices import QUOTE_TRANSITIONS, QuoteStatus
from opscenter.clinic.models import Quote, QuoteLine
from opscenter.clinic.pricing import price_line
from opscenter.clinic.services._common import site_center, site_staff
from opscenter.commitments.choices import Event
from opscenter.core import audit
from opscenter.core.audit import as_actor
from opscenter.core.bounds import MAX_AMOUNT_FEN, MAX_DEAL_LINES, MAX_SESSIONS
from opscenter.core.exceptions import NotFound, ValidationError
from opscenter.members.rules import discount_label, discount_rate
from opscenter.pipeline.choices import ItemCategory
from opscenter.pipeline.models import Customer
from opscenter.pipeline.periods import month_key
from opscenter.pipeline.services._common import acting_staff, customer_for_write, scope_requiring

MAX_VALID_DAYS = 3660


@dataclass(frozen=True)
class QuoteLineInput:
    """One planned item: quantity × list price (fen) or a campaign price, its center and doctor;
    `sessions` > 1 sells a course package valid `valid_days` days."""

    item: str
    category: str
    center_id: int
    list_price_fen: int
    quantity: int = 1
    sessions: int = 1
    doctor_id: int | None = None
    campaign_price_fen: int | None = None
    valid_days: int | None = None


@dataclass(frozen=True)
class MemberDiscount:
    """The discounts a customer's tier grants on a date, and the rule set version they came from."""

    tier: str
    tier_label: str
    rule_set: Any
    member_rate: Decimal | None
    birthday_rate: Decimal | None

    @property
    def note(self) -> str:
        parts = []
        if self.tier:
            parts.append(_("会员等级：%(tier)s") % {"tier": self.tier_label or self.tier})
        if self.member_rate is not None:
            parts.append(_("会员折扣 %(rate)s") % {"rate": discount_label(self.member_rate)})
        if self.birthday_rate is not None:
            parts.append(_("生日当月 %(rate)s（折上折）") % {"rate": discount_label(self.birthday_rate)})
        if self.rule_set is not None:
            parts.append(
                _("规则：%(name)s v%(version)s")
                % {"name": self.rule_set.name, "version": self.rule_set.version}
            )
        return _("；").join(parts)


def member_discount(customer: Customer, on: dt.date) -> MemberDiscount:
    """The customer's tier (members app) and the discounts its benefits grant on `on`: the
    standing member discount (消费折扣) and, in the birthday month, the birthday discount on top."""
    from opscenter.members.selectors import tier_of

    current = tier_of(customer_id=customer.pk)
    if current is None:
        return MemberDiscount("", "", None, None, None)
    rule_set = current.rule_set
    found = next((t for t in rule_set.definition.get("tiers", []) if t.get("code") == current.tier), {})
    benefits = found.get("benefits") or {}
    in_birthday_month = customer.birthday is not None and customer.birthday.month == on.month
    return MemberDiscount(
        current.tier,
        found.get("label", ""),
        rule_set,
        discount_rate(benefits.get("member_discount")),
        discount_rate(benefits.get("discount")) if in_birthday_month else None,
    )


def _int(value: Any, *, low: int, high: int, message: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValidationError(message, field="lines")
    return value


def _line_inputs(
    site_id: int, raw_lines: Iterable[QuoteLineInput | Mapping[str, Any]]
) -> list[QuoteLineInput]:
    out = []
    for n, raw in enumerate(raw_lines, start=1):
        if n > MAX_DEAL_LINES:
            raise ValidationError(_("一张报价最多 %(n)s 条明细") % {"n": MAX_DEAL_LINES}, field="lines")
        line = raw if isinstance(raw, QuoteLineInput) else QuoteLineInput(**dict(raw))
        row = _("第%(n)s行：") % {"n": n}
        if not (line.item or "").strip():
            raise ValidationError(row + _("请填写项目名称"), field="lines")
        if line.category not in ItemCategory.values:
            raise ValidationError(row + _("项目类别不正确"), field="lines")
        site_center(site_id, line.center_id, field="lines", label=row)
        if line.doctor_id is not None:
            site_staff(site_id, line.doctor_id, field="lines", label=row + _("医生"))
        _int(
            line.list_price_fen, low=0, high=MAX_AMOUNT_FEN, message=row + _("单价应为 0 到 1 亿元之间的金额")
        )
        _int(line.quantity, low=1, high=999, message=row + _("数量应为 1–999"))
        _int(line.sessions, low=1, high=MAX_SESSIONS, message=row + _("疗程次数应为 1–999"))
        if line.campaign_price_fen is not None:
            _int(line.campaign_price_fen, low=0, high=MAX_AMOUNT_FEN, message=row + _("活动价不正确"))
        if line.sessions > 1:
            _int(
                line.valid_days, low=1, high=MAX_VALID_DAYS,
                message=row + _("疗程套餐请填写有效天数（1–3660 天）"),
            )  # fmt: skip
        out.append(line)
    if not out:
        raise ValidationError(_("报价至少需要一个项目"), field="lines")
    return out


@as_actor
@transaction.atomic
def quote_create(
    *,
    actor,
    customer_id: int,
    lines: Iterable[QuoteLineInput | Mapping[str, Any]],
    valid_until: dt.date,
    quoted_on: dt.date | None = None,
    consultant_id: int | None = None,
    note: str = "",
) -> Quote:
    """Price a treatment plan for a customer (报价). Each line is priced by `pricing.price_line`
    with the customer's member discount and, in the birthday month, the birthday discount on top
    (both from the tier's benefits; the rule and the rule set version are kept on the quote)."""
    scope = scope_requiring(actor, "clinic.add_quote")
    customer = customer_for_write(scope, customer_id)
    quoted_on = quoted_on or timezone.localdate()
    if valid_until < quoted_on:
        raise ValidationError(_("有效期不能早于报价日期"), field="valid_until")
    inputs = _line_inputs(customer.site_id, lines)
    consultant = acting_staff(
        scope, customer.site_id, consultant_id, label=_("咨询师"), field="consultant_id"
    )
    discount = member_discount(customer, quoted_on)
    quote = Quote.objects.create(
        site_id=customer.site_id, customer=customer, consultant=consultant, quoted_on=quoted_on,
        month=month_key(quoted_on), valid_until=valid_until, tier=discount.tier, rule_set=discount.rule_set,
        member_rate=discount.member_rate, birthday_rate=discount.birthday_rate, rule_note=discount.note[:300],
        note=note,
    )  # fmt: skip
    rows = []
    for line in inputs:
        priced = price_line(
            list_price_fen=line.list_price_fen, quantity=line.quantity, member_rate=discount.member_rate,
            birthday_rate=discount.birthday_rate, campaign_price_fen=line.campaign_price_fen,
        )  # fmt: skip
        rows.append(
            QuoteLine(
                quote=quote, item=line.item.strip(), category=line.category, center_id=line.center_id,
                doctor_id=line.doctor_id, quantity=line.quantity, sessions=line.sessions,
                valid_days=line.valid_days if line.sessions > 1 else None, list_price_fen=line.list_price_fen,
                campaign_price_fen=line.campaign_price_fen, amount_fen=priced.amount_fen, rule=priced.rule,
            )
        )  # fmt: skip
        quote.list_total_fen += priced.list_amount_fen
        quote.total_fen += priced.amount_fen
    if quote.total_fen > MAX_AMOUNT_FEN:
        raise ValidationError(_("报价合计超过上限"), field="lines")
    QuoteLine.objects.bulk_create(rows)
    quote.save(update_fields=["list_total_fen", "total_fen"])
    journey.record(quote_id=quote.pk, site_id=quote.site_id, center_ids={ln.center_id for ln in inputs},
                   events={Event.TREATMENT_PLANNED: journey.moment(quoted_on)})  # fmt: skip
    return quote


def _quote_for_write(scope, quote_id: int) -> Quote:
    quote = Quote.objects.select_for_update().filter(pk=quote_id).first()
    if quote is None:
        raise NotFound(_("报价不存在或无权访问"))
    customer_for_write(scope, quote.customer_id)
    return quote


def _move(quote: Quote, to_status: str) -> None:
    if to_status not in QUOTE_TRANSITIONS.get(quote.status, set()):
        raise ValidationError(
            _("报价状态不能从“%(status)s”变更") % {"status": quote.get_status_display()},
            field="status", log_message=f"quote {quote.pk} -> {to_status}",
        )  # fmt: skip


@as_actor
@transaction.atomic
def quote_accept(*, actor, quote_id: int, accepted_on: dt.date | None = None, redeem_points: int = 0):
    """The customer accepts the quote: the order is signed (a pipeline Deal with one line per
    quote line, each credited to its center and doctor, and its purchase transactions), course
    lines become packages, points are earned — and optionally redeemed — by the points rule.
    An expired quote cannot be accepted."""
    from opscenter.clinic.services.orders import OrderLine, order_place

    scope = scope_requiring(actor, "clinic.change_quote")
    quote = _quote_for_write(scope, quote_id)
    _move(quote, QuoteStatus.ACCEPTED)
    accepted_on = accepted_on or timezone.localdate()
    if accepted_on > quote.valid_until:
        raise ValidationError(
            _("报价已于 %(date)s 过期，请重新报价") % {"date": quote.valid_until}, field="quote_id"
        )
    if accepted_on < quote.quoted_on:
        raise ValidationError(_("成交日期不能早于报价日期"), field="accepted_on")
    lines = [
        OrderLine(
            item=ln.item, category=ln.category, amount_fen=ln.amount_fen, sessions=ln.sessions * ln.quantity,
            center_id=ln.center_id, doctor_id=ln.doctor_id, valid_days=ln.valid_days,
        )
        for ln in quote.lines.all()
    ]  # fmt: skip
    deal = order_place(
        actor=actor, customer_id=quote.customer_id, signed_on=accepted_on, lines=lines,
        consultant_id=quote.consultant_id, redeem_points=redeem_points,
        note=_("报价 #%(pk)s") % {"pk": quote.pk},
    )  # fmt: skip
    quote.status, quote.deal, quote.accepted_at = QuoteStatus.ACCEPTED, deal, timezone.now()
    quote.save(update_fields=["status", "deal", "accepted_at"])
    journey.record(quote_id=quote.pk, site_id=quote.site_id, center_ids={ln.center_id for ln in lines},
                   events={Event.CHARGED: journey.moment(accepted_on)})  # fmt: skip
    return quote


@as_actor
@transaction.atomic
def quote_cancel(*, actor, quote_id: int, reason: str) -> Quote:
    """Cancel a quote (作废); it stays on record with the reason."""
    scope = scope_requiring(actor, "clinic.change_quote")
    quote = _quote_for_write(scope, quote_id)
    _move(quote, QuoteStatus.CANCELLED)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("请填写原因"), field="reason")
    quote.status = QuoteStatus.CANCELLED
    quote.note = (f"{quote.note}\n" + _("作废：%(reason)s") % {"reason": reason}).strip()[:300]
    quote.save(update_fields=["status", "note"])
    audit.record_event(quote, _("报价作废：%(reason)s") % {"reason": reason})
    return quote
