"""Consultations, appointments, visits with arrival triage, and elder-care assessments."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opscenter.core.audit import as_actor
from opscenter.core.exceptions import NotFound, PermissionDenied, ValidationError
from opscenter.org.choices import DepartmentKind
from opscenter.pipeline.choices import (
    APPOINTMENT_TRANSITIONS,
    AppointmentMode,
    AppointmentStatus,
    AssessorRole,
    CareZone,
    ConsultationMode,
    DealStatus,
    IntentLevel,
    OwnershipChangeKind,
    VisitKind,
    VisitOutcome,
    VisitSource,
)
from opscenter.pipeline.models import Appointment, Assessment, Consultation, Deal, Visit
from opscenter.pipeline.periods import month_key
from opscenter.pipeline.services._common import (
    acting_staff,
    aware,
    business_date,
    customer_for_write,
    date_of,
    event_fields,
    is_manager,
    scope_requiring,
    site_staff,
    touch_first_contact,
)
from opscenter.pipeline.services.customers import _record_ownership
from opscenter.pipeline.services.hooks import pipeline_event


def _choice(value: str, choices, *, field: str, label: str) -> str:
    if value not in choices.values:
        raise ValidationError(
            _("%(label)s不正确") % {"label": label}, field=field, log_message=f"bad {field} {value!r}"
        )
    return value


@as_actor
@transaction.atomic
def consultation_record(
    *,
    actor,
    customer_id: int,
    mode: str,
    occurred_at: dt.datetime,
    content: str = "",
    intent: str = IntentLevel.MEDIUM,
    next_step: str = "",
    next_step_on: dt.date | None = None,
    staff_id: int | None = None,
) -> Consultation:
    """Record a consultation (咨询). The earliest consultation is the customer's first contact and
    fixes their cohort month; a backdated one moves the cohort (and `is_first`) accordingly.
    """
    scope = scope_requiring(actor, "pipeline.add_consultation")
    customer = customer_for_write(scope, customer_id)
    _choice(mode, ConsultationMode, field="mode", label=_("咨询方式"))
    _choice(intent, IntentLevel, field="intent", label=_("意向程度"))
    occurred_at = aware(occurred_at, field="occurred_at")
    staff = acting_staff(scope, customer.site_id, staff_id, label=_("接待咨询师"), field="staff_id")
    earlier = Consultation.objects.filter(customer=customer, occurred_at__lte=occurred_at).exists()
    touch_first_contact(customer, date_of(occurred_at))
    if not earlier:
        Consultation.objects.filter(customer=customer, is_first=True).update(is_first=False)
    consultation = Consultation.objects.create(
        **event_fields(customer, month=month_key(occurred_at)),
        mode=mode,
        staff=staff,
        occurred_at=occurred_at,
        content=content,
        intent=intent,
        next_step=next_step,
        next_step_on=next_step_on,
        is_first=not earlier,
    )
    pipeline_event("consultation", consultation)
    return consultation


@as_actor
@transaction.atomic
def appointment_book(
    *,
    actor,
    customer_id: int,
    mode: str,
    scheduled_for: dt.datetime,
    booked_at: dt.datetime | None = None,
    consultation_id: int | None = None,
    booked_by_id: int | None = None,
    note: str = "",
) -> Appointment:
    """Book a visit (预约) by phone or online. `month` is the booking month (电话/网络预约率)."""
    scope = scope_requiring(actor, "pipeline.add_appointment")
    customer = customer_for_write(scope, customer_id)
    _choice(mode, AppointmentMode, field="mode", label=_("预约方式"))
    booked_at = aware(booked_at or timezone.now(), field="booked_at")
    business_date(scheduled_for.date(), field="scheduled_for", label=_("预约到院时间"))
    if timezone.is_naive(scheduled_for):
        scheduled_for = timezone.make_aware(scheduled_for)
    if scheduled_for < booked_at - dt.timedelta(minutes=5):
        raise ValidationError(_("预约到院时间不能早于预约时间"), field="scheduled_for")
    if (
        consultation_id is not None
        and not Consultation.objects.filter(pk=consultation_id, customer=customer).exists()
    ):
        raise ValidationError(_("来源咨询不属于该客户"), field="consultation_id")
    booked_by = acting_staff(scope, customer.site_id, booked_by_id, label=_("预约人"), field="booked_by_id")
    appointment = Appointment.objects.create(
        **event_fields(customer, month=month_key(booked_at)),
        mode=mode,
        booked_by=booked_by,
        booked_at=booked_at,
        scheduled_for=scheduled_for,
        consultation_id=consultation_id,
        note=note,
    )
    pipeline_event("appointment", appointment)
    return appointment


def _appointment_for_write(scope, appointment_id: int) -> Appointment:
    appointment = Appointment.objects.filter(pk=appointment_id).select_related("customer").first()
    if appointment is None:
        raise NotFound(_("预约不存在或无权访问"))
    customer_for_write(scope, appointment.customer_id)
    return appointment


def _move_appointment(appointment: Appointment, to_status: str) -> None:
    if to_status not in APPOINTMENT_TRANSITIONS.get(appointment.status, set()):
        label = AppointmentStatus(to_status).label if to_status in AppointmentStatus.values else to_status
        raise ValidationError(
            _("预约状态不能从“%(get_status_display)s”变为“%(label)s”")
            % {"get_status_display": appointment.get_status_display(), "label": label},
            field="status",
            log_message=f"appointment {appointment.pk} {appointment.status} -> {to_status}",
        )
    appointment.status, appointment.status_changed_at = to_status, timezone.now()
    appointment.save(update_fields=["status", "status_changed_at"])


@as_actor
@transaction.atomic
def appointment_transition(*, actor, appointment_id: int, to_status: str) -> Appointment:
    """Close a booked appointment as no-show or cancelled (arrival goes through `visit_register`,
    a new time through `appointment_reschedule`).
    """
    scope = scope_requiring(actor, "pipeline.change_appointment")
    appointment = _appointment_for_write(scope, appointment_id)
    if to_status == AppointmentStatus.ARRIVED:
        raise ValidationError(_("到院请通过“上门登记”记录"), field="status")
    if to_status == AppointmentStatus.RESCHEDULED:
        raise ValidationError(_("改期请通过“预约改期”记录"), field="status")
    _move_appointment(appointment, to_status)
    return appointment


@as_actor
@transaction.atomic
def appointment_reschedule(*, actor, appointment_id: int, scheduled_for: dt.datetime) -> Appointment:
    """Close the appointment as rescheduled and book the new time. The new row keeps the original
    booking time and month, so the funnel counts the booking once (rescheduled rows are not counted).
    """
    scope = scope_requiring(actor, "pipeline.change_appointment")
    old = _appointment_for_write(scope, appointment_id)
    if timezone.is_naive(scheduled_for):
        scheduled_for = timezone.make_aware(scheduled_for)
    _move_appointment(old, AppointmentStatus.RESCHEDULED)
    fields = {
        f.attname: getattr(old, f.attname) for f in Appointment._meta.concrete_fields if not f.primary_key
    }
    fields.update(
        status=AppointmentStatus.BOOKED,
        status_changed_at=None,
        scheduled_for=scheduled_for,
        rescheduled_from_id=old.pk,
        created_at=timezone.now(),
    )
    return Appointment.objects.create(**fields)


def _visit_source(customer, appointment: Appointment | None) -> str:
    if appointment is not None:
        return appointment.mode
    first = (
        Consultation.objects.filter(customer=customer, is_first=True).values_list("mode", flat=True).first()
    )
    return {ConsultationMode.PHONE: VisitSource.PHONE, ConsultationMode.ONLINE: VisitSource.ONLINE}.get(
        first, VisitSource.WALK_IN
    )


@as_actor
@transaction.atomic
def visit_register(
    *,
    actor,
    customer_id: int,
    arrived_at: dt.datetime,
    kind: str = VisitKind.CONSULTATION,
    appointment_id: int | None = None,
    onsite_consultant_id: int | None = None,
    note: str = "",
) -> Visit:
    """Record an arrival (上门/到院). Fulfils the appointment if given (booked → arrived). The source
    is the appointment's mode, else the mode of the first consultation, else walk-in. A walk-in's
    arrival is their first contact. With `onsite_consultant_id` the visit is triaged at once.
    """
    scope = scope_requiring(actor, "pipeline.add_visit")
    customer = customer_for_write(scope, customer_id)
    _choice(kind, VisitKind, field="kind", label=_("上门类型"))
    arrived_at = aware(arrived_at, field="arrived_at")
    appointment = None
    if appointment_id is not None:
        appointment = (
            Appointment.objects.select_for_update().filter(pk=appointment_id, customer=customer).first()
        )
        if appointment is None:
            raise ValidationError(_("预约不属于该客户"), field="appointment_id")
        _move_appointment(appointment, AppointmentStatus.ARRIVED)
    touch_first_contact(customer, date_of(arrived_at))
    has_deal = Deal.objects.filter(
        customer=customer, status=DealStatus.SIGNED, signed_on__lt=date_of(arrived_at)
    ).exists()
    visit = Visit.objects.create(
        **event_fields(customer, month=month_key(arrived_at)),
        arrived_at=arrived_at,
        source=_visit_source(customer, appointment),
        kind=kind,
        appointment=appointment,
        is_new_customer=not has_deal,
        note=note,
    )
    if onsite_consultant_id is not None:
        visit = _triage(scope, actor, visit, customer, onsite_consultant_id)
    pipeline_event("visit", visit)
    return visit


def _triage(scope, actor, visit: Visit, customer, consultant_id: int | None) -> Visit:
    """Assign the on-site consultant, respecting ownership.

    - The customer has an owner: without a choice the visit goes to the owner. Another consultant
      may serve the visit (e.g. the clinic's 现场咨询组), but the owner does not change and the
      visit stays credited to the owner — serving is not taking.
    - Nobody owns the customer (a walk-in): a consultant must be named and becomes the owner by
      first touch.
    """
    if consultant_id is None:
        if customer.owner_id is None:
            raise ValidationError(_("该客户无归属咨询师，请指定现场咨询师"), field="onsite_consultant_id")
        consultant_id = customer.owner_id
    consultant = site_staff(
        customer.site_id, consultant_id, label=_("现场咨询师"), field="onsite_consultant_id"
    )
    now = timezone.now()
    if customer.owner_id is None:
        customer.owner, customer.owner_since = consultant, now
        customer.save(update_fields=["owner", "owner_since"])
        _record_ownership(
            customer,
            kind=OwnershipChangeKind.FIRST_TOUCH,
            from_owner_id=None,
            to_owner_id=consultant.pk,
            actor=actor,
            at=now,
        )
        visit.owner_id, visit.team_id = consultant.pk, consultant.team_id
    visit.onsite_consultant = consultant
    visit.triaged_by = actor if getattr(actor, "pk", None) else None
    visit.triaged_at = now
    visit.save(update_fields=["onsite_consultant", "triaged_by", "triaged_at", "owner", "team"])
    return visit


def _visit_for_write(scope, visit_id: int):
    visit = Visit.objects.filter(pk=visit_id).first()
    if visit is None:
        raise NotFound(_("上门记录不存在或无权访问"))
    customer = customer_for_write(scope, visit.customer_id)
    return visit, customer


@as_actor
@transaction.atomic
def visit_triage(*, actor, visit_id: int, consultant_id: int | None = None) -> Visit:
    """Arrival triage (分诊): assign the arriving customer to an on-site consultant (see `_triage`)."""
    scope = scope_requiring(actor, "pipeline.change_visit")
    visit, customer = _visit_for_write(scope, visit_id)
    if scope.own_only and not scope.is_superuser and consultant_id not in (None, scope.staff_id):
        raise PermissionDenied(_("咨询师不能分诊给他人"), log_message="consultant triaging to another")
    return _triage(scope, actor, visit, customer, consultant_id)


@as_actor
@transaction.atomic
def visit_set_outcome(*, actor, visit_id: int, outcome: str, note: str | None = None) -> Visit:
    """Record how the visit ended (considering / lost …; `deal_sign` sets 成交 itself)."""
    scope = scope_requiring(actor, "pipeline.change_visit")
    visit, _customer = _visit_for_write(scope, visit_id)
    visit.outcome = _choice(outcome, VisitOutcome, field="outcome", label=_("上门结果"))
    if note is not None:
        visit.note = note
    visit.save(update_fields=["outcome", "note"])
    return visit


def _assessor_role(staff) -> str:
    kind = staff.department.kind
    if kind == DepartmentKind.NURSING:
        return AssessorRole.NURSING
    if kind == DepartmentKind.MARKETING:
        return AssessorRole.MARKETING
    return AssessorRole.OTHER


@as_actor
@transaction.atomic
def assessment_record(
    *, actor, customer_id: int, zone: str, notes: str = "", assessed_at: dt.datetime | None = None
) -> Assessment:
    """Record an admission assessment (评估) by the acting staff member: the care zone needed."""
    scope = scope_requiring(actor, "pipeline.add_assessment")
    customer = customer_for_write(scope, customer_id)
    _choice(zone, CareZone, field="zone", label=_("评估结果"))
    assessor = acting_staff(scope, customer.site_id, None, label=_("评估人"), field="assessor")
    assessment = Assessment.objects.create(
        site_id=customer.site_id,
        customer=customer,
        assessor=assessor,
        assessor_role=_assessor_role(assessor),
        assessed_at=aware(assessed_at or timezone.now(), field="assessed_at"),
        zone=zone,
        notes=notes,
    )
    pipeline_event("assessment", assessment)
    return assessment


@as_actor
@transaction.atomic
def assessment_second_opinion(*, actor, assessment_id: int, zone: str, notes: str) -> Assessment:
    """Disagree with an assessment (e.g. nursing vs marketing): a new row pointing at it. The
    original is never changed. A second opinion must differ and be given by someone else, with notes.
    """
    scope = scope_requiring(actor, "pipeline.add_assessment")
    original = Assessment.objects.filter(pk=assessment_id, second_opinion_of__isnull=True).first()
    if original is None:
        raise NotFound(_("评估记录不存在或无权访问"))
    customer = customer_for_write(scope, original.customer_id)
    _choice(zone, CareZone, field="zone", label=_("评估结果"))
    if zone == original.zone:
        raise ValidationError(_("意见与原评估结果一致，无需提出异议"), field="zone")
    if not (notes or "").strip():
        raise ValidationError(_("提出异议必须说明理由"), field="notes")
    assessor = acting_staff(scope, customer.site_id, None, label=_("评估人"), field="assessor")
    if assessor.pk == original.assessor_id:
        raise ValidationError(_("不能对自己的评估提出异议，请重新评估"), field="assessor")
    return Assessment.objects.create(
        site_id=customer.site_id,
        customer=customer,
        assessor=assessor,
        assessor_role=_assessor_role(assessor),
        assessed_at=timezone.now(),
        zone=zone,
        notes=notes.strip(),
        second_opinion_of=original,
    )


@as_actor
@transaction.atomic
def assessment_resolve(*, actor, second_opinion_id: int, zone: str, resolution: str) -> Assessment:
    """A manager settles a disagreement: the decision is written on the second-opinion row only."""
    scope = scope_requiring(actor, "pipeline.change_assessment")
    if not is_manager(scope):
        raise PermissionDenied(_("只有主管可以裁定评估分歧"), log_message="resolve by non-manager")
    opinion = (
        Assessment.objects.select_for_update()
        .filter(pk=second_opinion_id, second_opinion_of__isnull=False)
        .first()
    )
    if opinion is None:
        raise NotFound(_("评估异议不存在或无权访问"))
    customer_for_write(scope, opinion.customer_id)
    if opinion.resolved_zone:
        raise ValidationError(_("该评估分歧已裁定"), field="zone")
    _choice(zone, CareZone, field="zone", label=_("裁定结果"))
    if not (resolution or "").strip():
        raise ValidationError(_("请填写裁定说明"), field="resolution")
    opinion.resolved_zone, opinion.resolution = zone, resolution.strip()
    opinion.resolved_by, opinion.resolved_at = actor, timezone.now()
    opinion.save(update_fields=["resolved_zone", "resolution", "resolved_by", "resolved_at"])
    pipeline_event("assessment", opinion)
    return opinion
