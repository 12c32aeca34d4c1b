"""Appraisal endpoints under /api/appraisal/ (scoped like the screens).

`GET /scorecards`, `GET /scorecards/{id}`; `GET /results?period=2026-10` (appraisals the caller may
see: their own, their units', or their sites' with the view permission); `GET /results/{id}` (the
statement: items with data and drill-down URL, rules fired, grade); `POST /scores/{id}` (a manual
score by the named appraiser, 0–100); `POST /scores/{id}/appeal`; `GET /payouts/{id}` (pay lines:
finance/HR see their sites', everyone else only their own).
"""

from __future__ import annotations

from decimal import Decimal

from ninja import Router, Status

from opscenter.api.limits import column
from opscenter.api.schema import Schema
from opscenter.appraisal import selectors, services
from opscenter.appraisal.models import Appeal, ItemScore
from opscenter.core.exceptions import NotFound

router = Router(tags=["appraisal"])


class ItemOut(Schema):
    id: int
    order: int
    name: str
    kind: str
    weight: Decimal
    method: str
    metric_code: str
    denominator_code: str
    curve: str


class RuleOut(Schema):
    id: int
    order: int
    kind: str
    name: str
    points_min: Decimal
    points_max: Decimal
    grades: int


class BandOut(Schema):
    name: str
    min_score: Decimal
    coefficient: Decimal


class ScorecardOut(Schema):
    id: int
    site_id: int
    name: str
    version: int
    status: str
    subject_kind: str


class ScorecardDetailOut(ScorecardOut):
    items: list[ItemOut]
    rules: list[RuleOut]
    bands: list[BandOut]

    @staticmethod
    def resolve_items(obj) -> list:
        return list(obj.items.all())

    @staticmethod
    def resolve_rules(obj) -> list:
        return list(obj.rules.all())

    @staticmethod
    def resolve_bands(obj) -> list:
        return list(obj.bands.all())


class ResultOut(Schema):
    id: int
    period: str
    site_id: int
    scorecard_id: int
    subject_kind: str
    subject_id: int
    subject_name: str
    staff_id: int | None
    weighted_score: Decimal | None
    final_score: Decimal | None
    grade: str
    coefficient: Decimal
    pending_items: int

    @staticmethod
    def resolve_period(obj) -> str:
        return obj.period.label


class StatementItemOut(Schema):
    item_score_id: int
    item: str
    kind: str
    weight: Decimal
    method: str
    metric: str
    numerator: int | None
    denominator: int | None
    value: Decimal | None
    score: Decimal | None
    weighted: Decimal | None
    status: str
    drill_url: str


class StatementOut(ResultOut):
    items: list[StatementItemOut]
    rules: list[dict]
    explanation: dict


class ScoreIn(Schema):
    score: Decimal | None = None
    checked: list[column(ItemScore, "note")] = []
    note: column(ItemScore, "note") = ""


class AppealIn(Schema):
    reason: column(Appeal, "reason")


class AppealOut(Schema):
    id: int
    status: str
    reason: str


class PayLineOut(Schema):
    id: int
    staff_id: int | None
    department_id: int | None
    part: str
    amount_fen: int
    equal_split: bool
    formula: str
    inputs: dict


class PayoutOut(Schema):
    id: int
    plan: str
    period_label: str
    status: str
    total_fen: int | None
    lines: list[PayLineOut]


@router.get("/scorecards", response=list[ScorecardOut])
def scorecards(request, status: str | None = None):
    qs = selectors.scorecard_list(user=request.auth)
    return list((qs.filter(status=status) if status else qs)[:500])


@router.get("/scorecards/{scorecard_id}", response=ScorecardDetailOut)
def scorecard(request, scorecard_id: int):
    return selectors.scorecard_get(user=request.auth, scorecard_id=scorecard_id)


@router.get("/results", response=list[ResultOut])
def results(request, period: str):
    _kind, label, _s, _e = services.parse_period(period)
    qs = selectors.appraisal_visible(request.auth).filter(period__label=label).select_related("period")
    return list(qs.order_by("site_id", "subject_name")[:5000])


def _statement(user, appraisal_id: int) -> dict:
    a = selectors.appraisal_get(user=user, appraisal_id=appraisal_id)
    lines = selectors.statement(user=user, appraisal=a)
    items = [
        {
            "item_score_id": ln.row.pk,
            "item": ln.row.item.name,
            "kind": ln.row.item.kind,
            "weight": ln.row.item.weight,
            "method": ln.row.item.method,
            "metric": ln.metric_label,
            "numerator": ln.row.numerator,
            "denominator": ln.row.denominator,
            "value": ln.row.value,
            "score": ln.row.score,
            "weighted": ln.weighted,
            "status": ln.row.status,
            "drill_url": ln.drill_url,
        }
        for ln in lines
    ]
    a.items = items
    a.rules = a.explanation.get("rules", [])
    return a


@router.get("/results/{appraisal_id}", response=StatementOut)
def result(request, appraisal_id: int):
    return _statement(request.auth, appraisal_id)


def _score_row(user, item_score_id: int) -> ItemScore:
    row = ItemScore.objects.filter(pk=item_score_id).select_related("item").first()
    if row is None:
        raise NotFound("not found")
    if row.item.appraiser_id != selectors.scope_for(user).staff_id:
        selectors.appraisal_get(user=user, appraisal_id=row.appraisal_id)
    return row


@router.post("/scores/{item_score_id}", response=StatementOut)
def score_enter(request, item_score_id: int, payload: ScoreIn):
    row = _score_row(request.auth, item_score_id)
    services.item_score_enter(
        actor=request.auth, item_score=row, score=payload.score, checked=payload.checked, note=payload.note
    )
    return _statement(request.auth, row.appraisal_id)


@router.post("/scores/{item_score_id}/appeal", response={201: AppealOut})
def appeal(request, item_score_id: int, payload: AppealIn):
    row = _score_row(request.auth, item_score_id)
    selectors.appraisal_get(user=request.auth, appraisal_id=row.appraisal_id)
    return Status(201, services.appeal_file(actor=request.auth, item_score=row, reason=payload.reason))


@router.get("/payouts/{payout_id}", response=PayoutOut)
def payout(request, payout_id: int):
    p, lines = selectors.payout_get(user=request.auth, payout_id=payout_id)
    full = selectors.scope_for(request.auth).can("appraisal.view_payout")
    return {
        "id": p.pk,
        "plan": str(p.plan),
        "period_label": p.period_label,
        "status": p.status,
        "total_fen": p.total_fen if full else None,
        "lines": lines,
    }
