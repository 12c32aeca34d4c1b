"""The metrics a plan can target: a registry. The funnel's counts and revenue are built in; another
app registers its own (`register(TargetMetric(...))`) with a function giving the actual of a unit
for a period and the URL of the rows behind it.

Built-in actuals are cells of the pipeline's funnel (`selectors.funnel`), counted in the **event
view** (a March target is met by what happened in March); their drill-down is the funnel's own
`pipeline:funnel_rows` list with the same filters.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse

from opscenter.pipeline.selectors import METRICS as FUNNEL_METRICS
from opscenter.pipeline.selectors import FunnelFilters, FunnelRow


@dataclass(frozen=True)
class TargetMetric:
    """`funnel_key`: a count of the funnel or "revenue_fen". Metrics of other apps give `actual`
    (user, FunnelFilters) → int and `drill` (FunnelFilters) → URL instead."""

    key: str
    label: str
    money: bool = False
    funnel_key: str | None = None
    actual: Callable[..., int] | None = None
    drill: Callable[[FunnelFilters], str] | None = None

    def value(self, row: FunnelRow) -> int:
        if self.funnel_key == "revenue_fen":
            return row.revenue_fen
        return row.counts[self.funnel_key]

    def drill_url(self, filters: FunnelFilters) -> str:
        if self.drill is not None:
            return self.drill(filters)
        return f"{reverse('pipeline:funnel_rows')}?{urlencode({**filters.as_params(), 'metric': self.funnel_key})}"


_REGISTRY: dict[str, TargetMetric] = {}


def register(metric: TargetMetric) -> TargetMetric:
    if metric.funnel_key is None and (metric.actual is None or metric.drill is None):
        raise ValueError(f"metric {metric.key}: give funnel_key, or actual and drill")
    _REGISTRY[metric.key] = metric
    return metric


register(TargetMetric("revenue_fen", "营收", money=True, funnel_key="revenue_fen"))
for _key in (
    "deals",
    "deals_new",
    "visits",
    "visits_phone",
    "visits_online_local",
    "visits_walk_in",
    "consultations",
    "consultations_phone",
    "consultations_online_local",
    "appointments",
    "appointments_phone",
    "appointments_online_local",
):
    register(TargetMetric(_key, FUNNEL_METRICS[_key].label, funnel_key=_key))


def all_metrics() -> dict[str, TargetMetric]:
    return dict(_REGISTRY)


def get_metric(key: str) -> TargetMetric:
    from opscenter.core.exceptions import ValidationError

    if key not in _REGISTRY:
        raise ValidationError(f"未知的指标：{key}", field="metric")
    return _REGISTRY[key]


def metric_label(key: str) -> str:
    return _REGISTRY[key].label if key in _REGISTRY else key


def is_money(key: str) -> bool:
    return key in _REGISTRY and _REGISTRY[key].money
