"""Helpers shared by the pipeline services: scoping, staff lookups, denormalized event fields."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opscenter.core.bounds import EARLIEST_DATE, LATEST_DATE, MAX_AMOUNT_FEN, MAX_SESSIONS, date_in_range
from opscenter.core.exceptions import NotFound, PermissionDenied, ValidationError
from opscenter.core.scoping import Scope
from opscenter.org.models import Staff
from opscenter.org.selectors import scope_for
from opscenter.pipeline.models import Appointment, Consultation, Customer, Deal, Visit
from opscenter.pipeline.periods import local_date, month_key

EVENT_MODELS = (Consultation, Appointment, Visit, Deal)


def scope_requiring(actor, perm: str) -> Scope:
    """The actor's scope, after checking the Django permission `perm` ("pipeline.add_customer")."""
    scope = scope_for(actor)
    scope.require(perm)
    return scope


def is_manager(scope: Scope) -> bool:
    """Managers (marketing, customer management, operations, superusers) may reassign and resolve.

    A consultant (own-only scope) is never a manager, whatever else they hold.
    """
    return scope.is_superuser or (not scope.own_only and scope.can("pipeline.change_customer"))


def actor_staff(scope: Scope) -> Staff | None:
    if scope.staff_id is None:
        return None
    return Staff.objects.select_related("department").filter(pk=scope.staff_id).first()


def customer_for_write(scope: Scope, customer_id: int, *, any_owner: bool = False) -> Customer:
    """The customer if the actor may write it: their site and, for consultants, their own customer.

    `any_owner` skips the own-customer rule (a consultant claiming someone else's customer).
    Rows out of reach are reported as not found, without saying whether they exist.
    """
    qs = Customer.objects.select_related("site", "owner", "channel").filter(pk=customer_id, is_deleted=False)
    qs = scope.filter_sites(qs) if any_owner else scope.filter_owned(qs)
    customer = qs.select_for_update(of=("self",)).first()
    if customer is None:
        raise NotFound(_("客户不存在或无权访问"), log_message=f"customer {customer_id} not in scope")
    scope.require_site(customer.site_id, write=True)
    return customer


def site_staff(
    site_id: int, staff_id: int, *, label: str = gettext_lazy("员工"), field: str = "staff"
) -> Staff:
    """An active staff member working at `site_id` (home department or an extra site)."""
    staff = Staff.objects.select_related("department").filter(pk=staff_id, is_active=True).first()
    if staff is None or (
        staff.department.site_id != site_id and not staff.extra_sites.filter(pk=site_id).exists()
    ):
        raise ValidationError(
            _("%(label)s不存在或不在该院区") % {"label": label},
            field=field,
            log_message=f"staff {staff_id} not at {site_id}",
        )
    return staff


def acting_staff(scope: Scope, site_id: int, staff_id: int | None, *, label: str, field: str) -> Staff:
    """Who did it: the given staff member, or the actor. Consultants can only act as themselves."""
    if staff_id is None or (scope.own_only and not scope.is_superuser):
        if scope.own_only and staff_id is not None and staff_id != scope.staff_id:
            raise PermissionDenied(
                _("咨询师只能以本人身份登记"), log_message="consultant acting as another staff"
            )
        if scope.staff_id is None:
            raise ValidationError(_("请指定%(label)s") % {"label": label}, field=field)
        return site_staff(site_id, scope.staff_id, label=label, field=field)
    return site_staff(site_id, staff_id, label=label, field=field)


def aware(value: dt.datetime, *, field: str) -> dt.datetime:
    """An aware datetime (a naive one is read as local time) that is not in the future."""
    if not isinstance(value, dt.datetime):
        raise ValidationError(_("时间格式不正确"), field=field)
    if not date_in_range(value):
        raise ValidationError(
            _("时间须在 %(year)s 年至 %(year2)s 年之间")
            % {"year": EARLIEST_DATE.year, "year2": LATEST_DATE.year},
            field=field,
            log_message=f"{field} out of range",
        )
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if value > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationError(_("时间不能晚于当前时间"), field=field, log_message=f"{field} in the future")
    return value


def past_date(value: dt.date, *, field: str, label: str) -> dt.date:
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise ValidationError(_("%(label)s格式不正确") % {"label": label}, field=field)
    if value < EARLIEST_DATE:
        raise ValidationError(
            _("%(label)s不能早于 %(EARLIEST_DATE)s")
            % {"label": label, "EARLIEST_DATE": format(EARLIEST_DATE, "%Y-%m-%d")},
            field=field,
            log_message=f"{field} out of range",
        )
    if value > timezone.localdate():
        raise ValidationError(
            _("%(label)s不能晚于今天") % {"label": label}, field=field, log_message=f"{field} in the future"
        )
    return value


def require_amount(amount_fen: Any, *, field: str = "amount_fen", label: str = "") -> int:
    """A non-negative integer amount in fen, at most MAX_AMOUNT_FEN (¥100,000,000)."""
    if isinstance(amount_fen, bool) or not isinstance(amount_fen, int):
        raise ValidationError(
            _("%(label)s金额必须是以分为单位的整数") % {"label": label},
            field=field,
            log_message=f"bad amount {amount_fen!r}",
        )
    if amount_fen < 0:
        raise ValidationError(
            _("%(label)s金额不能为负数") % {"label": label},
            field=field,
            log_message=f"negative amount {amount_fen}",
        )
    if amount_fen > MAX_AMOUNT_FEN:
        raise ValidationError(
            _("%(label)s金额不能超过 ¥%(value)s")
            % {"label": label, "value": format(MAX_AMOUNT_FEN // 100, ",")},
            field=field,
            log_message=f"amount {amount_fen} above the limit",
        )
    return amount_fen


def business_date(value: Any, *, field: str, label: str) -> dt.date:
    """A date (past or future) within the business calendar's range (EARLIEST_DATE … LATEST_DATE)."""
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise ValidationError(_("%(label)s格式不正确") % {"label": label}, field=field)
    if not date_in_range(value):
        raise ValidationError(
            _("%(label)s须在 %(EARLIEST_DATE)s 至 %(LATEST_DATE)s 之间")
            % {
                "label": label,
                "EARLIEST_DATE": format(EARLIEST_DATE, "%Y-%m-%d"),
                "LATEST_DATE": format(LATEST_DATE, "%Y-%m-%d"),
            },
            field=field,
            log_message=f"{field} out of range",
        )
    return value


def require_sessions(sessions: Any, *, field: str = "sessions", label: str = "") -> int:
    """A count of sessions between 1 and MAX_SESSIONS."""
    if isinstance(sessions, bool) or not isinstance(sessions, int) or not 1 <= sessions <= MAX_SESSIONS:
        raise ValidationError(
            _("%(label)s次数须在 1 到 %(MAX_SESSIONS)s 之间")
            % {"label": label, "MAX_SESSIONS": MAX_SESSIONS},
            field=field,
            log_message=f"bad sessions {sessions!r}",
        )
    return sessions


def event_fields(customer: Customer, *, month: int) -> dict[str, Any]:
    """The denormalized columns of a funnel event row, copied from the customer now."""
    return {
        "site_id": customer.site_id,
        "customer": customer,
        "month": month,
        "cohort_month": customer.cohort_month,
        "channel_id": customer.channel_id,
        "channel_kind": customer.channel_kind,
        "is_local": customer.is_local,
        "owner_id": customer.owner_id,
        "team_id": customer.owner.team_id if customer.owner_id else None,
    }


def touch_first_contact(customer: Customer, on: dt.date) -> None:
    """Move the customer's first contact (and cohort month) earlier if `on` precedes it.

    The cohort month is copied onto every event row, so a backdated first contact rewrites it
    there too — one UPDATE per event table, never per row.
    """
    if customer.first_contact_on is not None and customer.first_contact_on <= on:
        return
    customer.first_contact_on = on
    cohort = month_key(on)
    fields = ["first_contact_on"]
    if cohort != customer.cohort_month:
        customer.cohort_month = cohort
        fields.append("cohort_month")
        for model in EVENT_MODELS:
            model.objects.filter(customer=customer).exclude(cohort_month=cohort).update(cohort_month=cohort)
    customer.save(update_fields=fields)


def date_of(value: dt.datetime) -> dt.date:
    return local_date(value)
