"""Helpers shared by the marketing services: scoping and value checks with clear messages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from opscenter.core.bounds import MAX_AMOUNT_FEN
from opscenter.core.exceptions import NotFound, ValidationError
from opscenter.core.scoping import Scope
from opscenter.org.models import Staff
from opscenter.org.selectors import scope_for
from opscenter.pipeline.models import Channel, Customer


def scope_requiring(actor, perm: str) -> Scope:
    scope = scope_for(actor)
    scope.require(perm)
    return scope


def money(value: Any, *, field: str, label: str, allow_zero: bool = True) -> int:
    """A non-negative integer amount in fen, or a ValidationError naming the field."""
    try:
        amount = int(value)
    except (TypeError, ValueError):
        raise ValidationError(_("%(label)s应为整数金额") % {"label": label}, field=field) from None
    if amount < 0:
        raise ValidationError(
            _("%(label)s不能为负数") % {"label": label}, field=field, log_message=f"negative {field}"
        )
    if amount == 0 and not allow_zero:
        raise ValidationError(_("%(label)s应大于零") % {"label": label}, field=field)
    if amount > MAX_AMOUNT_FEN:
        raise ValidationError(_("%(label)s超出允许范围") % {"label": label}, field=field)
    return amount


def a_date(value: Any, *, field: str, label: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValidationError(
            _("%(label)s格式不正确，应为 2026-07-01") % {"label": label}, field=field
        ) from None


def site_channel(site_id: int, channel_id: int) -> Channel:
    """A channel offered at the site (shared or the site's own)."""
    channel = Channel.objects.filter(pk=channel_id).first()
    if channel is None or (channel.site_id is not None and channel.site_id != site_id):
        raise ValidationError(_("渠道不存在或不属于该院区"), field="channel_id")
    return channel


def site_staff_or_none(site_id: int, staff_id: int | None, *, field: str, label: str) -> Staff | None:
    if staff_id is None:
        return None
    staff = Staff.objects.select_related("department").filter(pk=staff_id, is_active=True).first()
    if staff is None or staff.department.site_id != site_id:
        raise ValidationError(_("%(label)s不存在或不在该院区") % {"label": label}, field=field)
    return staff


def site_customer(scope: Scope, site_id: int, customer_id: int) -> Customer:
    """A customer of the campaign's site; a customer of another site is refused by name."""
    customer = Customer.objects.filter(pk=customer_id, is_deleted=False).first()
    if customer is None or not scope.sees_site(customer.site_id):
        raise NotFound(_("客户不存在或无权访问"), log_message=f"customer {customer_id} not in scope")
    if customer.site_id != site_id:
        raise ValidationError(
            _("客户“%(name)s”属于其他院区，不能参加本院区的活动") % {"name": customer.name},
            field="customer_ids",
            log_message=f"customer {customer_id} of another site",
        )
    return customer
