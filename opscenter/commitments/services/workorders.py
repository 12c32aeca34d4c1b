"""Work orders: open (from anywhere, by source), dispatch to the liaison, transition along the
explicit map with an optimistic version check, comment, agree a due time, escalate when overdue.

Other apps open work orders only through `work_order_open(source=…, source_ref=…)`: one work
order per source reference, however often it is called.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from opscenter.commitments.choices import (
    PRIORITY_DUE_MINUTES,
    WORK_ORDER_TRANSITIONS,
    Event,
    Priority,
    Source,
    WorkOrderStatus,
)
from opscenter.commitments.models import WorkOrder, WorkOrderAttachment, WorkOrderEvent
from opscenter.commitments.services.notify import notify
from opscenter.core.audit import as_actor
from opscenter.core.businesstime import add_business_time
from opscenter.core.calendars import work_calendar_for
from opscenter.core.exceptions import DomainError, NotFound, ValidationError
from opscenter.org.models import Department, Liaison
from opscenter.org.selectors import scope_for


class ConflictError(DomainError):
    """Someone else changed the record since it was read (optimistic version check)."""


def _link(work_order: WorkOrder) -> str:
    return reverse("commitments:work_order_detail", args=[work_order.pk])


def due_for(*, department: Department, priority: str, start: dt.datetime) -> dt.datetime:
    """The default due time: the priority's business minutes on the site calendar."""
    calendar = work_calendar_for(department.site.calendar)
    return add_business_time(start, dt.timedelta(minutes=PRIORITY_DUE_MINUTES[priority]), calendar)


@transaction.atomic
@as_actor
def work_order_open(
    *,
    actor=None,
    department_id: int,
    title: str,
    description: str = "",
    source: str = Source.MANUAL,
    source_ref: str = "",
    priority: str = Priority.NORMAL,
    due_at: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> WorkOrder:
    """Open a work order for a department and dispatch it to the department's liaison (if one is
    set). With a source reference, an existing work order of that source is returned instead."""
    department = Department.objects.select_related("site__calendar").filter(pk=department_id).first()
    if department is None:
        raise ValidationError(_("请选择责任部门"), field="department")
    if actor is not None:
        scope = scope_for(actor)
        scope.require("commitments.add_workorder")
        scope.require_site(department.site_id, write=True)
    if not title.strip():
        raise ValidationError(_("请填写工单标题"), field="title")
    if priority not in Priority.values:
        raise ValidationError(_("优先级不正确"), field="priority")
    if source not in Source.values:
        raise ValidationError(_("工单来源不正确"), field="source")
    if source != Source.MANUAL and source_ref:
        existing = WorkOrder.objects.filter(source=source, source_ref=str(source_ref)).first()
        if existing is not None:
            return existing
    now = now or timezone.now()
    try:
        with transaction.atomic():
            work_order = WorkOrder.objects.create(
                site_id=department.site_id,
                department=department,
                title=title.strip()[:200],
                description=description,
                source=source,
                source_ref=str(source_ref),
                priority=priority,
                requester=actor,
                opened_at=now,
                due_at=due_at or due_for(department=department, priority=priority, start=now),
            )
    except IntegrityError:  # another worker opened it a moment ago
        return WorkOrder.objects.get(source=source, source_ref=str(source_ref))
    WorkOrderEvent.objects.create(
        work_order=work_order,
        kind=WorkOrderEvent.Kind.TRANSITION,
        to_status=WorkOrderStatus.OPENED,
        actor=actor,
        at=now,
        note=description[:500],
    )
    liaison = Liaison.objects.select_related("staff").filter(department=department).first()
    if liaison is not None:
        _dispatch(work_order, liaison.staff, actor, now)
    return work_order


def _dispatch(work_order: WorkOrder, staff, actor, now: dt.datetime) -> None:
    before = work_order.status
    work_order.status = WorkOrderStatus.DISPATCHED
    work_order.assignee = staff
    work_order.dispatched_at = now
    work_order.version = F("version") + 1
    work_order.save(update_fields=["status", "assignee", "dispatched_at", "version"])
    work_order.refresh_from_db(fields=["version"])
    WorkOrderEvent.objects.create(
        work_order=work_order,
        kind=WorkOrderEvent.Kind.TRANSITION,
        from_status=before,
        to_status=WorkOrderStatus.DISPATCHED,
        actor=actor,
        at=now,
        note=_("派发给 %(name)s") % {"name": staff.name},
    )
    if staff.user_id:
        notify(
            [staff.user],
            title=_("新工单：%(title)s") % {"title": work_order.title},
            body=_("请在 %(localtime)s 前处理（协商时限）。")
            % {"localtime": format(timezone.localtime(work_order.due_at), "%Y-%m-%d %H:%M")},
            link=_link(work_order),
        )
    _record(work_order, Event.WORK_ORDER_DISPATCHED, now)


def _record(work_order: WorkOrder, event: str, at: dt.datetime) -> None:
    """Complaint work orders feed the complaint's commitment tree."""
    if work_order.source == Source.COMPLAINT and work_order.source_ref:
        from opscenter.commitments.services.measurements import events_for_subject

        events_for_subject(
            subject_kind="complaint",
            subject_ref=work_order.source_ref,
            site_id=work_order.site_id,
            events={event: at},
        )


def work_order_get_for_update(*, actor, work_order_id: int) -> WorkOrder:
    scope = scope_for(actor)
    work_order = (
        WorkOrder.objects.select_for_update()
        .select_related("department__site")
        .filter(pk=work_order_id)
        .first()
    )
    if work_order is None or not scope.sees_site(work_order.site_id):
        raise NotFound(_("工单不存在或无权访问"))
    scope.require("commitments.change_workorder")
    scope.require_site(work_order.site_id, write=True)
    return work_order


def _check_version(work_order: WorkOrder, version: int | None) -> None:
    if version is not None and int(version) != work_order.version:
        raise ConflictError(
            _("该工单已被他人更新，请刷新页面查看最新状态后再操作"),
            field="version",
            log_message=f"work order {work_order.pk} version {version} != {work_order.version}",
        )


@transaction.atomic
@as_actor
def work_order_transition(
    *,
    actor,
    work_order_id: int,
    to_status: str,
    version: int | None,
    note: str = "",
    resolution: str = "",
    satisfaction: int | None = None,
    feedback: str = "",
    now: dt.datetime | None = None,
) -> WorkOrder:
    """Move a work order along WORK_ORDER_TRANSITIONS. A forbidden move is refused naming the
    allowed ones; a stale `version` is refused (someone else acted first). Verifying and reopening
    are the requester's (or operations'); resolving needs a resolution."""
    now = now or timezone.now()
    work_order = work_order_get_for_update(actor=actor, work_order_id=work_order_id)
    _check_version(work_order, version)
    if to_status not in WorkOrderStatus.values:
        raise ValidationError(_("状态不正确：%(to_status)s") % {"to_status": to_status}, field="to_status")
    allowed = WORK_ORDER_TRANSITIONS[work_order.status]
    if to_status not in allowed:
        names = _("、").join(str(WorkOrderStatus(s).label) for s in sorted(allowed)) or _("无（已关闭）")
        raise ValidationError(
            _("工单当前为「%(status)s」，不能改为「%(label)s」；允许的操作：%(names)s")
            % {
                "status": work_order.get_status_display(),
                "label": WorkOrderStatus(to_status).label,
                "names": names,
            },
            field="to_status",
        )
    if to_status == WorkOrderStatus.DISPATCHED:
        liaison = (
            Liaison.objects.select_related("staff").filter(department_id=work_order.department_id).first()
        )
        if liaison is None:
            raise ValidationError(
                _("「%(name)s」尚未指定联络员") % {"name": work_order.department.name}, field="department"
            )
        _dispatch(work_order, liaison.staff, actor, now)
        return work_order
    scope = scope_for(actor)
    may_verify = scope.is_superuser or "operations" in scope.roles or work_order.requester_id == actor.pk
    if to_status in (WorkOrderStatus.VERIFIED, WorkOrderStatus.REOPENED) and not may_verify:
        raise ValidationError(_("只有工单提出人或运营管理可以验证或重开工单"), field="to_status")
    if to_status == WorkOrderStatus.RESOLVED and not resolution.strip():
        raise ValidationError(_("请填写处理结果"), field="resolution")
    if satisfaction is not None and not 1 <= int(satisfaction) <= 5:
        raise ValidationError(_("满意度应为 1–5"), field="satisfaction")
    before = work_order.status
    work_order.status = to_status
    fields = ["status", "version"]
    if to_status == WorkOrderStatus.IN_PROGRESS and work_order.assignee_id is None and scope.staff_id:
        work_order.assignee_id = scope.staff_id
        fields.append("assignee")
    if to_status == WorkOrderStatus.RESOLVED:
        work_order.resolution = resolution.strip()
        work_order.resolved_at = now
        fields += ["resolution", "resolved_at"]
    if to_status == WorkOrderStatus.VERIFIED:
        work_order.verified_at = now
        work_order.satisfaction = satisfaction
        work_order.feedback = feedback
        fields += ["verified_at", "satisfaction", "feedback"]
    if to_status == WorkOrderStatus.REOPENED:
        work_order.resolved_at = None
        work_order.feedback = feedback
        fields += ["resolved_at", "feedback"]
    updated = WorkOrder.objects.filter(pk=work_order.pk, version=work_order.version)
    work_order.version += 1
    if updated.update(**{f: getattr(work_order, f) for f in fields}) != 1:
        raise ConflictError(_("该工单已被他人更新，请刷新页面查看最新状态后再操作"), field="version")
    WorkOrderEvent.objects.create(
        work_order=work_order,
        kind=WorkOrderEvent.Kind.TRANSITION,
        from_status=before,
        to_status=to_status,
        actor=actor,
        at=now,
        note=note or resolution or feedback,
    )
    if to_status == WorkOrderStatus.RESOLVED:
        _record(work_order, Event.WORK_ORDER_RESOLVED, now)
        if work_order.requester_id:
            notify(
                [work_order.requester],
                title=_("工单已处理，请验证：%(title)s") % {"title": work_order.title},
                body=resolution,
                link=_link(work_order),
            )
    if to_status == WorkOrderStatus.VERIFIED and work_order.source == Source.COMPLAINT:
        from opscenter.commitments.services.complaints import complaint_answered

        complaint_answered(complaint_id=int(work_order.source_ref), at=now)
    if to_status == WorkOrderStatus.REOPENED and work_order.assignee_id and work_order.assignee.user_id:
        notify(
            [work_order.assignee.user],
            title=_("工单被重开：%(title)s") % {"title": work_order.title},
            body=feedback,
            link=_link(work_order),
        )
    return work_order


@transaction.atomic
@as_actor
def work_order_comment(*, actor, work_order_id: int, note: str) -> WorkOrderEvent:
    work_order = work_order_get_for_update(actor=actor, work_order_id=work_order_id)
    if not note.strip():
        raise ValidationError(_("请填写备注内容"), field="note")
    return WorkOrderEvent.objects.create(
        work_order=work_order, kind=WorkOrderEvent.Kind.COMMENT, note=note.strip(), actor=actor
    )


@transaction.atomic
@as_actor
def work_order_change_due(
    *, actor, work_order_id: int, version: int | None, due_at: dt.datetime, note: str
) -> WorkOrder:
    """Agree a new due time with the liaison (协商时限); the change and its reason are recorded."""
    work_order = work_order_get_for_update(actor=actor, work_order_id=work_order_id)
    _check_version(work_order, version)
    if not work_order.is_open:
        raise ValidationError(_("工单已处理，不能再调整时限"), field="due_at")
    if due_at.tzinfo is None:
        raise ValidationError(_("时限缺少时区"), field="due_at")
    if not note.strip():
        raise ValidationError(_("请填写调整时限的协商说明"), field="note")
    old = work_order.due_at
    work_order.due_at = due_at
    work_order.escalation_level = 0
    work_order.version += 1
    work_order.save(update_fields=["due_at", "escalation_level", "version"])
    WorkOrderEvent.objects.create(
        work_order=work_order,
        kind=WorkOrderEvent.Kind.DUE_CHANGE,
        actor=actor,
        note=_("%(old)s → %(new)s：%(note)s")
        % {
            "old": format(timezone.localtime(old), "%Y-%m-%d %H:%M"),
            "new": format(timezone.localtime(due_at), "%Y-%m-%d %H:%M"),
            "note": note.strip(),
        },
    )
    return work_order


MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
ATTACHMENT_TYPES = {".pdf", ".png", ".jpg", ".jpeg", ".gif", ".xlsx", ".xls", ".docx", ".doc", ".txt", ".csv"}


@transaction.atomic
@as_actor
def work_order_attach(*, actor, work_order_id: int, upload) -> WorkOrderAttachment:
    """Attach an uploaded file (at most 10 MB, documents, spreadsheets and images only)."""
    import os

    work_order = work_order_get_for_update(actor=actor, work_order_id=work_order_id)
    name = os.path.basename(upload.name or "")[:200]
    ext = os.path.splitext(name)[1].lower()
    if ext not in ATTACHMENT_TYPES:
        allowed = _("、").join(sorted(ATTACHMENT_TYPES))
        raise ValidationError(
            _("附件「%(name)s」的类型不支持，可上传：%(allowed)s") % {"name": name, "allowed": allowed},
            field="file",
        )
    if upload.size > MAX_ATTACHMENT_BYTES:
        raise ValidationError(_("附件「%(name)s」超过 10 MB") % {"name": name}, field="file")
    if upload.size == 0:
        raise ValidationError(_("附件「%(name)s」是空文件") % {"name": name}, field="file")
    attachment = WorkOrderAttachment.objects.create(
        work_order=work_order, file=upload, name=name, size=upload.size, uploaded_by=actor
    )
    WorkOrderEvent.objects.create(
        work_order=work_order,
        kind=WorkOrderEvent.Kind.COMMENT,
        note=_("附件：%(name)s") % {"name": name},
        actor=actor,
    )
    return attachment


@transaction.atomic
def work_orders_withdraw(*, source: str, source_refs) -> tuple[int, int]:
    """Withdraw the work orders another app opened for records it is removing (an import being
    undone): those nobody has started yet (opened or dispatched, no comment or attachment) are
    deleted with their events. Returns (withdrawn, worked on): the caller refuses the removal when
    any was already worked on (checked first, so nothing is deleted then)."""
    from opscenter.commitments.choices import WorkOrderStatus

    orders = WorkOrder.objects.filter(source=source, source_ref__in=[str(r) for r in source_refs])
    untouched = (
        orders.filter(status__in=[WorkOrderStatus.OPENED, WorkOrderStatus.DISPATCHED])
        .exclude(
            pk__in=WorkOrderEvent.objects.filter(kind=WorkOrderEvent.Kind.COMMENT).values("work_order_id")
        )
        .exclude(pk__in=WorkOrderAttachment.objects.values("work_order_id"))
    )
    worked = orders.exclude(pk__in=untouched.values("pk")).count()
    if worked:
        return 0, worked
    withdrawn = untouched.count()
    untouched.delete()
    return withdrawn, 0
