"""Recording incidents; each opens a work order to the responsible department (commitments)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from opscenter.care.choices import INCIDENT_RISK, IncidentKind, Severity
from opscenter.care.models import Incident, Occupancy, Residency, RiskAssessment
from opscenter.care.services._common import day_no, required_text, scope_requiring
from opscenter.core.exceptions import NotFound, ValidationError
from opscenter.org.models import Department
from opscenter.pipeline.services._common import site_staff


def _aware(value, *, field: str, label: str) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        raise ValidationError(_("%(label)s格式不正确") % {"label": label}, field=field)
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if value > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationError(_("%(label)s不能晚于当前时间") % {"label": label}, field=field)
    return value


def incident_work_order_open(incident: Incident, *, name: str, now: dt.datetime | None = None):
    """The incident's work order to its responsible department (commitments), high priority when
    severe: opened by `incident_record` and by the incidents import alike."""
    from opscenter.commitments.choices import Priority, Source
    from opscenter.commitments.services import work_order_open

    return work_order_open(
        department_id=incident.department_id,
        title=_("护理事件：%(name)s %(kind)s") % {"name": name, "kind": incident.get_kind_display()},
        description=f"{incident.get_severity_display()} · {incident.place} · {incident.immediate_action}"[
            :1000
        ],
        source=Source.INCIDENT,
        source_ref=f"care.incident:{incident.pk}",
        priority=Priority.HIGH
        if incident.severity in (Severity.SEVERE, Severity.CRITICAL)
        else Priority.NORMAL,
        now=now,
    )


@transaction.atomic
def incident_record(
    *,
    actor,
    residency_id: int,
    kind: str,
    occurred_at: dt.datetime,
    place: str,
    severity: str,
    immediate_action: str,
    people: str = "",
    family_informed_at: dt.datetime | None = None,
    family_informed_by_id: int | None = None,
    follow_up: str = "",
    after_return_care: str = "",
    department_id: int | None = None,
    now: dt.datetime | None = None,
) -> Incident:
    """Record an incident within the resident's stay and open its work order (to the given
    department, default the site's nursing department). The zone is the one the resident was in
    that day; the risk assessment is the one of the matching kind current then. `now` is when the
    work order opens (default: now; the demo records the past)."""
    scope = scope_requiring(actor, "care.add_incident")
    residency = (
        scope.filter_sites(Residency.objects.select_related("customer")).filter(pk=residency_id).first()
    )
    if residency is None:
        raise NotFound(_("入住记录不存在或无权访问"))
    scope.require_site(residency.site_id, write=True)
    if kind not in IncidentKind.values:
        raise ValidationError(_("事件类型不正确"), field="kind")
    if severity not in Severity.values:
        raise ValidationError(_("严重程度不正确"), field="severity")
    occurred_at = _aware(occurred_at, field="occurred_at", label=_("发生时间"))
    day = timezone.localtime(occurred_at).date()
    if day < residency.started_on:
        raise ValidationError(
            _("发生时间早于入住日期 %(day)s，不能登记") % {"day": residency.started_on},
            field="occurred_at",
            log_message="incident before admission",
        )
    if residency.ended_on is not None and day >= residency.ended_on:
        raise ValidationError(
            _("发生时间不在入住期间（已于 %(day)s 离院）") % {"day": residency.ended_on}, field="occurred_at"
        )
    place = required_text(place, field="place", label=_("地点"))
    immediate_action = required_text(immediate_action, field="immediate_action", label=_("现场处置"))
    informer = None
    if family_informed_at is not None:
        family_informed_at = _aware(family_informed_at, field="family_informed_at", label=_("通知家属时间"))
        if family_informed_at < occurred_at:
            raise ValidationError(_("通知家属时间不能早于事件发生时间"), field="family_informed_at")
        if family_informed_by_id is None:
            raise ValidationError(_("请填写通知人"), field="family_informed_by_id")
        informer = site_staff(
            residency.site_id, family_informed_by_id, label=_("通知人"), field="family_informed_by_id"
        )
    if department_id is not None:
        department = Department.objects.filter(pk=department_id, site_id=residency.site_id).first()
    else:
        department = (
            Department.objects.filter(site_id=residency.site_id, kind="nursing").order_by("pk").first()
        )
    if department is None:
        raise ValidationError(_("请选择责任部门"), field="department_id")
    n = day_no(day)
    segment = (
        Occupancy.objects.filter(residency=residency, start_day__lte=n)
        .filter(Q(end_day__isnull=True) | Q(end_day__gt=n))
        .first()
    )
    risk = None
    if kind in INCIDENT_RISK:
        risk = (
            RiskAssessment.objects.filter(residency=residency, kind=INCIDENT_RISK[kind], assessed_on__lte=day)
            .order_by("-assessed_on", "-pk")
            .first()
        )
    incident = Incident.objects.create(
        site_id=residency.site_id,
        residency=residency,
        zone_id=segment.zone_id if segment else residency.zone_id,
        kind=kind,
        occurred_at=occurred_at,
        day=n,
        place=place[:100],
        people=people.strip()[:200],
        severity=severity,
        immediate_action=immediate_action,
        family_informed_at=family_informed_at,
        family_informed_by=informer,
        follow_up=follow_up.strip(),
        after_return_care=after_return_care.strip(),
        department=department,
        risk_assessment=risk,
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    incident.work_order = incident_work_order_open(incident, name=residency.customer.name, now=now)
    incident.save(update_fields=["work_order"])
    return incident
