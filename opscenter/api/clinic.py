"""Clinic endpoints under /api/clinic/ (scoped like the UI; writes go through services).

Quotes (create, accept), packages with their sessions (consume), gift orders, refunds, points
(balance and history, redeem), clinical follow-ups (raise, answer, the doctor's queue) and the
credited-revenue split. Domain errors map to 404 / 403 / 422 in opscenter/api/urls.py.
"""

import datetime as dt

from django.utils import timezone
from ninja import Router, Status

from opscenter.api.limits import Text
from opscenter.api.schema import Schema
from opscenter.clinic import selectors, services
from opscenter.clinic.models import Quote
from opscenter.pipeline.periods import month_key

router = Router(tags=["clinic"])


class QuoteLineIn(Schema):
    item: str
    category: str
    center_id: int
    list_price_fen: int
    quantity: int = 1
    sessions: int = 1
    doctor_id: int | None = None
    campaign_price_fen: int | None = None
    valid_days: int | None = None


class QuoteIn(Schema):
    customer_id: int
    valid_until: dt.date
    quoted_on: dt.date | None = None
    lines: list[QuoteLineIn]
    note: str = ""


class QuoteLineOut(Schema):
    item: str
    category: str
    center_id: int
    doctor_id: int | None
    quantity: int
    sessions: int
    list_price_fen: int
    campaign_price_fen: int | None
    amount_fen: int
    rule: str


class QuoteOut(Schema):
    id: int
    customer_id: int
    status: str
    quoted_on: dt.date
    valid_until: dt.date
    tier: str
    rule_note: str
    list_total_fen: int
    total_fen: int
    deal_id: int | None
    lines: list[QuoteLineOut]

    @staticmethod
    def resolve_lines(obj):
        return list(obj.lines.all())


class AcceptIn(Schema):
    accepted_on: dt.date | None = None
    redeem_points: int = 0


class PackageOut(Schema):
    id: int
    customer_id: int
    item: str
    category: str
    center_id: int
    doctor_id: int | None
    sessions_total: int
    sessions_used: int
    amount_fen: int
    sold_on: dt.date
    valid_until: dt.date
    status: str


class ConsumeIn(Schema):
    performed_by_id: int
    used_at: dt.datetime | None = None
    note: str = ""


class SessionUseOut(Schema):
    id: int
    number: int
    performed_by_id: int
    used_at: dt.datetime


class RefundIn(Schema):
    transaction_id: int
    amount_fen: int
    dispute_id: int | None
    refunded_on: dt.date | None = None
    outcome: str = "refunded"
    reason: str = ""


class GiftLineIn(Schema):
    item: str
    category: str
    cost_fen: int
    center_id: int
    sessions: int = 1


class GiftIn(Schema):
    customer_id: int
    lines: list[GiftLineIn]
    reason: str
    approver_id: int | None
    given_on: dt.date
    benefit_choice: str = ""
    dispute_id: int | None = None
    note: str = ""


class IdOut(Schema):
    id: int


class PointsEntryOut(Schema):
    id: int
    kind: str
    points: int
    occurred_on: dt.date
    expires_on: dt.date | None
    deal_id: int | None
    value_fen: int
    note: str


class PointsOut(Schema):
    balance: int
    history: list[PointsEntryOut]


class RedeemIn(Schema):
    points: int
    deal_id: int
    on: dt.date | None = None


class ClinicalIn(Schema):
    customer_id: int
    question: Text
    center_id: int | None = None


class ClinicalOut(Schema):
    id: int
    customer_id: int
    staff_id: int | None
    question: str
    answer: str
    due_at: dt.datetime | None
    answered_at: dt.datetime | None


class AnswerIn(Schema):
    answer: Text


@router.post("/quotes", response={201: QuoteOut})
def quote_create(request, payload: QuoteIn):
    data = payload.dict()
    quote = services.quote_create(actor=request.auth, **data)
    return Status(201, Quote.objects.prefetch_related("lines").get(pk=quote.pk))


@router.get("/quotes/{quote_id}", response=QuoteOut)
def quote_get(request, quote_id: int):
    return selectors.quote_get(user=request.auth, quote_id=quote_id)


@router.post("/quotes/{quote_id}/accept", response=QuoteOut)
def quote_accept(request, quote_id: int, payload: AcceptIn):
    services.quote_accept(actor=request.auth, quote_id=quote_id, **payload.dict())
    return selectors.quote_get(user=request.auth, quote_id=quote_id)


@router.get("/quotes/conversion")
def quote_conversion(request, month_from: int, month_to: int, site_id: int | None = None):
    conv = selectors.quote_conversion(
        user=request.auth, site_id=site_id, month_from=month_from, month_to=month_to
    )
    return {
        "quotes": conv.quotes,
        "accepted": conv.accepted,
        "rate": None if conv.rate is None else str(conv.rate),
    }


@router.get("/customers/{customer_id}/packages", response=list[PackageOut])
def package_list(request, customer_id: int):
    return list(selectors.package_list(user=request.auth, customer_id=customer_id)[:500])


@router.post("/packages/{package_id}/sessions", response={201: SessionUseOut})
def session_consume(request, package_id: int, payload: ConsumeIn):
    return Status(201, services.session_consume(actor=request.auth, package_id=package_id, **payload.dict()))


@router.get("/liability")
def liability(request, site_id: int | None = None):
    return selectors.unused_liability(user=request.auth, site_id=site_id)


@router.post("/refunds", response={201: IdOut})
def refund_record(request, payload: RefundIn):
    return Status(201, services.refund_record(actor=request.auth, **payload.dict()))


@router.post("/gift-orders", response={201: IdOut})
def gift_order_create(request, payload: GiftIn):
    data = payload.dict()
    data["lines"] = [services.GiftLine(**line) for line in data["lines"]]
    return Status(201, services.gift_order_create(actor=request.auth, **data))


@router.get("/customers/{customer_id}/points", response=PointsOut)
def points(request, customer_id: int):
    return {
        "balance": selectors.points_balance(user=request.auth, customer_id=customer_id),
        "history": list(selectors.points_history(user=request.auth, customer_id=customer_id)[:500]),
    }


@router.post("/customers/{customer_id}/points/redeem", response={201: IdOut})
def points_redeem(request, customer_id: int, payload: RedeemIn):
    return Status(201, services.points_redeem(actor=request.auth, customer_id=customer_id, **payload.dict()))


@router.post("/clinical", response={201: ClinicalOut})
def clinical_raise(request, payload: ClinicalIn):
    return Status(201, services.clinical_question_raise(actor=request.auth, **payload.dict()))


@router.get("/clinical/queue", response=list[ClinicalOut])
def clinical_queue(request):
    return list(selectors.clinical_queue(user=request.auth)[:500])


@router.post("/clinical/{followup_id}/answer", response=ClinicalOut)
def clinical_answer(request, followup_id: int, payload: AnswerIn):
    return services.clinical_answer(actor=request.auth, followup_id=followup_id, answer=payload.answer)


@router.get("/credited")
def credited(request, site_id: int, month: dt.date | None = None):
    key = month_key(month or timezone.localdate())
    split = selectors.credited_split(user=request.auth, site_id=site_id, month_from=key, month_to=key)
    return {"month": key, **split}
