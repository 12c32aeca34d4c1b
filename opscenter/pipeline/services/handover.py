"""Hand-over when a staff member leaves (seed 000: 员工离职形成的资源流失).

One step moves everything the leaver still holds — the customers they own, their open follow-ups,
their booked appointments and (through the steps other apps register, e.g. members' care tasks)
their open tasks — to a named colleague or spread over the leaver's team, records the departure on
the staff row, and audits every moved record. Ownership protection is carried over: a handed-over
customer keeps its `owner_since`, so the window that protected it against other consultants'
claims neither lapses nor restarts.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from opscenter.core import audit
from opscenter.core.audit import as_actor
from opscenter.core.exceptions import NotFound, PermissionDenied, ValidationError
from opscenter.org.models import Staff
from opscenter.org.selectors import staff_list
from opscenter.pipeline.choices import AppointmentStatus, FollowUpOutcome, OwnershipChangeKind
from opscenter.pipeline.models import Appointment, Customer, FollowUp, OwnershipChange
from opscenter.pipeline.services._common import is_manager, scope_requiring


@dataclass
class HandOver:
    """What a hand-over moved: counts by kind ("customers", "followups", "appointments", and
    whatever registered steps report) and the colleague each customer went to."""

    staff: Staff
    receivers: list[Staff]
    moved: dict[str, int] = field(default_factory=dict)
    customers_by_receiver: dict[int, int] = field(default_factory=dict)


# step(leaver, assign: {customer_id: receiver}, fallback receiver, message) → {kind: count}.
# Other apps register theirs (members: open care tasks) so this module reads no other app's tables.
HandOverStep = Callable[..., dict[str, int]]
_STEPS: list[HandOverStep] = []


def register_hand_over_step(step: HandOverStep) -> HandOverStep:
    if step not in _STEPS:
        _STEPS.append(step)
    return step


def _receivers(leaver: Staff, to_staff_id: int | None) -> list[Staff]:
    site_id = leaver.department.site_id
    active = Staff.objects.select_related("department", "team").filter(is_active=True).exclude(pk=leaver.pk)
    if to_staff_id is not None:
        receiver = active.filter(
            Q(department__site_id=site_id) | Q(extra_sites=site_id), pk=to_staff_id
        ).first()
        if receiver is None:
            raise ValidationError(_("接手人必须是同一院区的在职员工"), field="to_staff")
        return [receiver]
    if leaver.team_id is None:
        raise ValidationError(_("该员工不属于任何小组，请指定接手人"), field="to_staff")
    team = list(active.filter(team_id=leaver.team_id).order_by("employee_no"))
    if not team:
        raise ValidationError(_("该小组没有其他在职员工，请指定接手人"), field="to_staff")
    return team


@as_actor
@transaction.atomic
def staff_hand_over(
    *, actor, staff_id: int, to_staff_id: int | None = None, reason: str, left_on: dt.date | None = None
) -> HandOver:
    """Hand a leaver's work over and (with `left_on`) record the departure, in one transaction.

    `to_staff_id`: the colleague who takes everything; None spreads the customers over the
    leaver's active team mates in turn (by 工号), each customer's open follow-ups, appointments
    and tasks going with it (anything not tied to a moved customer goes to the first team mate).
    Managers only; the leaver must be in the actor's sites. Moved records are audited one by one,
    customers with an `OwnershipChange` (主管改派, the reason prefixed 离职交接).
    """
    scope = scope_requiring(actor, "pipeline.change_customer")
    if not is_manager(scope):
        raise PermissionDenied(_("只有主管可以办理离职交接"), log_message="hand-over by non-manager")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("离职交接必须填写原因"), field="reason")
    leaver = (
        staff_list(user=actor).select_related("department", "team").select_for_update(of=("self",))
        .filter(pk=staff_id).first()
    )  # fmt: skip
    if leaver is None:
        raise NotFound(_("员工不存在或无权访问"))
    scope.require_site(leaver.department.site_id, write=True)
    if left_on is not None and leaver.hired_on is not None and left_on < leaver.hired_on:
        raise ValidationError(_("离职日期不能早于入职日期"), field="left_on")
    receivers = _receivers(leaver, to_staff_id)
    message = _("离职交接：%(name)s → %(join)s（%(reason)s）") % {
        "name": leaver.name,
        "join": _("、").join(r.name for r in receivers),
        "reason": reason,
    }
    now = timezone.now()
    result = HandOver(staff=leaver, receivers=receivers)

    customers = list(
        Customer.objects.select_for_update().filter(owner=leaver, is_deleted=False).order_by("pk")
    )
    assign = {c.pk: receivers[i % len(receivers)] for i, c in enumerate(customers)}
    by_receiver: dict[int, list[int]] = defaultdict(list)
    for customer_id, receiver in assign.items():
        by_receiver[receiver.pk].append(customer_id)
    for receiver_id, ids in by_receiver.items():
        # owner_since is left as it is: the protection window carries over to the new owner.
        Customer.objects.filter(pk__in=ids).update(owner_id=receiver_id)
    OwnershipChange.objects.bulk_create(
        [
            OwnershipChange(
                customer=c,
                kind=OwnershipChangeKind.REASSIGN,
                from_owner=leaver,
                to_owner=assign[c.pk],
                reason=(_("离职交接：%(reason)s") % {"reason": reason})[:300],
                changed_by_id=getattr(actor, "pk", None),
                changed_at=now,
            )
            for c in customers
        ]
    )
    audit.record_events(
        customers, message, {c.pk: {"owner_id": [leaver.pk, assign[c.pk].pk]} for c in customers}
    )
    result.customers_by_receiver = {rid: len(ids) for rid, ids in by_receiver.items()}
    result.moved["customers"] = len(customers)
    first = receivers[0]

    def receiver_of(customer_id: int) -> Staff:
        return assign.get(customer_id, first)

    followups = list(
        FollowUp.objects.filter(staff=leaver, done_on__isnull=True, outcome=FollowUpOutcome.PENDING)
    )
    for followup in followups:
        followup.staff = receiver_of(followup.customer_id)
    FollowUp.objects.bulk_update(followups, ["staff"], batch_size=500)
    audit.record_events(followups, message, {f.pk: {"staff_id": [leaver.pk, f.staff_id]} for f in followups})
    result.moved["followups"] = len(followups)

    # Booked visits still to come: the receiver meets the customer, so the booking moves with the
    # customer (owner and team); arrived / no-show / cancelled bookings stay history.
    appointments = list(Appointment.objects.filter(owner=leaver, status=AppointmentStatus.BOOKED))
    for appointment in appointments:
        receiver = receiver_of(appointment.customer_id)
        appointment.owner, appointment.team_id = receiver, receiver.team_id
    Appointment.objects.bulk_update(appointments, ["owner", "team"], batch_size=500)
    audit.record_events(
        appointments, message, {a.pk: {"owner_id": [leaver.pk, a.owner_id]} for a in appointments}
    )
    result.moved["appointments"] = len(appointments)

    for step in _STEPS:
        result.moved.update(step(leaver=leaver, receiver_of=receiver_of, message=message))

    changes: dict[str, list] = {"hand_over": [None, result.moved]}
    if left_on is not None:
        changes.update(
            left_on=[str(leaver.left_on) if leaver.left_on else None, str(left_on)],
            is_active=[leaver.is_active, False],
        )
        leaver.left_on, leaver.is_active = left_on, False
        Staff.objects.filter(pk=leaver.pk).update(left_on=left_on, is_active=False)
        if leaver.user_id:  # a leaver signs in no more
            get_user_model().objects.filter(pk=leaver.user_id).update(is_active=False)
    audit.record_event(leaver, message, changes)
    return result
