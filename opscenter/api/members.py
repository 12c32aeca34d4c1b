"""Member tier endpoints under /api/members/ (scoped like the UI; writes go through services).

A member's tier, the explanation of it (criteria, the numbers behind them, the matched level and
the rule-set version) and their tier history; rule-set versions with create / what-if preview /
activate; evaluation of a site on demand; disputes (纠纷) with open and settle; care tasks with
done / skipped. Domain errors map to 404 / 403 / 422 in opscenter/api/urls.py.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Router, Status
from ninja.pagination import LimitOffsetPagination, paginate

from opscenter.api.limits import Text, column
from opscenter.api.schema import Schema
from opscenter.members import selectors, services
from opscenter.members.models import CareTask, TierRuleSet
from opscenter.pipeline import selectors as pipeline_selectors
from opscenter.pipeline import services as pipeline_services
from opscenter.pipeline.models import Dispute

router = Router(tags=["members"])


class TierOut(Schema):
    customer_id: int
    tier: str | None
    label: str | None
    since: dt.date | None
    rule_set_id: int | None
    rule_set_version: int | None


class TierChangeOut(Schema):
    id: int
    from_tier: str
    to_tier: str
    rule_set_id: int
    rule_set_version: int
    source: str
    as_of: dt.date
    changed_at: dt.datetime

    @staticmethod
    def resolve_rule_set_version(obj) -> int:
        return obj.rule_set.version


class RuleSetOut(Schema):
    id: int
    site_id: int
    name: str
    version: int
    status: str
    definition: dict[str, Any]
    note: str
    created_at: dt.datetime
    activated_at: dt.datetime | None


class RuleSetIn(Schema):
    site_id: int
    name: column(TierRuleSet, "name")
    definition: dict[str, Any]
    based_on_id: int | None = None
    note: column(TierRuleSet, "note") = ""


class EvaluateIn(Schema):
    site_id: int
    as_of: dt.date | None = None


class EvaluationOut(Schema):
    id: int
    site_id: int
    rule_set_id: int
    as_of: dt.date
    members: int
    changes: int
    counts: dict[str, int]


class DisputeOut(Schema):
    id: int
    site_id: int
    customer_id: int
    opened_on: dt.date
    category: str
    description: str
    status: str
    outcome: str
    settled_on: dt.date | None
    resolution: str


class DisputeIn(Schema):
    customer_id: int
    opened_on: dt.date
    category: column(Dispute, "category")
    description: Text


class DisputeSettleIn(Schema):
    settled_on: dt.date
    outcome: column(Dispute, "outcome")
    resolution: Text = ""


class CareTaskOut(Schema):
    """A care task with the value of its benefit as generated: the birthday coupon in fen, the
    birthday-month discount as a rate (0.88) and as staff say it ("8.8折"), what is given."""

    id: int
    customer_id: int
    assignee_id: int | None
    kind: str
    tier: str
    due_on: dt.date
    status: str
    note: str
    amount_fen: int | None
    discount_rate: Decimal | None
    discount_label: str
    detail: str
    benefit: str


class CareTaskCloseIn(Schema):
    status: column(CareTask, "status")
    note: column(CareTask, "note") = ""


@router.get("/customers/{customer_id}/tier", response=TierOut)
def member_tier(request, customer_id: int):
    customer = selectors.member_get(user=request.auth, customer_id=customer_id)
    current = selectors.tier_of(customer_id=customer.pk)
    labels = {t["code"]: t["label"] for t in current.rule_set.definition["tiers"]} if current else {}
    return {
        "customer_id": customer.pk,
        "tier": current.tier if current else None,
        "label": labels.get(current.tier) if current else None,
        "since": current.since if current else None,
        "rule_set_id": current.rule_set_id if current else None,
        "rule_set_version": current.rule_set.version if current else None,
    }


@router.get("/customers/{customer_id}/explanation")
def member_explanation(request, customer_id: int, as_of: dt.date | None = None):
    """Why the customer has their tier under the site's active rules, with the numbers."""
    customer = selectors.member_get(user=request.auth, customer_id=customer_id)
    rule_set = selectors.active_rule_set(site_id=customer.site_id)
    if rule_set is None:
        return {"rule_set": None, "is_member": False, "tier": None, "level": None, "criteria": []}
    explained = selectors.explain(customer_id=customer.pk, rule_set=rule_set, as_of=as_of)
    return {
        "rule_set": {"id": rule_set.pk, "name": rule_set.name, "version": rule_set.version},
        **explained.as_json(),
    }


@router.get("/customers/{customer_id}/history", response=list[TierChangeOut])
def member_history(request, customer_id: int):
    return list(selectors.tier_history(user=request.auth, customer_id=customer_id)[:500])


@router.get("/rule-sets", response=list[RuleSetOut])
def rule_set_list(request, site_id: int | None = None):
    return list(selectors.rule_set_list(user=request.auth, site_id=site_id))


@router.post("/rule-sets", response={201: RuleSetOut})
def rule_set_create(request, payload: RuleSetIn):
    """A new draft version (validated; 422 lists every problem)."""
    return Status(201, services.tier_rules_create(actor=request.auth, **payload.dict()))


@router.get("/rule-sets/{rule_set_id}/preview")
def rule_set_preview(request, rule_set_id: int):
    """What activating this version would do: the transition matrix and the members who move."""
    p = selectors.tier_preview(user=request.auth, rule_set_id=rule_set_id)
    return {
        "rule_set_id": p.rule_set.pk,
        "members": p.members,
        "moving": p.moving,
        "matrix": [{"from": f, "to": t, "n": n} for (f, t), n in sorted(p.matrix.items())],
        "movers": p.movers,
    }


@router.post("/rule-sets/{rule_set_id}/activate", response=EvaluationOut)
def rule_set_activate(request, rule_set_id: int):
    selectors.rule_set_get(user=request.auth, rule_set_id=rule_set_id)
    return services.tier_rules_activate(actor=request.auth, rule_set_id=rule_set_id)


@router.post("/evaluate", response=EvaluationOut)
def evaluate(request, payload: EvaluateIn):
    return services.tiers_evaluate(actor=request.auth, site_id=payload.site_id, as_of=payload.as_of)


@router.get("/disputes", response=list[DisputeOut])
@paginate(LimitOffsetPagination)
def dispute_list(request, customer_id: int | None = None, status: str | None = None):
    return pipeline_selectors.dispute_list(user=request.auth, customer_id=customer_id, status=status)


@router.post("/disputes", response={201: DisputeOut})
def dispute_open(request, payload: DisputeIn):
    dispute = pipeline_services.dispute_open(actor=request.auth, **payload.dict())
    return Status(201, dispute)


@router.post("/disputes/{dispute_id}/settle", response=DisputeOut)
def dispute_settle(request, dispute_id: int, payload: DisputeSettleIn):
    pipeline_selectors.dispute_get(user=request.auth, dispute_id=dispute_id)
    dispute = pipeline_services.dispute_settle(actor=request.auth, dispute_id=dispute_id, **payload.dict())
    return dispute


@router.get("/care-tasks", response=list[CareTaskOut])
@paginate(LimitOffsetPagination)
def care_task_list(request, status: str | None = None, due_by: dt.date | None = None):
    return selectors.care_task_list(user=request.auth, status=status, due_by=due_by)


@router.post("/care-tasks/{task_id}/close", response=CareTaskOut)
def care_task_close(request, task_id: int, payload: CareTaskCloseIn):
    return services.care_task_close(actor=request.auth, task_id=task_id, **payload.dict())
