"""Commitments endpoints under /api/commitments/ (scoped like the screens).

`POST /measurements` records events (and measured values) of an outside process (e.g. the delivery
example) into a tree; `GET/POST /complaints`, `GET/POST /work-orders`, `POST
/work-orders/{id}/transition` (with the version read, 409 when someone else acted first);
`GET/POST /trees` (a draft version with its nested promises), `POST /trees/{id}/activate`;
`GET/POST /anomaly-rules`; `GET/POST /meetings` (agenda generated) and `POST
/meetings/{id}/decisions`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Status

from opscenter.api.limits import column
from opscenter.api.schema import Schema
from opscenter.commitments import selectors, services
from opscenter.commitments.choices import AllowanceKind, Process, TreeStatus
from opscenter.commitments.models import (
    AnomalyRule,
    Commitment,
    CommitmentTree,
    MeetingDecision,
    ReviewMeeting,
)
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


class NodeIn(Schema):
    """One promise and the promises under it (at most three levels, checked by the service)."""

    name: column(Commitment, "name")
    wording: column(Commitment, "wording") = ""
    start_event: column(Commitment, "start_event")
    end_event: column(Commitment, "end_event")
    allowance_kind: column(Commitment, "allowance_kind") = AllowanceKind.BUSINESS
    allowance_minutes: int = Field(0, ge=0, le=366 * 24 * 60)
    warning_pct: int = Field(80, ge=1, le=99)
    department_id: int | None = None
    position_id: int | None = None
    opens_work_order: bool = False
    value_key: column(Commitment, "value_key") = ""
    value_comparison: column(Commitment, "value_comparison") = ""
    value_bound: Decimal | None = Field(None, max_digits=14, decimal_places=4)
    value_unit: column(Commitment, "value_unit") = ""
    children: list[NodeIn] = Field(default_factory=list, max_length=20)

    def spec(self) -> services.NodeSpec:
        data = self.dict(exclude={"children"})
        return services.NodeSpec(**data, children=[c.spec() for c in self.children])


class TreeIn(Schema):
    site_id: int
    family: column(CommitmentTree, "family")
    name: column(CommitmentTree, "name")
    process: column(CommitmentTree, "process") = Process.EXTERNAL
    qualifying_event: column(CommitmentTree, "qualifying_event") = ""
    perception_point_id: int | None = None
    root: NodeIn


class NodeOut(Schema):
    id: int
    parent_id: int | None
    level: int
    name: str
    start_event: str
    end_event: str
    allowance_kind: str
    allowance_minutes: int
    warning_pct: int
    value_key: str
    value_comparison: str
    value_bound: Decimal | None
    department_id: int | None
    position_id: int | None


class TreeDetailOut(TreeOut):
    commitments: list[NodeOut]

    @staticmethod
    def resolve_commitments(obj) -> list:
        return list(obj.commitments.order_by("level", "position_in_tree", "pk"))


class AnomalyRuleIn(Schema):
    site_id: int
    name: column(AnomalyRule, "name")
    metric: column(AnomalyRule, "metric")
    grain: column(AnomalyRule, "grain")
    period: column(AnomalyRule, "period")
    comparison: column(AnomalyRule, "comparison")
    bound: Decimal = Field(max_digits=14, decimal_places=4)
    consecutive: int = Field(1, ge=1, le=12)
    department_id: int


class AnomalyRuleOut(Schema):
    id: int
    site_id: int
    name: str
    metric: str
    grain: str
    period: str
    comparison: str
    bound: Decimal
    consecutive: int
    department_id: int
    is_active: bool


class MeetingIn(Schema):
    site_id: int
    kind: column(ReviewMeeting, "kind") = ReviewMeeting.Kind.WEEKLY
    held_on: dt.date
    title: column(ReviewMeeting, "title") = ""


class DecisionIn(Schema):
    text: column(MeetingDecision, "text")
    owner_id: int
    due_on: dt.date
    open_work_order: bool = False


class DecisionOut(Schema):
    id: int
    text: str
    owner_id: int
    due_on: dt.date
    work_order_id: int | None


class MeetingOut(Schema):
    id: int
    site_id: int
    kind: str
    title: str
    held_on: dt.date
    period_start: dt.date
    period_end: dt.date
    agenda: list[dict]
    notes: str


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


@router.post("/trees", response={201: TreeDetailOut})
def tree_create(request, payload: TreeIn):
    """A new draft version of a tree (version 1, or the next of `family`) with its promises."""
    tree = services.commitment_tree_create(
        actor=request.auth,
        site_id=payload.site_id,
        family=payload.family,
        name=payload.name,
        root=payload.root.spec(),
        process=payload.process,
        qualifying_event=payload.qualifying_event,
        perception_point_id=payload.perception_point_id,
    )
    return Status(201, tree)


@router.get("/trees/{tree_id}", response=TreeDetailOut)
def tree(request, tree_id: int):
    return selectors.tree_get(user=request.auth, tree_id=tree_id)


@router.post("/trees/{tree_id}/activate", response=TreeDetailOut)
def tree_activate(request, tree_id: int):
    tree = selectors.tree_get(user=request.auth, tree_id=tree_id)
    return services.commitment_tree_transition(
        actor=request.auth, tree_id=tree.pk, to_status=TreeStatus.ACTIVE
    )


@router.get("/anomaly-rules", response=list[AnomalyRuleOut])
def anomaly_rules(request):
    return list(selectors.anomaly_rule_list(user=request.auth)[:500])


@router.post("/anomaly-rules", response={201: AnomalyRuleOut})
def anomaly_rule_create(request, payload: AnomalyRuleIn):
    return Status(201, services.anomaly_rule_create(actor=request.auth, **payload.dict()))


@router.get("/meetings", response=list[MeetingOut])
def meetings(request):
    return list(selectors.meeting_list(user=request.auth)[:500])


@router.post("/meetings", response={201: MeetingOut})
def meeting_create(request, payload: MeetingIn):
    """Convene a meeting; its agenda is generated from the period's anomalies, breaches and overdue
    work orders, as on the screen."""
    return Status(201, services.review_meeting_create(actor=request.auth, **payload.dict()))


@router.post("/meetings/{meeting_id}/decisions", response={201: DecisionOut})
def decision_create(request, meeting_id: int, payload: DecisionIn):
    meeting = selectors.meeting_get(user=request.auth, meeting_id=meeting_id)
    return Status(
        201, services.meeting_decision_record(actor=request.auth, meeting_id=meeting.pk, **payload.dict())
    )


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
