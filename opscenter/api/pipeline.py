"""Customer pipeline endpoints under /api/pipeline/ (scoped like the UI; writes go through services).

Customers, consultations, visits, deals, transactions and follow-ups: list (paginated with
`limit`/`offset`), read, create, and the domain actions (update/reassign/claim/delete a customer,
triage a visit, cancel a deal, complete a follow-up). Funnel events are append-only: a mistake is
corrected by its lifecycle (a cancelled deal, a rescheduled appointment), not by deleting history.
`GET /funnel` returns the numbers the dashboard shows; `GET /funnel/rows` the rows behind a cell.
Domain errors map to 404 / 403 / 422 in opscenter/api/urls.py.
"""

import datetime as dt
from typing import Any, ClassVar

from ninja import Field, Query, Router, Status
from ninja.pagination import LimitOffsetPagination, paginate

from opscenter.api.limits import Money, NoNullPatch, Sessions, Text, column, lines_field
from opscenter.api.schema import Schema
from opscenter.pipeline import selectors, services
from opscenter.pipeline.choices import FunnelView
from opscenter.pipeline.models import (
    Channel,
    Consultation,
    Customer,
    Deal,
    DealLine,
    FollowUp,
    OwnershipChange,
    Transaction,
    Visit,
)
from opscenter.pipeline.periods import parse_month

router = Router(tags=["pipeline"])


# --- schemas -------------------------------------------------------------------------------------


class CustomerOut(Schema):
    id: int
    site_id: int
    name: str
    phone: str
    gender: str
    birthday: dt.date | None
    age: int | None
    profession: str
    city: str
    is_local: bool
    channel_id: int | None
    channel_kind: str
    owner_id: int | None
    owner_name: str | None
    owner_since: dt.datetime | None
    status: str
    tags: list[str]
    first_contact_on: dt.date | None
    cohort_month: int
    note: str
    created_at: dt.datetime
    version: str  # pass back as `expected_version` when patching (optimistic check)

    @staticmethod
    def resolve_owner_name(obj) -> str | None:
        return obj.owner.name if obj.owner_id else None

    @staticmethod
    def resolve_version(obj) -> str:
        return services.customer_version(obj)


class CustomerIn(Schema):
    site_id: int
    name: column(Customer, "name")
    phone: column(Customer, "phone")
    channel_id: int | None = None
    owner_id: int | None = None
    gender: column(Customer, "gender") = "unknown"
    birthday: dt.date | None = None
    age: int | None = Field(default=None, ge=0, le=150)
    profession: column(Customer, "profession") = ""
    city: column(Customer, "city") = ""
    tags: list[column(Channel, "name")] = Field(default_factory=list, max_length=50)
    note: Text = ""


class CustomerPatch(NoNullPatch):
    PATCH_MODEL: ClassVar = Customer

    name: column(Customer, "name") | None = None
    phone: column(Customer, "phone") | None = None
    gender: column(Customer, "gender") | None = None
    birthday: dt.date | None = None
    age: int | None = Field(default=None, ge=0, le=150)
    profession: column(Customer, "profession") | None = None
    city: column(Customer, "city") | None = None
    channel_id: int | None = None
    tags: list[column(Channel, "name")] | None = Field(default=None, max_length=50)
    note: Text | None = None
    reason: Text | None = None  # required when channel_id changes (the channel attribution)
    # `version` as read: refused if the customer changed since
    expected_version: str | None = Field(default=None, max_length=64)


class ReassignIn(Schema):
    to_owner_id: int
    reason: column(OwnershipChange, "reason")


class ConsultationOut(Schema):
    id: int
    customer_id: int
    site_id: int
    mode: str
    staff_id: int
    occurred_at: dt.datetime
    content: str
    intent: str
    next_step: str
    next_step_on: dt.date | None
    is_first: bool
    month: int
    cohort_month: int


class ConsultationIn(Schema):
    customer_id: int
    mode: column(Consultation, "mode")
    occurred_at: dt.datetime
    content: Text = ""
    intent: column(Consultation, "intent") = "medium"
    next_step: column(Consultation, "next_step") = ""
    next_step_on: dt.date | None = None
    staff_id: int | None = None


class VisitOut(Schema):
    id: int
    customer_id: int
    site_id: int
    arrived_at: dt.datetime
    source: str
    kind: str
    appointment_id: int | None
    is_new_customer: bool
    onsite_consultant_id: int | None
    owner_id: int | None
    outcome: str
    note: str
    month: int
    cohort_month: int


class VisitIn(Schema):
    customer_id: int
    arrived_at: dt.datetime
    kind: column(Visit, "kind") = "consultation"
    appointment_id: int | None = None
    onsite_consultant_id: int | None = None
    note: column(Visit, "note") = ""


class TriageIn(Schema):
    consultant_id: int | None = None


class DealLineSchema(Schema):
    item: column(DealLine, "item")
    category: column(DealLine, "category")
    amount_fen: Money
    sessions: Sessions = 1


class DealOut(Schema):
    id: int
    customer_id: int
    site_id: int
    consultant_id: int
    signed_on: dt.date
    amount_fen: int
    stay_type: str
    care_zone: str
    contract_months: int | None
    monthly_fee_fen: int | None
    deposit_fen: int | None
    status: str
    is_new_customer: bool
    visit_id: int | None
    note: str
    month: int
    cohort_month: int
    lines: list[DealLineSchema]

    @staticmethod
    def resolve_lines(obj) -> list[dict[str, Any]]:
        return [
            {"item": ln.item, "category": ln.category, "amount_fen": ln.amount_fen, "sessions": ln.sessions}
            for ln in obj.lines.all()
        ]


class DealIn(Schema):
    customer_id: int
    signed_on: dt.date
    amount_fen: Money | None = None
    lines: list[DealLineSchema] = lines_field()
    stay_type: column(Deal, "stay_type") = ""
    care_zone: column(Deal, "care_zone") = ""
    consultant_id: int | None = None
    visit_id: int | None = None
    record_transactions: bool = False
    note: column(Deal, "note") = ""
    contract_months: int | None = Field(default=None, ge=1, le=1200)
    monthly_fee_fen: Money | None = None
    deposit_fen: Money | None = None


class CancelIn(Schema):
    reason: column(Deal, "note")


class TransactionOut(Schema):
    id: int
    customer_id: int
    site_id: int
    occurred_on: dt.date
    month: int
    item: str
    category: str
    sessions: int
    amount_fen: int
    kind: str
    deal_id: int | None


class TransactionIn(Schema):
    customer_id: int
    occurred_on: dt.date
    item: column(Transaction, "item")
    category: column(Transaction, "category")
    amount_fen: Money
    sessions: Sessions = 1
    kind: column(Transaction, "kind") = "purchase"
    deal_id: int | None = None


class FollowUpOut(Schema):
    id: int
    customer_id: int
    site_id: int
    staff_id: int | None
    channel: str
    scheduled_on: dt.date
    done_on: dt.date | None
    outcome: str
    satisfaction: int | None
    note: str
    deal_id: int | None


class FollowUpIn(Schema):
    customer_id: int
    scheduled_on: dt.date
    channel: column(FollowUp, "channel") = "phone"
    staff_id: int | None = None
    deal_id: int | None = None
    note: Text = ""


class FollowUpDoneIn(Schema):
    done_on: dt.date
    outcome: column(FollowUp, "outcome")
    satisfaction: int | None = None
    note: Text | None = None


class FunnelQuery(Schema):
    view: FunnelView = FunnelView.COHORT
    period: str | None = Field(None, description="2026, 2026Q3 or 2026-07")
    month_from: str | None = Field(None, description="2026-01")
    month_to: str | None = Field(None, description="2026-12")
    site: int | None = None
    channel: int | None = None
    channel_kind: str | None = None
    team: int | None = None
    consultant: int | None = Field(None, description="staff id of the credited owner")


class FunnelRowOut(Schema):
    id: int
    customer_id: int
    customer_name: str
    month: int
    cohort_month: int
    owner_id: int | None

    @staticmethod
    def resolve_customer_name(obj) -> str:
        return obj.customer.name


class ShareOut(Schema):
    key: str
    label: str
    count: int
    percent: float


def _filters(query: FunnelQuery):
    return selectors.parse_funnel_filters(query.dict(exclude_none=True))


# --- customers -----------------------------------------------------------------------------------


@router.get("/customers", response=list[CustomerOut])
@paginate(LimitOffsetPagination)
def customer_list(
    request,
    site_id: int | None = None,
    status: str | None = None,
    owner_id: int | None = None,
    channel_id: int | None = None,
    search: str = "",
):
    return selectors.customer_list(
        user=request.auth,
        site_id=site_id,
        status=status,
        owner_id=owner_id,
        channel_id=channel_id,
        search=search,
    )


@router.post("/customers", response={201: CustomerOut})
def customer_create(request, payload: CustomerIn):
    return Status(201, services.customer_register(actor=request.auth, **payload.dict()))


@router.get("/customers/{customer_id}", response=CustomerOut)
def customer_detail(request, customer_id: int):
    return selectors.customer_get(user=request.auth, customer_id=customer_id)


@router.patch("/customers/{customer_id}", response=CustomerOut)
def customer_update(request, customer_id: int, payload: CustomerPatch):
    return services.customer_update(
        actor=request.auth, customer_id=customer_id, **payload.dict(exclude_unset=True)
    )


@router.delete("/customers/{customer_id}", response={204: None})
def customer_delete(request, customer_id: int):
    services.customer_delete(actor=request.auth, customer_id=customer_id)
    return Status(204, None)


@router.post("/customers/{customer_id}/reassign", response=CustomerOut)
def customer_reassign(request, customer_id: int, payload: ReassignIn):
    return services.customer_reassign(actor=request.auth, customer_id=customer_id, **payload.dict())


@router.post("/customers/{customer_id}/claim", response=CustomerOut)
def customer_claim(request, customer_id: int):
    return services.customer_claim(actor=request.auth, customer_id=customer_id)


# --- consultations, visits -------------------------------------------------------------------------


@router.get("/consultations", response=list[ConsultationOut])
@paginate(LimitOffsetPagination)
def consultation_list(request, customer_id: int | None = None, site_id: int | None = None):
    return selectors.consultation_list(user=request.auth, customer_id=customer_id, site_id=site_id)


@router.post("/consultations", response={201: ConsultationOut})
def consultation_create(request, payload: ConsultationIn):
    return Status(201, services.consultation_record(actor=request.auth, **payload.dict()))


@router.get("/consultations/{consultation_id}", response=ConsultationOut)
def consultation_detail(request, consultation_id: int):
    return selectors.consultation_get(user=request.auth, consultation_id=consultation_id)


@router.get("/visits", response=list[VisitOut])
@paginate(LimitOffsetPagination)
def visit_list(request, customer_id: int | None = None, site_id: int | None = None, untriaged: bool = False):
    return selectors.visit_list(
        user=request.auth, customer_id=customer_id, site_id=site_id, untriaged=untriaged
    )


@router.post("/visits", response={201: VisitOut})
def visit_create(request, payload: VisitIn):
    return Status(201, services.visit_register(actor=request.auth, **payload.dict()))


@router.get("/visits/{visit_id}", response=VisitOut)
def visit_detail(request, visit_id: int):
    return selectors.visit_get(user=request.auth, visit_id=visit_id)


@router.post("/visits/{visit_id}/triage", response=VisitOut)
def visit_triage(request, visit_id: int, payload: TriageIn):
    return services.visit_triage(actor=request.auth, visit_id=visit_id, consultant_id=payload.consultant_id)


# --- deals, transactions, follow-ups ------------------------------------------------------------------


@router.get("/deals", response=list[DealOut])
@paginate(LimitOffsetPagination)
def deal_list(request, customer_id: int | None = None, site_id: int | None = None):
    return selectors.deal_list(user=request.auth, customer_id=customer_id, site_id=site_id)


@router.post("/deals", response={201: DealOut})
def deal_create(request, payload: DealIn):
    data = payload.dict()
    data["lines"] = [services.DealLineInput(**line) for line in data["lines"]]
    deal = services.deal_sign(actor=request.auth, **data)
    return Status(201, selectors.deal_get(user=request.auth, deal_id=deal.pk))


@router.get("/deals/{deal_id}", response=DealOut)
def deal_detail(request, deal_id: int):
    return selectors.deal_get(user=request.auth, deal_id=deal_id)


@router.post("/deals/{deal_id}/cancel", response=DealOut)
def deal_cancel(request, deal_id: int, payload: CancelIn):
    services.deal_transition(
        actor=request.auth, deal_id=deal_id, to_status="cancelled", reason=payload.reason
    )
    return selectors.deal_get(user=request.auth, deal_id=deal_id)


@router.get("/transactions", response=list[TransactionOut])
@paginate(LimitOffsetPagination)
def transaction_list(request, customer_id: int | None = None, site_id: int | None = None):
    return selectors.transaction_list(user=request.auth, customer_id=customer_id, site_id=site_id)


@router.post("/transactions", response={201: TransactionOut})
def transaction_create(request, payload: TransactionIn):
    return Status(201, services.transaction_record(actor=request.auth, **payload.dict()))


@router.get("/transactions/{transaction_id}", response=TransactionOut)
def transaction_detail(request, transaction_id: int):
    return selectors.transaction_get(user=request.auth, transaction_id=transaction_id)


@router.get("/followups", response=list[FollowUpOut])
@paginate(LimitOffsetPagination)
def followup_list(
    request,
    customer_id: int | None = None,
    site_id: int | None = None,
    due_by: dt.date | None = None,
    done: bool | None = None,
):
    return selectors.followup_list(
        user=request.auth, customer_id=customer_id, site_id=site_id, due_by=due_by, done=done
    )


@router.post("/followups", response={201: FollowUpOut})
def followup_create(request, payload: FollowUpIn):
    return Status(201, services.followup_schedule(actor=request.auth, **payload.dict()))


@router.get("/followups/{followup_id}", response=FollowUpOut)
def followup_detail(request, followup_id: int):
    return selectors.followup_get(user=request.auth, followup_id=followup_id)


@router.post("/followups/{followup_id}/complete", response=FollowUpOut)
def followup_complete(request, followup_id: int, payload: FollowUpDoneIn):
    return services.followup_complete(actor=request.auth, followup_id=followup_id, **payload.dict())


# --- funnel and share tables -------------------------------------------------------------------------


@router.get("/funnel")
def funnel(request, query: Query[FunnelQuery]):
    """The funnel the dashboard shows: `total` and one row per month, counts, rates and money (fen)."""
    return selectors.funnel(user=request.auth, filters=_filters(query)).as_dict()


@router.get("/funnel/rows", response=list[FunnelRowOut])
@paginate(LimitOffsetPagination)
def funnel_rows(request, metric: str, query: Query[FunnelQuery]):
    """The rows behind one funnel cell (drill-down); narrow to a month with month_from = month_to."""
    return selectors.funnel_rows(user=request.auth, metric=metric, filters=_filters(query))


@router.get("/shares/{table}", response=list[ShareOut])
def shares(
    request,
    table: str,
    site_id: int | None = None,
    month_from: str | None = None,
    month_to: str | None = None,
    signed_only: bool = False,
):
    """Customer source / profession / exit-reason table with percentages (table: source|profession|exit_reason)."""
    rows = selectors.share_table(
        user=request.auth,
        table=table,
        site_id=site_id,
        month_from=parse_month(month_from, "month_from") if month_from else None,
        month_to=parse_month(month_to, "month_to") if month_to else None,
        signed_only=signed_only,
    )
    return [row.as_dict() for row in rows]
