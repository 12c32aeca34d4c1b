"""Commitments endpoints under /api/commitments/ (scoped like the screens).

`POST /measurements` records events of an outside process (e.g. the delivery example) into a
tree; `GET/POST /complaints`, `GET/POST /work-orders`, `POST /work-orders/{id}/transition` (with
the version read, 409 when someone else acted first), `GET /trees`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from opscenter.api.schema import Schema
from opscenter.commitments import selectors, services
from opscenter.commitments.choices import TreeStatus
from opscenter.commitments.models import CommitmentTree
from opscenter.commitments.services import ConflictError
from opscenter.core.exceptions import NotFound, ValidationError
from opscenter.org.selectors import scope_for

router = Router(tags=["commitments"])


class TreeOut(Schema):
    id: int
    site_id: int
    family: str
    version: int
    name: str
    status: str
    process: str


class MeasurementIn(Schema):
    site_id: int
    family: str
    subject_kind: str = "external"
    subject_ref: str
    label: str = ""
    events: dict[str, dt.datetime]
    values: dict[str, Decimal] = {}


class StageOut(Schema):
    commitment: str
    level: int
    status: str
    started_at: dt.datetime | None
    due_at: dt.datetime | None
    ended_at: dt.datetime | None
    overrun_minutes: int
    measured_value: Decimal | None = None
    attribution: str

    @staticmethod
    def resolve_commitment(obj) -> str:
        return obj.commitment.name


class MeasurementOut(Schema):
    id: int
    tree_id: int
    status: str
    stages: list[StageOut]

    @staticmethod
    def resolve_stages(obj) -> list:
        return list(obj.stages.select_related("commitment").order_by("level", "pk"))


class ComplaintIn(Schema):
    department_id: int
    customer_name: str
    channel: str
    category: str
    content: str
    severity: str = "low"
    escalated: bool = False
    escalated_to: str = ""
    customer_phone: str = ""


class ComplaintOut(Schema):
    id: int
    site_id: int
    department_id: int
    customer_name: str
    channel: str
    category: str
    severity: str
    escalated: bool
    received_at: dt.datetime
    answered_at: dt.datetime | None


class WorkOrderIn(Schema):
    department_id: int
    title: str
    description: str = ""
    priority: str = "normal"


class WorkOrderOut(Schema):
    id: int
    site_id: int
    department_id: int
    title: str
    source: str
    source_ref: str
    status: str
    priority: str
    assignee_id: int | None
    opened_at: dt.datetime
    due_at: dt.datetime
    resolved_at: dt.datetime | None
    verified_at: dt.datetime | None
    version: int


class TransitionIn(Schema):
    to_status: str
    version: int
    note: str = ""
    resolution: str = ""
    satisfaction: int | None = None
    feedback: str = ""


class ErrorOut(Schema):
    detail: str
    field: str | None = None


@router.get("/trees", response=list[TreeOut])
def trees(request, status: str | None = None):
    qs = selectors.tree_list(user=request.auth)
    return list(qs.filter(status=status) if status else qs)


@router.post("/measurements", response={201: MeasurementOut})
def measurement_create(request, payload: MeasurementIn):
    scope = scope_for(request.auth)
    scope.require("commitments.add_measurement")
    scope.require_site(payload.site_id, write=True)
    tree = CommitmentTree.objects.filter(
        site_id=payload.site_id, family=payload.family, status=TreeStatus.ACTIVE
    ).first()
    if tree is None:
        raise NotFound(_("院区没有生效的服务承诺「%(family)s」") % {"family": payload.family})
    m = services.measurement_record(
        tree=tree,
        subject_kind=payload.subject_kind,
        subject_ref=payload.subject_ref,
        events=payload.events,
        label=payload.label,
        values=payload.values,
    )
    return Status(201, m)


@router.get("/complaints", response=list[ComplaintOut])
def complaints(request, department_id: int | None = None):
    params = {"department": department_id} if department_id else {}
    return list(selectors.complaint_list(user=request.auth, params=params)[:500])


@router.post("/complaints", response={201: ComplaintOut})
def complaint_create(request, payload: ComplaintIn):
    return Status(201, services.complaint_register(actor=request.auth, **payload.dict()))


@router.get("/work-orders", response=list[WorkOrderOut])
def work_orders(request, which: str = Query("all", alias="list"), source: str | None = None):
    params = {"list": which, **({"source": source} if source else {})}
    return [*selectors.work_order_list(user=request.auth, params=params)[:500]]


@router.get("/work-orders/{work_order_id}", response=WorkOrderOut)
def work_order(request, work_order_id: int):
    return selectors.work_order_get(user=request.auth, work_order_id=work_order_id)


@router.post("/work-orders", response={201: WorkOrderOut})
def work_order_create(request, payload: WorkOrderIn):
    return Status(201, services.work_order_open(actor=request.auth, **payload.dict()))


@router.post("/work-orders/{work_order_id}/transition", response={200: WorkOrderOut, 409: ErrorOut})
def work_order_transition(request, work_order_id: int, payload: TransitionIn):
    try:
        wo = services.work_order_transition(actor=request.auth, work_order_id=work_order_id, **payload.dict())
    except ConflictError as exc:
        return Status(409, {"detail": exc.message, "field": exc.field})
    except ValidationError:
        raise
    return wo
