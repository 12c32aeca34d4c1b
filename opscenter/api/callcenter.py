"""Call-center endpoints under /api/callcenter/ (scoped like the screens).

`POST /calls` records one call and `POST /calls/batch` up to `MAX_BATCH_ITEMS` (the API's one batch limit), all or
nothing; both are idempotent on (source, telephony id): the same call sent again changes
nothing, a waiting call may be completed by a later report, other differences are refused with
422 and per-item messages. `POST /surveys` records a satisfaction answer (a low score opens a
work order). `GET /staffing` answers Erlang C for one interval.
"""

from __future__ import annotations

import datetime as dt

from ninja import Query, Router, Status

from opscenter.api.limits import Batch, column
from opscenter.api.schema import Schema
from opscenter.callcenter import erlang, services
from opscenter.callcenter.models import Call, Survey
from opscenter.core.exceptions import ValidationError
from opscenter.imports.values import SHANGHAI

router = Router(tags=["callcenter"])


class CallIn(Schema):
    telephony_id: column(Call, "telephony_id")
    queue: column(Call, "telephony_id")
    direction: str = "in"
    caller_number: column(Call, "caller_number") = ""
    arrived_at: dt.datetime
    answered_at: dt.datetime | None = None
    ended_at: dt.datetime | None = None
    talk_seconds: int | None = None
    hold_seconds: int | None = None
    wrap_seconds: int | None = None
    agent: column(Call, "telephony_id") = ""
    disposition: column(Call, "telephony_id") = ""
    recording_ref: column(Call, "recording_ref") = ""
    parent_telephony_id: column(Call, "telephony_id") = ""
    fcr: bool | None = None
    # A 回访 call: the agent's result (pipeline outcome code: reached / unreachable / complaint /
    # rebooked; empty = from the call) and the customer's satisfaction (1–5).
    followup_outcome: column(Call, "followup_outcome") = ""
    satisfaction: int | None = None


class OneCallIn(CallIn):
    site_id: int
    source: column(Call, "source") = ""


class BatchIn(Schema):
    site_id: int
    source: column(Call, "source") = ""
    items: Batch[CallIn]


class RecordedOut(Schema):
    created: int
    updated: int
    unchanged: int
    ids: list[int]
    followups_completed: int = 0


class ItemError(Schema):
    index: int
    field: str
    message: str


class BatchErrorOut(Schema):
    detail: str
    errors: list[ItemError]


class SurveyIn(Schema):
    site_id: int
    call_id: int
    score: int
    comment: column(Survey, "comment") = ""
    received_at: dt.datetime | None = None


class SurveyOut(Schema):
    id: int
    call_id: int
    agent_id: int | None
    score: int
    work_order_id: int | None


class StaffingQuery(Schema):
    calls: float
    interval_minutes: int = 30
    aht_seconds: float
    target_sl: float = 0.8
    target_seconds: float = 20
    target_asa: float | None = None
    shrinkage: float = 0.0


class StaffingOut(Schema):
    calls: float
    interval_minutes: int
    aht_seconds: float
    traffic: float
    agents: int
    scheduled: int
    service_level: float
    asa_seconds: float
    occupancy: float
    wait_probability: float


def _record(request, site_id: int, source: str, items: list[dict]):
    for item in items:  # a time without offset is China time, as the telephony systems report it
        for key in ("arrived_at", "answered_at", "ended_at"):
            if item.get(key) is not None and item[key].tzinfo is None:
                item[key] = item[key].replace(tzinfo=SHANGHAI)
    try:
        return Status(
            200, services.call_record_batch(actor=request.auth, site_id=site_id, items=items, source=source)
        )
    except ValidationError as exc:
        errors = getattr(exc, "errors", None)
        if errors is None:
            raise
        return Status(
            422,
            {"detail": exc.message, "errors": [{"index": i, "field": f, "message": m} for i, f, m in errors]},
        )


@router.post("/calls", response={200: RecordedOut, 422: BatchErrorOut})
def call_record(request, payload: OneCallIn):
    data = payload.dict()
    site_id, source = data.pop("site_id"), data.pop("source")
    return _record(request, site_id, source, [data])


@router.post("/calls/batch", response={200: RecordedOut, 422: BatchErrorOut})
def call_record_batch(request, payload: BatchIn):
    return _record(request, payload.site_id, payload.source, [item.dict() for item in payload.items])


@router.post("/surveys", response={201: SurveyOut})
def survey_record(request, payload: SurveyIn):
    survey = services.survey_record(actor=request.auth, **payload.dict())
    return Status(201, survey)


@router.get("/staffing", response=StaffingOut)
def staffing(request, query: Query[StaffingQuery]):
    try:
        return erlang.agents_needed(**query.dict()).as_dict()
    except ValueError as exc:
        raise ValidationError(str(exc), field="calls") from exc
