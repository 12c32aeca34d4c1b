"""Complaints: registered from any channel, each opening a work order for the department
complained about; the complaint's response and resolution are measured by the site's active
complaint commitment tree (受理 → 派单 → 处理 → 答复)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opscenter.commitments.choices import Channel, Event, Priority, Severity, Source
from opscenter.commitments.models import Complaint
from opscenter.commitments.services.measurements import events_for_subject
from opscenter.commitments.services.workorders import work_order_open
from opscenter.core.audit import as_actor
from opscenter.core.exceptions import ValidationError
from opscenter.org.models import Department
from opscenter.org.selectors import scope_for

PRIORITY_BY_SEVERITY = {
    Severity.HIGH: Priority.URGENT,
    Severity.MEDIUM: Priority.HIGH,
    Severity.LOW: Priority.NORMAL,
}


@transaction.atomic
@as_actor
def complaint_register(
    *,
    actor,
    department_id: int,
    customer_name: str,
    channel: str,
    category: str,
    content: str,
    severity: str = Severity.LOW,
    escalated: bool = False,
    escalated_to: str = "",
    customer_phone: str = "",
    customer_id: int | None = None,
    received_at: dt.datetime | None = None,
    followup_id: int | None = None,
) -> Complaint:
    """Register a complaint, open its work order (dispatched to the department's liaison) and
    start measuring its commitment."""
    department = Department.objects.filter(pk=department_id).first()
    if department is None:
        raise ValidationError(_("请选择被投诉部门"), field="department")
    if actor is not None:
        scope = scope_for(actor)
        scope.require("commitments.add_complaint")
        scope.require_site(department.site_id, write=True)
    if not customer_name.strip():
        raise ValidationError(_("请填写投诉人"), field="customer_name")
    if channel not in Channel.values:
        raise ValidationError(_("投诉渠道不正确"), field="channel")
    if severity not in Severity.values:
        raise ValidationError(_("严重程度不正确"), field="severity")
    if not category.strip():
        raise ValidationError(_("请填写投诉类别"), field="category")
    if not content.strip():
        raise ValidationError(_("请填写投诉内容"), field="content")
    if escalated and not escalated_to.strip():
        raise ValidationError(_("投诉升级时请填写升级至何处"), field="escalated_to")
    received_at = received_at or timezone.now()
    complaint = Complaint.objects.create(
        site_id=department.site_id,
        department=department,
        customer_id=customer_id,
        customer_name=customer_name.strip(),
        customer_phone=customer_phone.strip(),
        channel=channel,
        category=category.strip(),
        content=content.strip(),
        severity=severity,
        escalated=escalated,
        escalated_to=escalated_to.strip(),
        received_at=received_at,
        recorded_by=actor,
        followup_id=followup_id,
    )
    events_for_subject(
        subject_kind="complaint",
        subject_ref=str(complaint.pk),
        site_id=complaint.site_id,
        events={Event.COMPLAINT_RECEIVED: received_at},
        department_id=department.pk,
    )
    work_order_open(
        actor=actor,
        department_id=department.pk,
        title=_("投诉：%(category)s（%(customer_name)s）")
        % {"category": complaint.category, "customer_name": complaint.customer_name},
        description=complaint.content,
        source=Source.COMPLAINT,
        source_ref=str(complaint.pk),
        priority=PRIORITY_BY_SEVERITY[severity],
        now=received_at,
    )
    return complaint


def _followup_department(followup) -> int | None:
    """The department a follow-up complaint goes to: the follow-up's caller's, else the customer's
    consultant's, else the site's customer-management department (its liaison re-dispatches)."""
    from opscenter.org.choices import DepartmentKind

    for staff in (followup.staff, followup.customer.owner):
        if staff is not None and staff.department.site_id == followup.site_id:
            return staff.department_id
    return (
        Department.objects.filter(site_id=followup.site_id, kind=DepartmentKind.CUSTOMER)
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )


def complaint_from_followup(*, followup) -> Complaint | None:
    """A follow-up recorded with outcome 投诉 opens a complaint linked to it (channel 回访), once:
    called again for the same follow-up it returns the complaint already opened. Runs inside the
    follow-up's transaction (pipeline event hook) on the system's authority: whoever may complete a
    follow-up may pass on what the customer complained about. None when the site has no department
    to send it to."""
    existing = Complaint.objects.filter(followup_id=followup.pk).first()
    if existing is not None:
        return existing
    department_id = _followup_department(followup)
    if department_id is None:
        return None
    tz = timezone.get_default_timezone()
    received_at = min(timezone.now(), dt.datetime.combine(followup.done_on, dt.time(12, 0), tzinfo=tz))
    customer = followup.customer
    return complaint_register(
        actor=None,
        department_id=department_id,
        customer_name=customer.name,
        customer_phone=customer.phone,
        customer_id=customer.pk,
        channel=Channel.FOLLOWUP,
        category=_("回访投诉"),
        content=(followup.note or "").strip() or _("回访时客户提出投诉（回访记录未填写内容）"),
        received_at=received_at,
        followup_id=followup.pk,
    )


def complaint_answered(*, complaint_id: int, at: dt.datetime) -> None:
    """The requester verified the complaint's work order: the customer has had the answer."""
    updated = Complaint.objects.filter(pk=complaint_id, answered_at__isnull=True).update(answered_at=at)
    if updated:
        complaint = Complaint.objects.get(pk=complaint_id)
        events_for_subject(
            subject_kind="complaint",
            subject_ref=str(complaint_id),
            site_id=complaint.site_id,
            events={Event.COMPLAINT_ANSWERED: at},
        )
