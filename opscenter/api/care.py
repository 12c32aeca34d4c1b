"""Care endpoints under /api/care/ (scoped like the screens; writes through the care services).

`GET /beds`, `GET/POST /residents` (admit), `POST /residents/{id}/transfer`, `POST
/residents/{id}/discharge`, `GET/POST /admissions`, `POST /admissions/{id}/views`, `POST
/admissions/{id}/resolve`, `GET/POST /risk-assessments`, `GET/POST /incidents`, `GET
/incident-rates` (per zone and month, per 1,000 resident-days).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone
from ninja import Router, Status

from opscenter.api.limits import column
from opscenter.api.schema import Schema
from opscenter.care import selectors, services
from opscenter.care.models import AdmissionRequest, Incident, Occupancy, Residency, RiskAssessment, Transfer
from opscenter.care.selectors.census import incident_rates as rate_rows
from opscenter.org.selectors import scope_for, site_get

router = Router(tags=["care"])


class BedOut(Schema):
    id: int
    zone_id: int
    zone: str
    room: str
    label: str
    occupied: bool

    @staticmethod
    def resolve_zone(obj) -> str:
        return obj.zone.name

    @staticmethod
    def resolve_room(obj) -> str:
        return obj.room.number


class ResidencyOut(Schema):
    id: int
    site_id: int
    customer_id: int
    customer: str
    deal_id: int | None
    stay_type: str
    zone_id: int
    bed_id: int
    started_on: dt.date
    ended_on: dt.date | None
    status: str
    exit_id: int | None

    @staticmethod
    def resolve_customer(obj) -> str:
        return obj.customer.name


class AdmitIn(Schema):
    deal_id: int
    bed_id: int
    started_on: dt.date
    nurse_id: int | None = None
    planned_end_on: dt.date | None = None


class TransferIn(Schema):
    to_bed_id: int
    moved_on: dt.date
    reason: column(Transfer, "reason")
    decided_by_id: int


class TransferOut(Schema):
    id: int
    from_zone_id: int
    to_zone_id: int
    from_bed_id: int
    to_bed_id: int
    moved_on: dt.date
    reason: str
    decided_by_id: int


class DischargeIn(Schema):
    ended_on: dt.date
    note: column(Residency, "discharge_note") = ""
    exit_reason_id: int | None = None


class AdmissionIn(Schema):
    customer_id: int
    panel_ids: list[int]
    arbiter_id: int
    material_ids: list[int] = []
    deal_id: int | None = None
    note: column(AdmissionRequest, "note") = ""


class AdmissionOut(Schema):
    id: int
    site_id: int
    customer_id: int
    deal_id: int | None
    status: str
    requested_at: dt.datetime
    due_at: dt.datetime
    disputed: bool
    decided_zone: str
    decided_at: dt.datetime | None
    decision_reason: str
    cycle_minutes: int | None
    arbiter_id: int


class ViewIn(Schema):
    answers: dict[str, dict[str, int | str]]
    zone: str = ""
    notes: column(AdmissionRequest, "decision_reason") = ""


class ViewOut(Schema):
    id: int
    role: str
    assessment_id: int
    barthel: int
    cognitive_scale: str
    cognitive: int
    morse: int
    suggested_zone: str
    zone: str


class ResolveIn(Schema):
    zone: str
    reason: column(AdmissionRequest, "decision_reason")


class RiskIn(Schema):
    residency_id: int
    kind: str
    answers: dict[str, int | str]
    assessed_on: dt.date
    note: column(RiskAssessment, "note") = ""


class RiskOut(Schema):
    id: int
    residency_id: int
    kind: str
    score: int
    level: str
    assessed_on: dt.date
    next_review_on: dt.date
    superseded_on: dt.date | None


class IncidentIn(Schema):
    residency_id: int
    kind: str
    occurred_at: dt.datetime
    place: column(Incident, "place")
    severity: str
    immediate_action: column(Incident, "immediate_action")
    people: column(Incident, "people") = ""
    family_informed_at: dt.datetime | None = None
    family_informed_by_id: int | None = None
    follow_up: column(Incident, "follow_up") = ""
    after_return_care: column(Incident, "after_return_care") = ""
    department_id: int | None = None


class IncidentOut(Schema):
    id: int
    residency_id: int
    zone_id: int
    kind: str
    occurred_at: dt.datetime
    severity: str
    risk_assessment_id: int | None
    work_order_id: int | None


class RateOut(Schema):
    zone_id: int
    zone: str
    month: dt.date
    resident_days: int
    incidents: int
    rate_per_1000: Decimal | None


def _site(request, site_id: int, perm: str):
    scope_for(request.auth).require(perm)
    return site_get(user=request.auth, site_id=site_id)


@router.get("/beds", response=list[BedOut])
def beds(request, site_id: int):
    site = _site(request, site_id, "care.view_bed")
    today = timezone.localdate().toordinal()
    taken = set(
        Occupancy.objects.filter(site=site, start_day__lte=today)
        .filter(Q(end_day__isnull=True) | Q(end_day__gt=today))
        .values_list("bed_id", flat=True)
    )
    rows = list(selectors.bed_list(user=request.auth, site_id=site.pk))
    for bed in rows:
        bed.occupied = bed.pk in taken
    return rows


@router.get("/residents", response=list[ResidencyOut])
def residents(request, site_id: int, active: bool = True):
    site = _site(request, site_id, "care.view_residency")
    return list(selectors.residency_list(user=request.auth, site_id=site.pk, active=active)[:1000])


@router.post("/residents", response={201: ResidencyOut})
def admit(request, payload: AdmitIn):
    return Status(201, services.residency_admit(actor=request.auth, **payload.dict()))


@router.post("/residents/{residency_id}/transfer", response={201: TransferOut})
def transfer(request, residency_id: int, payload: TransferIn):
    return Status(
        201, services.residency_transfer(actor=request.auth, residency_id=residency_id, **payload.dict())
    )


@router.post("/residents/{residency_id}/discharge", response=ResidencyOut)
def discharge(request, residency_id: int, payload: DischargeIn):
    return services.residency_discharge(actor=request.auth, residency_id=residency_id, **payload.dict())


@router.get("/admissions", response=list[AdmissionOut])
def admissions(request, site_id: int):
    site = _site(request, site_id, "care.view_admissionrequest")
    return list(selectors.admission_list(user=request.auth, site_id=site.pk)[:1000])


@router.post("/admissions", response={201: AdmissionOut})
def admission_open(request, payload: AdmissionIn):
    return Status(201, services.admission_request_open(actor=request.auth, **payload.dict()))


@router.post("/admissions/{request_id}/views", response={201: ViewOut})
def admission_view(request, request_id: int, payload: ViewIn):
    return Status(
        201, services.admission_view_record(actor=request.auth, request_id=request_id, **payload.dict())
    )


@router.post("/admissions/{request_id}/resolve", response=AdmissionOut)
def admission_resolve(request, request_id: int, payload: ResolveIn):
    return services.admission_resolve(actor=request.auth, request_id=request_id, **payload.dict())


@router.get("/risk-assessments", response=list[RiskOut])
def risk_assessments(request, site_id: int, current: bool = True):
    site = _site(request, site_id, "care.view_riskassessment")
    qs = scope_for(request.auth).filter_sites(RiskAssessment.objects.filter(site=site))
    return list((qs.filter(superseded_on__isnull=True) if current else qs)[:2000])


@router.post("/risk-assessments", response={201: RiskOut})
def risk_assess(request, payload: RiskIn):
    return Status(201, services.risk_assess(actor=request.auth, **payload.dict()))


@router.get("/incidents", response=list[IncidentOut])
def incidents(request, site_id: int):
    site = _site(request, site_id, "care.view_incident")
    return list(selectors.incident_list(user=request.auth, site_id=site.pk)[:1000])


@router.post("/incidents", response={201: IncidentOut})
def incident_record(request, payload: IncidentIn):
    return Status(201, services.incident_record(actor=request.auth, **payload.dict()))


@router.get("/incident-rates", response=list[RateOut])
def incident_rates(request, site_id: int, first: dt.date, last: dt.date):
    site = _site(request, site_id, "care.view_incident")
    data = rate_rows(site_id=site.pk, first=first, last=min(last, first + dt.timedelta(days=3700)))
    return [
        {
            "zone_id": r["zone"].pk,
            "zone": r["zone"].name,
            "month": r["month"],
            "resident_days": r["days"],
            "incidents": r["incidents"],
            "rate_per_1000": r["rate"],
        }
        for r in data["rows"]
    ]
