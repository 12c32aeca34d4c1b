"""Scoped reads of pipeline records (lists and single rows).

Every selector applies `scope_for(user)`: rows of the user's sites (executives: every site) and,
for consultants, only customers they own — for event rows, events of customers they own now.
A user without the model's view permission sees nothing. Single-row getters raise NotFound for
rows out of scope, without saying whether they exist.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext as _

from opscenter.core.exceptions import NotFound
from opscenter.org.selectors import scope_for
from opscenter.pipeline.models import (
    Appointment,
    Assessment,
    Channel,
    Consultation,
    Customer,
    Deal,
    Exit,
    ExitReason,
    FollowUp,
    OwnershipChange,
    Transaction,
    Visit,
)
from opscenter.pipeline.phones import parse_phone


def _can_view(scope, model: type[Model]) -> bool:
    return scope.can(f"pipeline.view_{model._meta.model_name}")


def _scoped_events(user, model: type[Model], *, customer_id: int | None, site_id: int | None) -> QuerySet:
    scope = scope_for(user)
    if not _can_view(scope, model):
        return model.objects.none()
    qs = model.objects.filter(customer__is_deleted=False)
    qs = scope.filter_owned(qs, site_field="site", owner_field="customer__owner")
    if customer_id is not None:
        qs = qs.filter(customer_id=customer_id)
    if site_id is not None:
        qs = qs.filter(site_id=site_id)
    return qs


def _get(qs: QuerySet, pk: int, label: str):
    row = qs.filter(pk=pk).first()
    if row is None:
        raise NotFound(
            _("%(label)s不存在或无权访问") % {"label": label},
            log_message=f"{qs.model.__name__} {pk} not in scope",
        )
    return row


def customer_list(
    *,
    user,
    site_id: int | None = None,
    status: str | None = None,
    owner_id: int | None = None,
    channel_id: int | None = None,
    channel_kind: str | None = None,
    profession: str | None = None,
    search: str = "",
) -> QuerySet[Customer]:
    """Customers the user may see, newest first; `search` matches name or phone (any format)."""
    scope = scope_for(user)
    if not _can_view(scope, Customer):
        return Customer.objects.none()
    qs = scope.filter_owned(
        Customer.objects.filter(is_deleted=False).select_related("site", "owner", "channel")
    )
    filters = {
        "site_id": site_id,
        "status": status,
        "owner_id": owner_id,
        "channel_id": channel_id,
        "channel_kind": channel_kind,
        "profession": profession,
    }
    qs = qs.filter(**{k: v for k, v in filters.items() if v is not None})
    search = (search or "").strip()
    if search:
        phone = parse_phone(search)
        qs = qs.filter(Q(name__icontains=search) | Q(phone__contains=phone or search))
    return qs


def customer_get(*, user, customer_id: int) -> Customer:
    return _get(customer_list(user=user), customer_id, _("客户"))


def ownership_history(*, user, customer_id: int) -> QuerySet[OwnershipChange]:
    """The customer's ownership changes, newest first (the customer must be visible)."""
    customer = customer_get(user=user, customer_id=customer_id)
    return customer.ownership_changes.select_related("from_owner", "to_owner", "changed_by")


def consultation_list(
    *, user, customer_id: int | None = None, site_id: int | None = None, staff_id: int | None = None
) -> QuerySet[Consultation]:
    qs = _scoped_events(user, Consultation, customer_id=customer_id, site_id=site_id)
    if staff_id is not None:
        qs = qs.filter(staff_id=staff_id)
    return qs.select_related("customer", "staff")


def consultation_get(*, user, consultation_id: int) -> Consultation:
    return _get(consultation_list(user=user), consultation_id, _("咨询记录"))


def appointment_list(
    *,
    user,
    customer_id: int | None = None,
    site_id: int | None = None,
    status: str | None = None,
    scheduled_on: dt.date | None = None,
) -> QuerySet[Appointment]:
    """Appointments; `scheduled_on` gives one day's arrivals list for the front desk."""
    qs = _scoped_events(user, Appointment, customer_id=customer_id, site_id=site_id)
    if status is not None:
        qs = qs.filter(status=status)
    if scheduled_on is not None:
        qs = qs.filter(scheduled_for__date=scheduled_on)
    return qs.select_related("customer", "booked_by")


def appointment_get(*, user, appointment_id: int) -> Appointment:
    return _get(appointment_list(user=user), appointment_id, _("预约"))


def visit_list(
    *, user, customer_id: int | None = None, site_id: int | None = None, untriaged: bool = False
) -> QuerySet[Visit]:
    """Visits; `untriaged` = arrivals still waiting for an on-site consultant (分诊)."""
    qs = _scoped_events(user, Visit, customer_id=customer_id, site_id=site_id)
    if untriaged:
        qs = qs.filter(onsite_consultant__isnull=True)
    return qs.select_related("customer", "onsite_consultant", "appointment")


def visit_get(*, user, visit_id: int) -> Visit:
    return _get(visit_list(user=user), visit_id, _("上门记录"))


def assessment_list(
    *, user, customer_id: int | None = None, site_id: int | None = None, disputed: bool | None = None
) -> QuerySet[Assessment]:
    """Assessments and second opinions; `disputed=True` = second opinions not yet resolved."""
    qs = _scoped_events(user, Assessment, customer_id=customer_id, site_id=site_id)
    if disputed is True:
        qs = qs.filter(second_opinion_of__isnull=False, resolved_zone="")
    return qs.select_related("customer", "assessor", "second_opinion_of", "resolved_by")


def assessment_get(*, user, assessment_id: int) -> Assessment:
    return _get(assessment_list(user=user), assessment_id, _("评估记录"))


def deal_list(*, user, customer_id: int | None = None, site_id: int | None = None) -> QuerySet[Deal]:
    qs = _scoped_events(user, Deal, customer_id=customer_id, site_id=site_id)
    return qs.select_related("customer", "consultant").prefetch_related("lines")


def deal_get(*, user, deal_id: int) -> Deal:
    return _get(deal_list(user=user), deal_id, _("成交记录"))


def transaction_list(
    *, user, customer_id: int | None = None, site_id: int | None = None
) -> QuerySet[Transaction]:
    return _scoped_events(user, Transaction, customer_id=customer_id, site_id=site_id).select_related(
        "customer"
    )


def transaction_get(*, user, transaction_id: int) -> Transaction:
    return _get(transaction_list(user=user), transaction_id, _("消费记录"))


def followup_list(
    *,
    user,
    customer_id: int | None = None,
    site_id: int | None = None,
    due_by: dt.date | None = None,
    done: bool | None = None,
) -> QuerySet[FollowUp]:
    """Follow-ups; `due_by` with `done=False` is the to-do list (scheduled on or before that day)."""
    qs = _scoped_events(user, FollowUp, customer_id=customer_id, site_id=site_id)
    if done is not None:
        qs = qs.filter(done_on__isnull=not done)
    if due_by is not None:
        qs = qs.filter(scheduled_on__lte=due_by)
    return qs.select_related("customer", "staff")


def followup_get(*, user, followup_id: int) -> FollowUp:
    return _get(followup_list(user=user), followup_id, _("回访记录"))


def exit_list(*, user, customer_id: int | None = None, site_id: int | None = None) -> QuerySet[Exit]:
    return _scoped_events(user, Exit, customer_id=customer_id, site_id=site_id).select_related(
        "customer", "reason"
    )


def channel_list(*, user, site_id: int | None = None, include_inactive: bool = False) -> QuerySet[Channel]:
    """Shared channels plus those of the user's sites (of `site_id` only, when given)."""
    scope = scope_for(user)
    if not _can_view(scope, Channel):
        return Channel.objects.none()
    site_channels = scope.filter_sites(Channel.objects.filter(site__isnull=False))
    if site_id is not None:
        site_channels = site_channels.filter(site_id=site_id)
    qs = Channel.objects.filter(Q(site__isnull=True) | Q(pk__in=site_channels.values("pk")))
    if not include_inactive:
        qs = qs.filter(is_active=True)
    return qs.select_related("site")


def exit_reason_list(*, user, include_inactive: bool = False) -> QuerySet[ExitReason]:
    scope = scope_for(user)
    if not _can_view(scope, ExitReason):
        return ExitReason.objects.none()
    qs = ExitReason.objects.all()
    return qs if include_inactive else qs.filter(is_active=True)
