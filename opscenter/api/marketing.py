"""Marketing endpoints under /api/marketing/ (scoped like the screens; writes through services).

`GET/POST /campaigns`, `POST /campaigns/{id}/invitations`, `POST /invitations/transition`,
`POST /consultations/{id}/attribute` (source code or campaign), `POST /deals/{id}/attribute`,
`POST /leads` (landing form), `GET/POST /cost-lines`, `POST /cost-lines/{id}/reverse`,
`GET /roi` (tab campaign|channel|month with the funnel's filters), `GET/POST
/partners/{id}/statements`, `POST /content-posts`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Field, Query, Router, Status

from opscenter.api.limits import Money, column
from opscenter.api.schema import Schema
from opscenter.marketing import selectors, services
from opscenter.marketing.models import Campaign, CostLine
from opscenter.pipeline import selectors as pipeline_selectors
from opscenter.pipeline.periods import parse_month

router = Router(tags=["marketing"])
LIST_LIMIT = 500


class CampaignIn(Schema):
    site_id: int
    name: column(Campaign, "name")
    code: column(Campaign, "code")
    kind: str
    starts_on: dt.date
    ends_on: dt.date
    budget_fen: Money = 0
    channel_id: int | None = None
    owner_id: int | None = None
    audience: column(Campaign, "audience") = ""
    notes: column(Campaign, "notes") = ""


class CampaignOut(Schema):
    id: int
    site_id: int
    name: str
    code: str
    kind: str
    channel_id: int | None
    starts_on: dt.date
    ends_on: dt.date
    budget_fen: int
    owner_id: int | None
    audience: str


class InviteIn(Schema):
    customer_ids: list[int] = Field(..., max_length=LIST_LIMIT)
    note: column(Campaign, "audience") = ""


class InvitationOut(Schema):
    id: int
    campaign_id: int
    customer_id: int
    status: str


class TransitionIn(Schema):
    invitation_ids: list[int] = Field(..., max_length=LIST_LIMIT)
    status: str


class CountOut(Schema):
    count: int


class AttributeIn(Schema):
    code: column(Campaign, "code") = ""
    campaign_id: int | None = None


class DealAttributeIn(Schema):
    campaign_id: int


class TouchOut(Schema):
    id: int
    campaign_id: int
    customer_id: int
    touched_on: dt.date
    method: str


class LeadIn(Schema):
    site_id: int
    code: column(Campaign, "code")
    name: str = Field(..., max_length=50)
    phone: str = Field(..., max_length=20)
    content: str = Field("", max_length=2000)


class CostLineIn(Schema):
    site_id: int
    item: column(CostLine, "item")
    quantity: int
    unit_price_fen: int
    spent_on: dt.date
    campaign_id: int | None = None
    channel_id: int | None = None
    supplier: column(CostLine, "supplier") = ""
    invoice_no: column(CostLine, "invoice_no") = ""
    note: column(CostLine, "note") = ""


class CostLineOut(Schema):
    id: int
    site_id: int
    campaign_id: int | None
    channel_id: int | None
    item: str
    quantity: int
    unit_price_fen: int
    amount_fen: int
    supplier: str
    invoice_no: str
    spent_on: dt.date
    reversal_of_id: int | None


class ReverseIn(Schema):
    reason: column(CostLine, "note")


class RoiRowOut(Schema):
    key: str
    label: str
    model: str = ""
    spend_fen: int
    consultations: int
    visits: int
    deals: int
    revenue_fen: int
    cost_per_consultation_fen: int | None
    cost_per_visit_fen: int | None
    cost_per_deal_fen: int | None
    return_on_spend: Decimal | None


class StatementIn(Schema):
    month: str = Field(..., max_length=7, description="2026-07")


class StatementLineOut(Schema):
    deal_id: int | None
    tour_id: int | None
    base_fen: int
    amount_fen: int
    explanation: str


class StatementOut(Schema):
    id: int
    partner_id: int
    month: int
    status: str
    total_fen: int
    lines: list[StatementLineOut]

    @staticmethod
    def resolve_lines(obj) -> list:
        return list(selectors.statement_line_list(statement=obj))


class PostIn(Schema):
    site_id: int
    title: str = Field(..., max_length=200)
    published_on: dt.date
    reads: int = Field(0, ge=0)
    shares: int = Field(0, ge=0)
    new_followers: int = 0
    campaign_code: column(Campaign, "code") = ""


class PostOut(Schema):
    id: int
    title: str
    published_on: dt.date
    reads: int
    shares: int
    new_followers: int
    campaign_id: int | None


@router.get("/campaigns", response=list[CampaignOut])
def campaigns(request, site_id: int | None = None):
    return list(
        selectors.campaign_list(user=request.auth, site_id=site_id).order_by("-starts_on", "-pk")[:LIST_LIMIT]
    )


@router.post("/campaigns", response={201: CampaignOut})
def campaign_create(request, payload: CampaignIn):
    return Status(201, services.campaign_create(actor=request.auth, **payload.dict()))


@router.get("/campaigns/{campaign_id}", response=CampaignOut)
def campaign(request, campaign_id: int):
    return selectors.campaign_get(user=request.auth, campaign_id=campaign_id)


@router.post("/campaigns/{campaign_id}/invitations", response={201: list[InvitationOut]})
def invite(request, campaign_id: int, payload: InviteIn):
    return Status(
        201, services.invitation_bulk_create(actor=request.auth, campaign_id=campaign_id, **payload.dict())
    )


@router.post("/invitations/transition", response=CountOut)
def invitations_transition(request, payload: TransitionIn):
    moved = services.invitation_transition(
        actor=request.auth, invitation_ids=payload.invitation_ids, to_status=payload.status
    )
    return {"count": moved}


@router.post("/consultations/{consultation_id}/attribute", response={201: TouchOut})
def consultation_attribute(request, consultation_id: int, payload: AttributeIn):
    touch = services.consultation_attribute(
        actor=request.auth,
        consultation_id=consultation_id,
        code=payload.code,
        campaign_id=payload.campaign_id,
    )
    return Status(201, touch)


@router.post("/deals/{deal_id}/attribute", response={201: TouchOut})
def deal_attribute(request, deal_id: int, payload: DealAttributeIn):
    return Status(
        201, services.deal_attribute(actor=request.auth, deal_id=deal_id, campaign_id=payload.campaign_id)
    )


@router.post("/leads", response={201: TouchOut})
def lead(request, payload: LeadIn):
    return Status(201, services.landing_submit(actor=request.auth, **payload.dict()))


@router.get("/cost-lines", response=list[CostLineOut])
def cost_lines(
    request, campaign_id: int | None = None, channel_id: int | None = None, month: str | None = None
):
    key = parse_month(month) if month else None
    qs = selectors.cost_line_list(
        user=request.auth, campaign_id=campaign_id, channel_id=channel_id, month_from=key, month_to=key
    )
    return list(qs[:LIST_LIMIT])


@router.post("/cost-lines", response={201: CostLineOut})
def cost_line_create(request, payload: CostLineIn):
    return Status(201, services.cost_line_record(actor=request.auth, **payload.dict()))


@router.post("/cost-lines/{cost_line_id}/reverse", response={201: CostLineOut})
def cost_line_reverse(request, cost_line_id: int, payload: ReverseIn):
    return Status(
        201, services.cost_line_reverse(actor=request.auth, cost_line_id=cost_line_id, reason=payload.reason)
    )


def _roi_row(row, model: str = "") -> dict:
    return {
        "key": "" if row.key is None else str(row.key),
        "label": str(row.label),
        "model": model,
        "spend_fen": row.spend_fen,
        "consultations": row.counts.consultations,
        "visits": row.counts.visits,
        "deals": row.counts.deals,
        "revenue_fen": row.counts.revenue_fen,
        "cost_per_consultation_fen": row.cost_per_consultation_fen,
        "cost_per_visit_fen": row.cost_per_visit_fen,
        "cost_per_deal_fen": row.cost_per_deal_fen,
        "return_on_spend": row.return_on_spend,
    }


@router.get("/roi", response=list[RoiRowOut])
def roi(
    request,
    tab: str = "campaign",
    view: str = "cohort",
    month_from: str | None = None,
    month_to: str | None = None,
    site: int | None = None,
    period: str | None = Query(None, description="2026, 2026Q3 or 2026-07"),
):
    """ROI rows: per campaign (a first-touch and a last-touch row each), per channel or per month."""
    params = {"view": view, "month_from": month_from, "month_to": month_to, "site": site, "period": period}
    filters = pipeline_selectors.parse_funnel_filters({k: v for k, v in params.items() if v})
    if tab == "campaign":
        out = []
        for row in selectors.roi_by_campaign(user=request.auth, filters=filters):
            out += [_roi_row(row.first, "first"), _roi_row(row.last, "last")]
        return out
    rows, total = (selectors.roi_by_channel if tab == "channel" else selectors.roi_by_month)(
        user=request.auth, filters=filters
    )
    return [_roi_row(r) for r in [*rows, total]]


@router.get("/partners/{partner_id}/statements", response=list[StatementOut])
def statements(request, partner_id: int):
    selectors.partner_get(user=request.auth, partner_id=partner_id)
    return list(selectors.statement_list(user=request.auth, partner_id=partner_id)[:120])


@router.post("/partners/{partner_id}/statements", response={201: StatementOut})
def statement_generate(request, partner_id: int, payload: StatementIn):
    statement = services.statement_generate(
        actor=request.auth, partner_id=partner_id, month=parse_month(payload.month)
    )
    return Status(201, statement)


@router.post("/content-posts", response={201: PostOut})
def content_post_create(request, payload: PostIn):
    return Status(201, services.content_post_record(actor=request.auth, **payload.dict()))
