"""The admission assessment workflow (入住评估).

Marketing opens a request (required materials received, a named panel and arbiter); the due time
of the decision is the site's admission commitment (`care.admission_commitment`: a stage from
入住评估申请 to 入住评估定区 on the business clock, monitored and breached like any commitment). Each
side records its view with the Barthel index, the cognitive screen in use at the site and the
Morse fall scale; the zone opinion itself is written through the pipeline's assessment services
(the second side's differing opinion is a pipeline second opinion, never an overwrite). Agreeing
views decide the zone; differing ones wait for the named arbiter, whose reason is recorded on the
pipeline's second-opinion row as well.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opscenter.care import admission_commitment, scales
from opscenter.care.choices import ADMISSION_TRANSITIONS, AdmissionStatus, ViewRole
from opscenter.care.models import AdmissionRequest, AdmissionView, MaterialItem
from opscenter.care.services._common import actor_staff, required_text, scope_requiring
from opscenter.care.services.places import care_settings_for
from opscenter.commitments.choices import Event
from opscenter.core.businesstime import business_time_between
from opscenter.core.calendars import work_calendar_for
from opscenter.core.exceptions import NotFound, PermissionDenied, ValidationError
from opscenter.org.models import Site
from opscenter.pipeline.choices import CareZone
from opscenter.pipeline.models import Customer, Deal
from opscenter.pipeline.services._common import site_staff


def _calendar(site_id: int):
    site = Site.objects.select_related("calendar").get(pk=site_id)
    return work_calendar_for(site.calendar)


def _transition(request: AdmissionRequest, to: str) -> None:
    if to not in ADMISSION_TRANSITIONS[request.status]:
        raise ValidationError(
            _("当前状态“%(status)s”不能执行此操作") % {"status": request.get_status_display()},
            field="status",
            log_message=f"admission {request.pk}: {request.status} -> {to}",
        )
    request.status = to


@transaction.atomic
def admission_request_open(
    *,
    actor,
    customer_id: int,
    panel_ids: Iterable[int],
    arbiter_id: int,
    material_ids: Iterable[int] = (),
    deal_id: int | None = None,
    note: str = "",
    now: dt.datetime | None = None,
) -> AdmissionRequest:
    """Marketing asks for an admission assessment; every required material must be received."""
    scope = scope_requiring(actor, "care.add_admissionrequest")
    customer = scope.filter_sites(Customer.objects.filter(is_deleted=False)).filter(pk=customer_id).first()
    if customer is None:
        raise NotFound(_("客户不存在或无权访问"))
    scope.require_site(customer.site_id, write=True)
    site_id = customer.site_id
    if AdmissionRequest.objects.filter(
        customer=customer,
        status__in=[AdmissionStatus.REQUESTED, AdmissionStatus.DISPUTED, AdmissionStatus.DECIDED],
    ).exists():
        raise ValidationError(_("该客户已有进行中的入住评估申请"), field="customer_id")
    requester = actor_staff(scope, site_id)
    panel = [
        site_staff(site_id, pk, label=_("评估小组成员"), field="panel_ids") for pk in dict.fromkeys(panel_ids)
    ]
    if len(panel) < 2:
        raise ValidationError(_("评估小组至少需要两名成员（市场部与护理部）"), field="panel_ids")
    arbiter = site_staff(site_id, arbiter_id, label=_("裁定人"), field="arbiter_id")
    materials = list(MaterialItem.objects.filter(site_id=site_id, is_active=True, pk__in=list(material_ids)))
    missing = MaterialItem.objects.filter(site_id=site_id, is_active=True, is_required=True).exclude(
        pk__in=[m.pk for m in materials]
    )
    missing_names = list(missing.values_list("name", flat=True))
    if missing_names:
        raise ValidationError(
            _("缺少必需材料：%(names)s") % {"names": ", ".join(missing_names)}, field="material_ids"
        )
    deal = None
    if deal_id is not None:
        deal = Deal.objects.filter(pk=deal_id, customer=customer).first()
        if deal is None:
            raise ValidationError(_("签约记录不属于该客户"), field="deal_id")
    now = now or timezone.now()
    request = AdmissionRequest.objects.create(
        site_id=site_id,
        customer=customer,
        deal=deal,
        requested_by=requester,
        requested_at=now,
        arbiter=arbiter,
        note=note.strip()[:300],
    )
    request.panel.set(panel)
    request.materials.set(materials)
    # The due time is the admission commitment's (business clock, monitor, breach work order).
    request.due_at = admission_commitment.record(request=request, events={Event.ADMISSION_REQUESTED: now})
    request.save(update_fields=["due_at"])
    return request


def _request_for_write(scope, request_id: int) -> AdmissionRequest:
    request = (
        scope.filter_sites(AdmissionRequest.objects.all()).select_for_update().filter(pk=request_id).first()
    )
    if request is None:
        raise NotFound(_("入住评估申请不存在或无权访问"))
    scope.require_site(request.site_id, write=True)
    return request


def score_admission(answers: Mapping, rule: scales.ZoneRule) -> dict:
    """Scores and the suggested zone of an admission form: {barthel, cognitive, morse} answers."""
    if not isinstance(answers, Mapping):
        raise ValidationError(_("量表答案格式不正确"), field="answers")
    cognitive_scale = scales.SCALES[rule.cognitive_screen]
    barthel = scales.score(scales.BARTHEL, answers.get("barthel") or {})
    cognitive = scales.score(cognitive_scale, answers.get("cognitive") or {})
    morse = scales.score(scales.MORSE, answers.get("morse") or {})
    return {
        "barthel": barthel,
        "cognitive": cognitive,
        "cognitive_scale": cognitive_scale.code,
        "morse": morse,
        "suggested_zone": scales.suggested_zone(barthel=barthel, cognitive=cognitive, rule=rule),
    }


def zone_rule_for(site_id: int) -> scales.ZoneRule:
    s = care_settings_for(site_id)
    return scales.ZoneRule(
        cognitive_screen=s.cognitive_screen,
        minicog_cutoff=s.minicog_cutoff,
        mmse_cutoff=s.mmse_cutoff,
        barthel_rehab_max=s.barthel_rehab_max,
    )


def _decide(request: AdmissionRequest, zone: str, at: dt.datetime, reason: str = "") -> None:
    _transition(request, AdmissionStatus.DECIDED)
    request.decided_zone, request.decided_at, request.decision_reason = zone, at, reason
    calendar = _calendar(request.site_id)
    request.cycle_minutes = int(
        business_time_between(request.requested_at, at, calendar).total_seconds() // 60
    )
    admission_commitment.record(request=request, events={Event.ADMISSION_DECIDED: at})


@transaction.atomic
def admission_view_record(
    *, actor, request_id: int, answers: Mapping, zone: str = "", notes: str = ""
) -> AdmissionView:
    """One side's view (by the department of the acting panel member): scales scored, the zone
    (default: the suggested one) written as a pipeline assessment. The second side agreeing decides
    the zone; disagreeing records a pipeline second opinion (its notes are the reason) and waits for
    the arbiter."""
    from opscenter.pipeline.services import assessment_record, assessment_second_opinion

    scope = scope_requiring(actor, "care.add_admissionview")
    request = _request_for_write(scope, request_id)
    if request.status not in (AdmissionStatus.REQUESTED,):
        raise ValidationError(_("该申请已不在评估阶段"), field="request_id")
    staff = actor_staff(scope, request.site_id)
    role = {"marketing": ViewRole.MARKETING, "nursing": ViewRole.NURSING}.get(staff.department.kind)
    if role is None:
        raise ValidationError(_("只有市场部和护理部可以记录评估意见"), field="role")
    if not request.panel.filter(pk=staff.pk).exists() and staff.pk != request.requested_by_id:
        raise PermissionDenied(_("您不是该评估小组成员"), log_message="view by non-panel member")
    if request.views.filter(role=role).exists():
        raise ValidationError(_("本部门已记录评估意见，意见不能覆盖"), field="role")
    scores = score_admission(answers, zone_rule_for(request.site_id))
    zone = zone or scores["suggested_zone"]
    if zone not in CareZone.values:
        raise ValidationError(_("评估分区不正确"), field="zone")
    other = request.views.select_related("assessment").first()
    now = timezone.now()
    if other is None or other.zone == zone:
        assessment = assessment_record(
            actor=actor, customer_id=request.customer_id, zone=zone, notes=notes, assessed_at=now
        )
    else:
        if not notes.strip():
            raise ValidationError(_("与对方意见不同，请说明理由"), field="notes")
        assessment = assessment_second_opinion(
            actor=actor, assessment_id=other.assessment_id, zone=zone, notes=notes
        )
    view = AdmissionView.objects.create(
        request=request,
        role=role,
        assessment=assessment,
        assessor=staff,
        department=staff.department,
        answers={k: dict(answers.get(k) or {}) for k in ("barthel", "cognitive", "morse")},
        barthel=scores["barthel"],
        cognitive_scale=scores["cognitive_scale"],
        cognitive=scores["cognitive"],
        morse=scores["morse"],
        suggested_zone=scores["suggested_zone"],
        zone=zone,
        recorded_at=now,
    )
    if other is not None:
        if other.zone == zone:
            _decide(request, zone, now)
        else:
            _transition(request, AdmissionStatus.DISPUTED)
            request.disputed, request.disputed_at = True, now
        request.save()
    return view


@transaction.atomic
def admission_resolve(*, actor, request_id: int, zone: str, reason: str) -> AdmissionRequest:
    """The named arbiter settles a disagreement with a reason (also written on the pipeline's
    second-opinion row, whose rule is that only a manager may resolve)."""
    from opscenter.pipeline.services import assessment_resolve

    scope = scope_requiring(actor, "care.change_admissionrequest")
    request = _request_for_write(scope, request_id)
    if request.status != AdmissionStatus.DISPUTED:
        raise ValidationError(_("该申请没有待裁定的分歧"), field="request_id")
    if not scope.is_superuser and scope.staff_id != request.arbiter_id:
        raise PermissionDenied(
            _("只有指定的裁定人“%(name)s”可以裁定") % {"name": request.arbiter.name},
            log_message="resolve by someone other than the arbiter",
        )
    reason = required_text(reason, field="reason", label=_("裁定理由"))
    if zone not in CareZone.values:
        raise ValidationError(_("裁定分区不正确"), field="zone")
    second = request.views.filter(assessment__second_opinion_of__isnull=False).get()
    assessment_resolve(actor=actor, second_opinion_id=second.assessment_id, zone=zone, resolution=reason)
    _decide(request, zone, timezone.now(), reason)
    request.save()
    return request


@transaction.atomic
def admission_lost(*, actor, request_id: int, reason: str) -> AdmissionRequest:
    """The customer gave up (e.g. did not accept the zone): counted as a lost customer."""
    scope = scope_requiring(actor, "care.change_admissionrequest")
    request = _request_for_write(scope, request_id)
    _transition(request, AdmissionStatus.LOST)
    request.lost_reason = required_text(reason, field="reason", label=_("流失原因"))
    request.save(update_fields=["status", "lost_reason"])
    return request


@transaction.atomic
def admission_materials_update(*, actor, request_id: int, material_ids: Iterable[int]) -> AdmissionRequest:
    scope = scope_requiring(actor, "care.change_admissionrequest")
    request = _request_for_write(scope, request_id)
    request.materials.set(MaterialItem.objects.filter(site_id=request.site_id, pk__in=list(material_ids)))
    return request
