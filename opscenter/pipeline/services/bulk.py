"""Bulk actions on a page of customers (the customer list): reassign to another consultant and
schedule follow-ups. Same rules as the single-customer services, checked for every selected row
before anything is written, then written set-based (one UPDATE / INSERT per table)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from opscenter.core import audit
from opscenter.core.audit import as_actor
from opscenter.core.exceptions import NotFound, PermissionDenied, ValidationError
from opscenter.org.models import Staff
from opscenter.pipeline.choices import CustomerStatus, FollowUpChannel, OwnershipChangeKind
from opscenter.pipeline.models import Customer, FollowUp, OwnershipChange
from opscenter.pipeline.periods import month_key
from opscenter.pipeline.services._common import is_manager, scope_requiring

BULK_LIMIT = 500  # customers per bulk action (a few list pages)


def _selected(scope, customer_ids: Iterable[int]) -> list[Customer]:
    """The selected customers, locked, all of them writable by the actor — else nothing is done."""
    ids = sorted({int(pk) for pk in customer_ids})
    if not ids:
        raise ValidationError(gettext("请先勾选客户"), field="customers")
    if len(ids) > BULK_LIMIT:
        raise ValidationError(
            gettext("一次最多处理 %(limit)d 位客户") % {"limit": BULK_LIMIT}, field="customers"
        )
    qs = scope.filter_owned(Customer.objects.filter(pk__in=ids, is_deleted=False))
    customers = list(qs.select_related("site").select_for_update(of=("self",)).order_by("pk"))
    if len(customers) != len(ids):
        raise NotFound(
            gettext("部分客户不存在或无权访问"), log_message=f"bulk: {len(ids) - len(customers)} out of scope"
        )
    for customer in customers:
        scope.require_site(customer.site_id, write=True)
    return customers


def _staff_at_sites(staff_id: int, site_ids: set[int], *, label: str, field: str) -> Staff:
    """An active staff member who works at every one of `site_ids` (home or extra sites)."""
    staff = Staff.objects.select_related("department").filter(pk=staff_id, is_active=True).first()
    if staff is None:
        raise ValidationError(gettext("%(label)s不存在或已离职") % {"label": label}, field=field)
    works = {staff.department.site_id, *staff.extra_sites.values_list("pk", flat=True)}
    if not site_ids <= works:
        raise ValidationError(
            gettext("%(label)s不在所选客户的院区工作，请按院区分别改派") % {"label": label}, field=field
        )
    return staff


@as_actor
@transaction.atomic
def customers_reassign(*, actor, customer_ids: Iterable[int], to_owner_id: int, reason: str) -> int:
    """A manager gives many customers to one consultant, with one reason (required), under the
    rules of `customer_reassign`: managers only, the new owner works at the customers' site, the
    protection window restarts now, past funnel rows keep their credit. Customers the new owner
    already has are left alone. Returns how many changed owner."""
    scope = scope_requiring(actor, "pipeline.change_customer")
    if not is_manager(scope):
        raise PermissionDenied(
            gettext("只有主管可以改派客户归属"), log_message="bulk reassign by non-manager"
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(gettext("改派客户归属必须填写原因"), field="reason")
    customers = _selected(scope, customer_ids)
    new_owner = _staff_at_sites(
        to_owner_id, {c.site_id for c in customers}, label=gettext("新归属咨询师"), field="to_owner_id"
    )
    moving = [c for c in customers if c.owner_id != new_owner.pk]
    if not moving:
        return 0
    now = timezone.now()
    previous = {c.pk: c.owner_id for c in moving}
    Customer.objects.filter(pk__in=previous).update(owner=new_owner, owner_since=now)
    user = actor if getattr(actor, "pk", None) else None
    OwnershipChange.objects.bulk_create(
        [
            OwnershipChange(
                customer=c,
                kind=OwnershipChangeKind.REASSIGN,
                from_owner_id=previous[c.pk],
                to_owner=new_owner,
                reason=reason,
                changed_by=user,
                changed_at=now,
            )
            for c in moving
        ]
    )
    label = OwnershipChangeKind.REASSIGN.label
    audit.record_events(
        moving,
        _("渠道归属变更（%(label)s）：%(reason)s") % {"label": label, "reason": reason},
        {c.pk: {"owner_id": [previous[c.pk], new_owner.pk]} for c in moving},
    )
    return len(moving)


@as_actor
@transaction.atomic
def followups_schedule(
    *,
    actor,
    customer_ids: Iterable[int],
    scheduled_on: dt.date,
    channel: str = FollowUpChannel.PHONE,
    note: str = "",
) -> int:
    """Schedule one follow-up (回访) for each selected customer, by the customer's owner (else the
    actor). Exited customers are refused by name. Returns how many were scheduled."""
    scope = scope_requiring(actor, "pipeline.add_followup")
    if channel not in FollowUpChannel.values:
        raise ValidationError(gettext("回访方式不正确"), field="channel")
    if not isinstance(scheduled_on, dt.date):
        raise ValidationError(gettext("计划日期格式不正确"), field="scheduled_on")
    customers = _selected(scope, customer_ids)
    exited = [c.name for c in customers if c.status == CustomerStatus.EXITED]
    if exited:
        raise ValidationError(
            gettext("已退出的客户不能安排回访：%(names)s") % {"names": _("、").join(exited[:10])},
            field="customers",
        )
    rows = [
        FollowUp(
            site_id=c.site_id,
            customer=c,
            staff_id=c.owner_id or scope.staff_id,
            channel=channel,
            scheduled_on=scheduled_on,
            month=month_key(scheduled_on),
            note=note,
        )
        for c in customers
    ]
    FollowUp.objects.bulk_create(rows)
    audit.record_events(
        customers,
        gettext("批量安排回访：%(day)s") % {"day": f"{scheduled_on:%Y-%m-%d}"},
    )
    return len(rows)
