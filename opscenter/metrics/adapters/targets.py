"""The targets' metrics (today registered in `opscenter.targets.metrics`) exposed through the one
registry, so anomaly rules and later consumers read them from here. Codes are `targets.<key>`;
they answer month periods for site / department / team / staff units, event view.

One call of the targets' `metric_actuals` per unit (the funnel's bounded queries each), so the
query count depends on the number of units asked, never on the number of rows.
"""

from __future__ import annotations

import datetime as dt
from functools import partial

from opscenter.metrics.registry import Metric, MetricQuery, MetricUnit, MetricValue, period_starts, register

GRAIN_FIELDS = {"site": "site_id", "department": "department_id", "team": "team_id", "staff": "consultant_id"}


def _units(grain: str, unit_ids: frozenset[int] | None) -> dict[int, int]:
    """{unit id: its site id} for the units asked (every active one when None)."""
    from opscenter.org.models import Department, Site, Staff, Team

    if grain == "site":
        qs = Site.objects.filter(is_active=True)
        pairs = qs.values_list("pk", "pk")
    elif grain == "department":
        pairs = Department.objects.values_list("pk", "site_id")
    elif grain == "team":
        pairs = Team.objects.values_list("pk", "department__site_id")
    else:
        pairs = Staff.objects.filter(is_active=True).values_list("pk", "department__site_id")
    if unit_ids is not None:
        pairs = pairs.filter(pk__in=unit_ids)
    return dict(pairs)


def _values(key: str, query: MetricQuery) -> dict[tuple[int, dt.date], MetricValue]:
    from opscenter.pipeline.choices import FunnelView
    from opscenter.pipeline.selectors import FunnelFilters
    from opscenter.targets.actuals import SYSTEM
    from opscenter.targets.metrics import all_metrics, metric_actuals

    metric = all_metrics()[key]
    month_from = query.start.year * 100 + query.start.month
    month_to = query.end.year * 100 + query.end.month
    out: dict[tuple[int, dt.date], MetricValue] = {}
    for unit_id, site_id in _units(query.grain, query.unit_ids).items():
        filters = FunnelFilters(
            month_from=month_from,
            month_to=month_to,
            view=FunnelView.EVENT,
            site_id=site_id,
            **({GRAIN_FIELDS[query.grain]: unit_id} if query.grain != "site" else {}),
        )
        actual = metric_actuals(user=SYSTEM, filters=filters, metrics=[metric])[key]
        for month, n in actual.by_month.items():
            out[(unit_id, dt.date(month // 100, month % 100, 1))] = MetricValue(n)
    return out


def _drill(key: str, grain: str, unit_id: int, period: str, start: dt.date) -> str:
    from opscenter.pipeline.choices import FunnelView
    from opscenter.pipeline.selectors import FunnelFilters
    from opscenter.targets.metrics import all_metrics

    site_id = unit_id if grain == "site" else _units(grain, frozenset({unit_id})).get(unit_id)
    month = start.year * 100 + start.month
    filters = FunnelFilters(
        month_from=month,
        month_to=month,
        view=FunnelView.EVENT,
        site_id=site_id,
        **({GRAIN_FIELDS[grain]: unit_id} if grain != "site" else {}),
    )
    return all_metrics()[key].drill_url(filters)


def register_all() -> None:
    from opscenter.targets.metrics import all_metrics

    for key, metric in all_metrics().items():
        register(
            Metric(
                code=f"targets.{key}",
                label=metric.label,
                unit=MetricUnit.MONEY_FEN if metric.money else MetricUnit.COUNT,
                values=partial(_values, key),
                drill=partial(_drill, key),
                periods=frozenset({"month"}),
                app="targets",
            )
        )


__all__ = ["period_starts", "register_all"]

register_all()
