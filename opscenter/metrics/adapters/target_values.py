"""Monthly target values of the active target plans in the one registry (`targets.target.<key>`),
so the cockpit and reports can put an actual next to its target without reading targets' tables.
One grouped query per call; site and department units; drill-down to the plan's page."""

from __future__ import annotations

import datetime as dt
from functools import partial

from django.db.models import Sum
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from opscenter.metrics.registry import Metric, MetricQuery, MetricUnit, MetricValue, register

KEYS = {
    "revenue_fen": (_("营收目标"), MetricUnit.MONEY_FEN),
    "deals": (_("成交目标"), MetricUnit.COUNT),
    "visits": (_("上门目标"), MetricUnit.COUNT),
    "consultations": (_("咨询目标"), MetricUnit.COUNT),
}


def _values(key: str, query: MetricQuery) -> dict[tuple[int, dt.date], MetricValue]:
    from opscenter.targets.models import Allocation

    month_from = query.start.year * 100 + query.start.month
    month_to = query.end.year * 100 + query.end.month
    qs = Allocation.objects.filter(
        plan_metric__metric=key,
        plan_metric__plan__status="active",
        unit_kind=query.grain,
        month__gte=month_from,
        month__lte=month_to,
    )
    unit = "plan_metric__plan__site_id" if query.grain == "site" else "department_id"
    if query.unit_ids is not None:
        qs = qs.filter(**{f"{unit}__in": query.unit_ids})
    rows = qs.values(unit, "month").annotate(total=Sum("target")).order_by()
    return {
        (r[unit], dt.date(r["month"] // 100, r["month"] % 100, 1)): MetricValue(int(r["total"] or 0))
        for r in rows
    }


def _drill(grain: str, unit_id: int, period: str, start: dt.date) -> str:
    return f"{reverse('targets:plan_list')}?year={start.year}"


def register_all() -> None:
    for key, (label, unit) in KEYS.items():
        register(
            Metric(
                code=f"targets.target.{key}",
                label=label,
                unit=unit,
                values=partial(_values, key),
                drill=_drill,
                grains=frozenset({"site", "department"}),
                periods=frozenset({"month"}),
                app="targets",
            )
        )


register_all()
