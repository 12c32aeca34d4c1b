"""Risk assessments (fall / pressure sore / wandering / illness) and the measures taken."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.db import transaction
from django.utils.translation import gettext as _

from opscenter.care import scales
from opscenter.care.choices import RiskKind
from opscenter.care.models import NurseAssignment, Residency, RiskAssessment, RiskMeasure
from opscenter.care.services._common import actor_staff, not_future, required_text, scope_requiring
from opscenter.care.services.places import care_settings_for
from opscenter.core import audit
from opscenter.core.exceptions import NotFound, PermissionDenied, ValidationError
from opscenter.pipeline.services._common import site_staff


@transaction.atomic
def risk_assess(
    *, actor, residency_id: int, kind: str, answers: Mapping, assessed_on: dt.date, note: str = ""
) -> RiskAssessment:
    """Score a risk scale for a resident: the level, and the next review after the level's interval
    (care settings). The previous assessment of the kind is marked reviewed on this date."""
    scope = scope_requiring(actor, "care.add_riskassessment")
    residency = (
        scope.filter_sites(Residency.objects.all()).select_for_update().filter(pk=residency_id).first()
    )
    if residency is None:
        raise NotFound(_("入住记录不存在或无权访问"))
    scope.require_site(residency.site_id, write=True)
    if kind not in RiskKind.values:
        raise ValidationError(_("风险类别不正确"), field="kind")
    assessed_on = not_future(assessed_on, field="assessed_on", label=_("评估日期"))
    if assessed_on < residency.started_on or (residency.ended_on and assessed_on > residency.ended_on):
        raise ValidationError(_("评估日期不在入住期间"), field="assessed_on")
    total = scales.score(scales.RISK_SCALE[kind], answers)
    level = scales.risk_level(kind, total)
    previous = RiskAssessment.objects.filter(
        residency=residency, kind=kind, superseded_on__isnull=True
    ).first()
    if previous is not None and assessed_on < previous.assessed_on:
        raise ValidationError(
            _("评估日期不能早于上一次评估 %(day)s") % {"day": previous.assessed_on}, field="assessed_on"
        )
    settings = care_settings_for(residency.site_id)
    risk = RiskAssessment.objects.create(
        site_id=residency.site_id,
        residency=residency,
        kind=kind,
        answers=dict(answers),
        score=total,
        level=level,
        assessed_on=assessed_on,
        assessor=actor_staff(scope, residency.site_id),
        next_review_on=assessed_on + dt.timedelta(days=settings.review_days(level)),
        note=note.strip()[:300],
    )
    if previous is not None:
        RiskAssessment.objects.filter(pk=previous.pk).update(superseded_on=assessed_on)
    return risk


@transaction.atomic
def risk_measure_add(*, actor, risk_id: int, description: str, owner_id: int, due_on: dt.date) -> RiskMeasure:
    scope = scope_requiring(actor, "care.add_riskmeasure")
    risk = scope.filter_sites(RiskAssessment.objects.all()).filter(pk=risk_id).first()
    if risk is None:
        raise NotFound(_("风险评估不存在或无权访问"))
    scope.require_site(risk.site_id, write=True)
    description = required_text(description, field="description", label=_("措施"))
    if not isinstance(due_on, dt.date) or due_on < risk.assessed_on:
        raise ValidationError(_("完成期限不能早于评估日期"), field="due_on")
    owner = site_staff(risk.site_id, owner_id, label=_("负责人"), field="owner_id")
    return RiskMeasure.objects.create(risk=risk, description=description[:300], owner=owner, due_on=due_on)


def _may_confirm(scope, staff_id: int | None, measure: RiskMeasure) -> bool:
    """The measure's owner, the manager of the owner's department (护士长), or a nurse on the
    roster of the resident's current zone."""
    if scope.is_superuser:
        return True
    if staff_id is None:
        return False
    if staff_id in (measure.owner_id, measure.owner.department.manager_id):
        return True
    return NurseAssignment.objects.filter(zone_id=measure.risk.residency.zone_id, staff_id=staff_id).exists()


@transaction.atomic
def risk_measure_done(
    *, actor, measure_id: int, done_on: dt.date, version: int, note: str = ""
) -> RiskMeasure:
    """Mark a measure done (the date it was carried out, a short note). Only its owner, their
    department's manager or a nurse of the resident's zone may; `version` is the one the nurse saw,
    so two people confirming at once cannot both write. Audited in words."""
    scope = scope_requiring(actor, "care.change_riskmeasure")
    measure = (
        scope.filter_sites(
            RiskMeasure.objects.select_related("risk__residency__customer", "owner__department"), "risk__site"
        )
        .filter(pk=measure_id)
        .first()
    )
    if measure is None:
        raise NotFound(_("措施不存在或无权访问"))
    scope.require_site(measure.risk.site_id, write=True)
    if not _may_confirm(scope, scope.staff_id, measure):
        raise PermissionDenied(
            _("只有负责人“%(name)s”、其部门负责人或该分区的护理员可以确认完成")
            % {"name": measure.owner.name},
            log_message="measure confirmed by someone else",
        )
    if measure.done_on is not None:
        raise ValidationError(_("该措施已于 %(day)s 确认完成") % {"day": measure.done_on}, field="done_on")
    done_on = not_future(done_on, field="done_on", label=_("完成日期"))
    if done_on < measure.risk.assessed_on:
        raise ValidationError(
            _("完成日期不能早于风险评估日期 %(day)s") % {"day": measure.risk.assessed_on}, field="done_on"
        )
    staff = actor_staff(scope, measure.risk.site_id) if scope.staff_id is not None else None
    note = (note or "").strip()[:300]
    changed = RiskMeasure.objects.filter(pk=measure.pk, version=version, done_on__isnull=True).update(
        done_on=done_on, done_by=staff, done_note=note, version=version + 1
    )
    if changed != 1:
        raise ValidationError(_("该措施已被他人修改，请刷新后重试"), field="version")
    late = (done_on - measure.due_on).days
    audit.record_event(
        measure,
        _("%(who)s确认%(resident)s的防范措施“%(what)s”已于 %(day)s 完成%(late)s")
        % {
            "who": staff.name if staff else _("管理员"),
            "resident": measure.risk.residency.customer.name,
            "what": measure.description,
            "day": done_on,
            "late": _("（逾期 %(n)s 天）") % {"n": late} if late > 0 else "",
        },
        {"done_on": [None, done_on.isoformat()], "done_note": ["", note], "version": [version, version + 1]},
    )
    measure.refresh_from_db()
    return measure
