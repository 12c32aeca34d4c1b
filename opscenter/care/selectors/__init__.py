"""Reads of the care app. Every entry point here takes the acting user and scopes by site."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from opscenter.care.models import AdmissionRequest, Bed, Incident, Residency, Zone
from opscenter.core.exceptions import NotFound
from opscenter.org.selectors import scope_for


def _scoped(user, qs: QuerySet) -> QuerySet:
    return scope_for(user).filter_sites(qs)


def zone_list(*, user, site_id: int) -> QuerySet[Zone]:
    return _scoped(user, Zone.objects.filter(site_id=site_id)).order_by("sort_order", "pk")


def bed_list(*, user, site_id: int) -> QuerySet[Bed]:
    return _scoped(user, Bed.objects.filter(site_id=site_id, is_active=True)).select_related("room", "zone")


def residency_list(*, user, site_id: int, active: bool = True) -> QuerySet[Residency]:
    qs = _scoped(user, Residency.objects.filter(site_id=site_id)).select_related(
        "customer", "zone", "bed__room", "nurse"
    )
    return qs.filter(ended_on__isnull=True) if active else qs


def residency_get(*, user, residency_id: int) -> Residency:
    residency = (
        _scoped(user, Residency.objects.all())
        .select_related("customer", "zone", "bed__room", "nurse", "deal", "exit")
        .filter(pk=residency_id)
        .first()
    )
    if residency is None:
        raise NotFound(_("入住记录不存在或无权访问"))
    return residency


def admission_list(*, user, site_id: int) -> QuerySet[AdmissionRequest]:
    return _scoped(user, AdmissionRequest.objects.filter(site_id=site_id)).select_related(
        "customer", "requested_by", "arbiter"
    )


def admission_get(*, user, request_id: int) -> AdmissionRequest:
    request = (
        _scoped(user, AdmissionRequest.objects.all())
        .select_related("customer", "requested_by", "arbiter", "deal")
        .filter(pk=request_id)
        .first()
    )
    if request is None:
        raise NotFound(_("入住评估申请不存在或无权访问"))
    return request


def incident_list(*, user, site_id: int) -> QuerySet[Incident]:
    return _scoped(user, Incident.objects.filter(site_id=site_id)).select_related(
        "residency__customer", "zone", "work_order", "risk_assessment", "department"
    )


def incident_get(*, user, incident_id: int) -> Incident:
    incident = (
        _scoped(user, Incident.objects.all())
        .select_related(
            "residency__customer", "zone", "work_order", "risk_assessment", "department", "family_informed_by"
        )
        .filter(pk=incident_id)
        .first()
    )
    if incident is None:
        raise NotFound(_("事件不存在或无权访问"))
    return incident
