"""Review meetings: the agenda generated from the period's anomalies, breaches and overdue work
orders; decisions with an owner and a due date, each of which may open a work order."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from opscenter.commitments.choices import OPEN_WORK_ORDER_STATUSES, Priority, Source, StageStatus
from opscenter.commitments.models import Anomaly, MeetingDecision, ReviewMeeting, StageMeasurement, WorkOrder
from opscenter.commitments.services.workorders import work_order_open
from opscenter.core.audit import as_actor
from opscenter.core.calendars import work_calendar_for
from opscenter.core.exceptions import NotFound, ValidationError
from opscenter.org.models import Site, Staff
from opscenter.org.selectors import scope_for

AGENDA_LIMIT = 30  # per section: a meeting discusses the worst, the drill-downs hold the rest


def meeting_agenda(
    *, site_id: int, start: dt.date, end: dt.date, now: dt.datetime | None = None
) -> list[dict]:
    """Agenda items of [start, end]: anomalies found, level-1 breaches (with their attribution) and
    work orders overdue now. Three queries."""
    now = now or timezone.now()
    tz = timezone.get_default_timezone()
    lo = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    items: list[dict] = []
    for a in Anomaly.objects.filter(
        rule__site_id=site_id, opened_at__gte=lo, opened_at__lt=hi
    ).select_related("rule")[:AGENDA_LIMIT]:
        url = reverse("commitments:work_order_detail", args=[a.work_order_id]) if a.work_order_id else ""
        items.append(
            {
                "kind": "anomaly",
                "text": _("异动：%(name)s（%(unit_label)s）")
                % {"name": a.rule.name, "unit_label": a.unit_label},
                "url": url,
            }
        )
    breaches = (
        StageMeasurement.objects.filter(site_id=site_id, level=1, status=StageStatus.BREACHED, due_at__gte=lo,
                                        due_at__lt=hi)
        .select_related("commitment", "measurement")
        .order_by("-overrun_minutes")[:AGENDA_LIMIT]
    )  # fmt: skip
    for s in breaches:
        subject = s.measurement.label or s.measurement.subject_ref
        items.append({
            "kind": "breach",
            "text": _("超时：%(name)s（%(subject)s）%(attribution)s") % {"name": s.commitment.name, "subject": subject, "attribution": s.attribution},
            "url": reverse("commitments:measurement_detail", args=[s.measurement_id]),
        })  # fmt: skip
    overdue = WorkOrder.objects.filter(site_id=site_id, status__in=OPEN_WORK_ORDER_STATUSES, due_at__lte=now)
    for wo in overdue.select_related("department").order_by("due_at")[:AGENDA_LIMIT]:
        items.append({
            "kind": "overdue",
            "text": _("超期工单 #%(pk)s：%(title)s（%(name)s，时限 %(due)s）") % {"pk": wo.pk, "title": wo.title, "name": wo.department.name, "due": format(timezone.localtime(wo.due_at), "%m-%d %H:%M")},
            "url": reverse("commitments:work_order_detail", args=[wo.pk]),
        })  # fmt: skip
    return items


@transaction.atomic
@as_actor
def review_meeting_create(
    *, actor, site_id: int, kind: str, held_on: dt.date, title: str = "", now: dt.datetime | None = None
) -> ReviewMeeting:
    """Convene a meeting; its agenda covers the week before `held_on` (weekly) or the last 30 days
    (ad hoc), frozen at creation."""
    scope = scope_for(actor)
    scope.require("commitments.add_reviewmeeting")
    scope.require_site(site_id, write=True)
    if kind not in ReviewMeeting.Kind.values:
        raise ValidationError(_("会商类型不正确"), field="kind")
    site = Site.objects.get(pk=site_id)
    days = 7 if kind == ReviewMeeting.Kind.WEEKLY else 30
    start, end = held_on - dt.timedelta(days=days), held_on - dt.timedelta(days=1)
    title = title.strip() or f"{site.name} {ReviewMeeting.Kind(kind).label} {held_on:%Y-%m-%d}"
    return ReviewMeeting.objects.create(
        site_id=site_id, kind=kind, title=title, held_on=held_on, period_start=start, period_end=end,
        agenda=meeting_agenda(site_id=site_id, start=start, end=end, now=now), created_by=actor,
    )  # fmt: skip


@transaction.atomic
@as_actor
def meeting_decision_record(
    *, actor, meeting_id: int, text: str, owner_id: int, due_on: dt.date, open_work_order: bool = False
) -> MeetingDecision:
    """Record a decision; with `open_work_order`, a work order for the owner's department, due at
    the close of business on `due_on` (site calendar)."""
    scope = scope_for(actor)
    meeting = ReviewMeeting.objects.filter(pk=meeting_id).first()
    if meeting is None or not scope.sees_site(meeting.site_id):
        raise NotFound(_("会商不存在或无权访问"))
    scope.require("commitments.add_meetingdecision")
    scope.require_site(meeting.site_id, write=True)
    if not text.strip():
        raise ValidationError(_("请填写决定事项"), field="text")
    owner = (
        Staff.objects.select_related("department__site__calendar").filter(pk=owner_id, is_active=True).first()
    )
    if owner is None or owner.department.site_id != meeting.site_id:
        raise ValidationError(_("负责人必须是本院区在职员工"), field="owner")
    decision = MeetingDecision.objects.create(meeting=meeting, text=text.strip(), owner=owner, due_on=due_on)
    if open_work_order:
        calendar = work_calendar_for(owner.department.site.calendar)
        due_at = dt.datetime.combine(due_on, calendar.day_end, tzinfo=calendar.tz)
        if due_at <= timezone.now():
            raise ValidationError(_("开工单的完成期限必须晚于现在"), field="due_on")
        decision.work_order = work_order_open(
            actor=actor, department_id=owner.department_id, title=_("会商决定：%(text)s") % {"text": text.strip()[:80]},
            description=_("%(title)s：%(text)s（负责人 %(name)s）") % {"title": meeting.title, "text": text.strip(), "name": owner.name}, source=Source.MEETING,
            source_ref=str(decision.pk), priority=Priority.NORMAL, due_at=due_at,
        )  # fmt: skip
        decision.save(update_fields=["work_order"])
    return decision
