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
