"""The spend ledger (营销费用) and monthly budgets."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from opscenter.core.audit import as_actor
from opscenter.core.bounds import MAX_AMOUNT_FEN
from opscenter.core.exceptions import NotFound, ValidationError
from opscenter.marketing.models import Budget, Campaign, CostLine
from opscenter.marketing.services._common import a_date, money, scope_requiring, site_channel
from opscenter.pipeline.periods import month_key, parse_month


def cost_line_build(
    *,
    site_id: int,
    item: str,
    quantity: Any,
    unit_price_fen: Any,
    spent_on: Any,
    campaign: Campaign | None = None,
    channel_id: int | None = None,
    supplier: str = "",
    invoice_no: str = "",
    note: str = "",
) -> CostLine:
    """A validated, unsaved cost line (shared by entry and import). Rejected: no campaign and no
    channel, negative or non-numeric quantity or unit price, a campaign of another site."""
    item = (item or "").strip()
    if not item:
        raise ValidationError(_("请填写费用项目"), field="item")
    if campaign is None and not channel_id:
        raise ValidationError(_("费用必须归属一个活动或一个渠道"), field="campaign_id")
    if campaign is not None and campaign.site_id != site_id:
        raise ValidationError(_("活动不属于该院区"), field="campaign_id")
    try:
        qty = int(quantity)
    except (TypeError, ValueError):
        raise ValidationError(_("数量应为整数"), field="quantity") from None
    if qty <= 0:
        raise ValidationError(
            _("数量应大于零（费用不能为负数）"), field="quantity", log_message="non-positive quantity"
        )
    price = money(unit_price_fen, field="unit_price_fen", label=_("单价"))
    amount = qty * price
    if amount > MAX_AMOUNT_FEN:
        raise ValidationError(_("金额超出允许范围"), field="unit_price_fen")
    spent_on = a_date(spent_on, field="spent_on", label=_("费用日期"))
    channel = site_channel(site_id, channel_id) if channel_id else None
    if campaign is not None and channel is None:
        channel = campaign.channel
    return CostLine(
        site_id=site_id,
        campaign=campaign,
        channel=channel,
        item=item,
        quantity=qty,
        unit_price_fen=price,
        amount_fen=amount,
        supplier=(supplier or "").strip(),
        invoice_no=(invoice_no or "").strip(),
        spent_on=spent_on,
        month=month_key(spent_on),
        note=note,
    )


@as_actor
@transaction.atomic
def cost_line_record(
    *,
    actor,
    site_id: int,
    item: str,
    quantity: Any,
    unit_price_fen: Any,
    spent_on: dt.date,
    campaign_id: int | None = None,
    channel_id: int | None = None,
    supplier: str = "",
    invoice_no: str = "",
    note: str = "",
) -> CostLine:
    """Enter a cost line (item, quantity, unit price, supplier, invoice, date, campaign or channel)."""
    scope = scope_requiring(actor, "marketing.add_costline")
    scope.require_site(site_id, write=True)
    campaign = None
    if campaign_id:
        campaign = Campaign.objects.filter(pk=campaign_id).first()
        if campaign is None or not scope.sees_site(campaign.site_id):
            raise NotFound(_("活动不存在或无权访问"))
    line = cost_line_build(
        site_id=site_id,
        item=item,
        quantity=quantity,
        unit_price_fen=unit_price_fen,
        spent_on=spent_on,
        campaign=campaign,
        channel_id=channel_id,
        supplier=supplier,
        invoice_no=invoice_no,
        note=note,
    )
    line.created_by = actor if getattr(actor, "pk", None) else None
    line.save()
    return line


@as_actor
@transaction.atomic
def cost_line_reverse(*, actor, cost_line_id: int, reason: str) -> CostLine:
    """Reverse a wrong cost line (冲销): a second line with the opposite amount; nothing is deleted."""
    scope = scope_requiring(actor, "marketing.add_costline")
    line = (
        scope.filter_sites(CostLine.objects.all(), "site")
        .select_for_update()
        .filter(pk=cost_line_id, reversal_of__isnull=True)
        .first()
    )
    if line is None:
        raise NotFound(_("费用记录不存在或无权访问"))
    scope.require_site(line.site_id, write=True)
    if CostLine.objects.filter(reversal_of=line).exists():
        raise ValidationError(_("该费用已冲销"), field="cost_line_id")
    if not (reason or "").strip():
        raise ValidationError(_("请填写冲销原因"), field="reason")
    return CostLine.objects.create(
        site_id=line.site_id,
        campaign_id=line.campaign_id,
        channel_id=line.channel_id,
        item=line.item,
        quantity=line.quantity,
        unit_price_fen=-line.unit_price_fen,
        amount_fen=-line.amount_fen,
        supplier=line.supplier,
        invoice_no=line.invoice_no,
        spent_on=line.spent_on,
        month=line.month,
        reversal_of=line,
        note=reason.strip(),
        created_by=actor if getattr(actor, "pk", None) else None,
    )


@as_actor
@transaction.atomic
def budget_set(*, actor, site_id: int, channel_id: int, month: Any, amount_fen: Any) -> Budget:
    """Set a channel's marketing budget for a month (the previous value stays in the audit trail)."""
    scope = scope_requiring(actor, "marketing.add_budget")
    scope.require_site(site_id, write=True)
    key = month if isinstance(month, int) else parse_month(month)
    channel = site_channel(site_id, channel_id)
    budget, _created = Budget.objects.update_or_create(
        site_id=site_id,
        channel=channel,
        month=key,
        defaults={"amount_fen": money(amount_fen, field="amount_fen", label=_("预算金额"))},
    )
    return budget
