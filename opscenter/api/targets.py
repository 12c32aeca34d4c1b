"""Target decomposition endpoints under /api/targets/ (scoped like the UI).

`GET /plans` lists the plans the user may see; `GET /plans/{id}/progress?period=2026-11` returns
actual vs target for every unit and metric of the plan (the numbers of the progress page, each
with the URL of the rows behind its actual).
"""

from ninja import Router

from opscenter.api.schema import Schema
from opscenter.targets import selectors
from opscenter.targets.metrics import metric_label
from opscenter.targets.progress import parse_period, plan_progress

router = Router(tags=["targets"])


class PlanOut(Schema):
    id: int
    site_id: int
    year: int
    version: int
    status: str
    name: str


class MetricOut(Schema):
    metric: str
    label: str
    annual_target: int


class ProgressLineOut(Schema):
    unit: str
    unit_label: str
    metric: str
    metric_label: str
    target: int
    actual: int
    completion: str | None
    projection: int | None
    light: str
    drill_url: str
    ratio: str | None = None
    ratio_base: int | None = None
    ratio_label: str = ""


class ProgressOut(Schema):
    plan: PlanOut
    period: str
    period_label: str
    elapsed: str
    metrics: list[MetricOut]
    lines: list[ProgressLineOut]


@router.get("/plans", response=list[PlanOut])
def plans(request, site_id: int | None = None, year: int | None = None):
    return list(selectors.plan_list(user=request.auth, site_id=site_id, year=year))


@router.get("/plans/{plan_id}/progress", response=ProgressOut)
def progress(request, plan_id: int, period: str | None = None):
    """Actual vs target; `period` is a month of the plan year (2026-11) or the year (2026)."""
    plan = selectors.plan_get(user=request.auth, plan_id=plan_id)
    result = plan_progress(user=request.auth, plan=plan, period=parse_period(plan, period))
    elapsed = result.elapsed
    return {
        "plan": plan,
        "period": result.period.param,
        "period_label": result.period.label,
        "elapsed": f"{elapsed.numerator / elapsed.denominator:.4f}",
        "metrics": [
            {"metric": m.metric, "label": metric_label(m.metric), "annual_target": m.annual_target}
            for m in result.metrics
        ],
        "lines": [line.as_dict() for lines in result.lines.values() for line in lines],
    }
