"""The metrics a plan can target: a registry. The funnel's counts and revenue are built in, as are
new residents by stay type / care zone (elder care) and follow-up completion; another app
registers its own (`register(TargetMetric(...))`) with a set-based counter and the URL of the rows
behind a number.

Every actual is counted in the **event view** (a March target is met by what happened in March)
under a unit's funnel filters (`Unit.filters`), and drills down to exactly the rows it counts:

* funnel cells (`funnel_key`) are read from the unit's `pipeline.selectors.funnel` result and drill
  down to `pipeline:funnel_rows`;
* other metrics give `counts(user, filters, keys) -> {yyyymm: {key: n}}`, which answers several
  keys at once: metrics sharing a `counts` function are asked together, in one call (one grouped
  query for the pipeline's). New residents are counts of the pipeline's `ALL_METRICS` that
  `funnel()` leaves out (drill-down: `pipeline:funnel_rows`); follow-up completion is the
  pipeline's follow-up counter (drill-down: `pipeline:followup_rows`).

`metric_actuals` gives any set of metrics for one unit and period month by month with a bounded
number of queries (the funnel's five when a funnel cell is wanted, plus one call per counter).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opscenter.org import workforce
from opscenter.org.choices import SiteKind
from opscenter.pipeline import selectors as pipeline
from opscenter.pipeline.choices import CareZone, StayType
from opscenter.pipeline.periods import month_span
from opscenter.pipeline.selectors import METRICS as FUNNEL_METRICS
from opscenter.pipeline.selectors import Funnel, FunnelFilters, FunnelRow

# counts(user, filters, keys) → {yyyymm: {key: n}} for every month of filters' period.
Counter = Callable[..., dict[int, dict[str, int]]]


@dataclass(frozen=True)
class TargetMetric:
    """A metric a plan can target.

    `funnel_key`: a cell `funnel()` computes (a count key or "revenue_fen"). Otherwise `counts`
    (see `Counter`) with this metric's `count_key` in its answer (default: `key`), and `drill`
    (FunnelFilters → URL of the rows). `ratio_key` (optional): another key of the same answer shown
    as the denominator of a rate beside the actual (`ratio_label`, e.g. 完成率 = done ÷ scheduled).
    `site_kinds`: the kinds of site the metric is offered for (None: every site).
    """

    key: str
    label: str
    money: bool = False
    funnel_key: str | None = None
    counts: Counter | None = None
    count_key: str | None = None
    drill: Callable[[FunnelFilters], str] | None = None
    ratio_key: str | None = None
    ratio_label: str = ""
    ratio_base_label: str = ""
    site_kinds: frozenset[str] | None = None

    @property
    def counted_as(self) -> str:
        return self.count_key or self.key

    def value(self, row: FunnelRow) -> int:
        if self.funnel_key == "revenue_fen":
            return row.revenue_fen
        return row.counts[self.funnel_key]

    def actual(self, user, filters: FunnelFilters) -> int:
        """The actual for the whole of `filters`' period (one call; prefer `metric_actuals` for
        several metrics or months)."""
        return metric_actuals(user=user, filters=filters, metrics=[self])[self.key].total

    def drill_url(self, filters: FunnelFilters) -> str:
        if self.drill is not None:
            return self.drill(filters)
        return _funnel_rows_url(filters, self.funnel_key)

    def offered_for(self, site_kind: str | None) -> bool:
        return self.site_kinds is None or site_kind in self.site_kinds


@dataclass(frozen=True)
class MetricActual:
    """One metric's actual by month (every month of the period), and the ratio's denominator."""

    by_month: dict[int, int]
    base_by_month: dict[int, int] | None = None

    @property
    def total(self) -> int:
        return sum(self.by_month.values())

    @property
    def base_total(self) -> int | None:
        return None if self.base_by_month is None else sum(self.base_by_month.values())


def metric_actuals(
    *, user, filters: FunnelFilters, metrics: Iterable[TargetMetric], funnel: Funnel | None = None
) -> dict[str, MetricActual]:
    """Each metric's actual month by month for `filters` (one unit, one period), by metric key.

    The funnel runs once if any funnel cell is wanted (or pass its result as `funnel`); every
    other counter is called once with all the keys asked of it.
    """
    wanted = list({m.key: m for m in metrics}.values())
    out: dict[str, MetricActual] = {}
    if any(m.funnel_key is not None for m in wanted):
        if funnel is None:
            funnel = pipeline.funnel(user=user, filters=filters)
        for m in wanted:
            if m.funnel_key is not None:
                out[m.key] = MetricActual({row.month: m.value(row) for row in funnel.months})
    by_counter: dict[Counter, list[TargetMetric]] = defaultdict(list)
    for m in wanted:
        if m.funnel_key is None:
            by_counter[m.counts].append(m)
    for counts, group in by_counter.items():
        keys = [m.counted_as for m in group] + [m.ratio_key for m in group if m.ratio_key]
        months = counts(user, filters, list(dict.fromkeys(keys)))
        for m in group:
            out[m.key] = MetricActual(
                {month: row[m.counted_as] for month, row in months.items()},
                {month: row[m.ratio_key] for month, row in months.items()} if m.ratio_key else None,
            )
    return out


def _funnel_rows_url(filters: FunnelFilters, metric: str) -> str:
    return f"{reverse('pipeline:funnel_rows')}?{urlencode({**filters.as_params(), 'metric': metric})}"


def _pipeline_counts(user, filters: FunnelFilters, keys: list[str]) -> dict[int, dict[str, int]]:
    return pipeline.metric_counts(user=user, filters=filters, keys=keys)


def _followup_counts(user, filters: FunnelFilters, keys: list[str]) -> dict[int, dict[str, int]]:
    return pipeline.followup_counts(user=user, filters=filters, keys=keys)


def _followup_rows_url(filters: FunnelFilters) -> str:
    params = {**filters.as_params(), "metric": "followups_done"}
    return f"{reverse('pipeline:followup_rows')}?{urlencode(params)}"


_REGISTRY: dict[str, TargetMetric] = {}


def register(metric: TargetMetric) -> TargetMetric:
    if metric.funnel_key is None and (metric.counts is None or metric.drill is None):
        raise ValueError(f"metric {metric.key}: give funnel_key, or counts and drill")
    _REGISTRY[metric.key] = metric
    return metric


register(TargetMetric("revenue_fen", gettext_lazy("营收"), money=True, funnel_key="revenue_fen"))
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

# New residents (新入住) by stay type and by care zone: elder-care sites only.
for _value in (*StayType.values, *CareZone.values):
    _key = f"residents_new_{_value}"
    register(
        TargetMetric(
            _key,
            pipeline.ALL_METRICS[_key].label,
            counts=_pipeline_counts,
            drill=partial(_funnel_rows_url, metric=_key),
            site_kinds=frozenset({SiteKind.ELDER_CARE}),
        )
    )

# 试住转长住 with its rate: conversions ÷ new trial residents of the same period (in the cohort
# view the same prospects; in the event view, signed in the same months).
register(
    TargetMetric(
        "residents_trial_converted",
        pipeline.ALL_METRICS["residents_trial_converted"].label,
        counts=_pipeline_counts,
        drill=partial(_funnel_rows_url, metric="residents_trial_converted"),
        ratio_key="residents_new_trial",
        ratio_label=gettext_lazy("转化率"),
        ratio_base_label=pipeline.ALL_METRICS["residents_new_trial"].label,
        site_kinds=frozenset({SiteKind.ELDER_CARE}),
    )
)

register(
    TargetMetric(
        "followups_done",
        pipeline.FOLLOWUP_METRICS["followups_done"][0],
        counts=_followup_counts,
        drill=_followup_rows_url,
        ratio_key="followups_scheduled",
        ratio_label=gettext_lazy("完成率"),
        ratio_base_label=pipeline.FOLLOWUP_METRICS["followups_scheduled"][0],
    )
)


# Workforce (seed 000): headcount, joiners and leavers per month of a site / department / team,
# leavers with their turnover rate (÷ 月初人数); drill-down to the staff rows.
def _workforce_counts(user, filters: FunnelFilters, keys: list[str]) -> dict[int, dict[str, int]]:
    return workforce.workforce_counts(
        user=user, months=month_span(filters.month_from, filters.month_to), keys=keys,
        site_id=filters.site_id, department_id=filters.department_id, team_id=filters.team_id,
        staff_id=filters.consultant_id,
    )  # fmt: skip


def _workforce_rows_url(filters: FunnelFilters, metric: str) -> str:
    params = {
        k: v
        for k, v in filters.as_params().items()
        if k in ("month_from", "month_to", "site", "department", "team", "consultant")
    }
    return f"{reverse('org:workforce_rows')}?{urlencode({**params, 'metric': metric})}"


for _key in ("staff_headcount", "staff_joiners"):
    register(TargetMetric(_key, workforce.LABELS[_key], counts=_workforce_counts,
                          drill=partial(_workforce_rows_url, metric=_key)))  # fmt: skip
register(
    TargetMetric(
        "staff_leavers", workforce.LABELS["staff_leavers"], counts=_workforce_counts,
        drill=partial(_workforce_rows_url, metric="staff_leavers"), ratio_key="staff_headcount_start",
        ratio_label=gettext_lazy("流失率"), ratio_base_label=workforce.LABELS["staff_headcount_start"],
    )
)  # fmt: skip


def all_metrics() -> dict[str, TargetMetric]:
    return dict(_REGISTRY)


def metrics_for_site(site_kind: str | None) -> dict[str, TargetMetric]:
    """The metrics a plan of a site of this kind may target (registration order)."""
    return {key: m for key, m in _REGISTRY.items() if m.offered_for(site_kind)}


def get_metric(key: str, *, site_kind: str | None = None) -> TargetMetric:
    """The metric, or ValidationError; with `site_kind`, also one not offered for such sites."""
    from opscenter.core.exceptions import ValidationError

    if key not in _REGISTRY:
        raise ValidationError(_("未知的指标：%(key)s") % {"key": key}, field="metric")
    metric = _REGISTRY[key]
    if site_kind is not None and not metric.offered_for(site_kind):
        kinds = _("、").join(str(SiteKind(kind).label) for kind in sorted(metric.site_kinds or ()))
        raise ValidationError(
            _("指标“%(label)s”只适用于%(kinds)s") % {"label": metric.label, "kinds": kinds}, field="metric"
        )
    return metric


def metric_label(key: str) -> str:
    return _REGISTRY[key].label if key in _REGISTRY else key


def is_money(key: str) -> bool:
    return key in _REGISTRY and _REGISTRY[key].money
