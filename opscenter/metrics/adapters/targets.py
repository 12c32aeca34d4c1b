"""The targets' metrics (today registered in `opscenter.targets.metrics`) exposed through the one
registry, so anomaly rules and later consumers read them from here. Codes are `targets.<key>`;
they answer site / department / team / staff units, event view.

Months: one call of the targets' `metric_actuals` per unit (the funnel's bounded queries each), so
the query count depends on the number of units asked, never on the number of rows.

Days and weeks, for the metrics counted on the pipeline's event rows (funnel cells, revenue, new
residents): exactly the rows the month figure counts (`pipeline.selectors.funnel_rows` over the
months covering the dates), narrowed to the dates and grouped by unit and day / ISO week of the
event's own moment (consultation, booking, arrival, signing) — one grouped query for all units.
Periods without rows answer 0, as the months do. Counters kept by month only (follow-up
completion, workforce) stay monthly.
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from urllib.parse import urlencode

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


EVENT_DATE = {
    "consultation": "occurred_at",
    "appointment": "booked_at",
    "visit": "arrived_at",
    "deal": "signed_on",
}
# Unit kind → column of the pipeline's event rows (events carry the owner's team, not its department).
EVENT_UNIT = {"site": "site_id", "department": "team__department_id", "team": "team_id", "staff": "owner_id"}


def _row_key(key: str) -> str | None:
    """The pipeline count key whose rows a targets metric counts (None: not counted on event rows)."""
    from opscenter.targets.metrics import _pipeline_counts, all_metrics

    metric = all_metrics()[key]
    if metric.funnel_key is not None:
        return metric.funnel_key
    return metric.counted_as if metric.counts is _pipeline_counts else None


def _dated_values(key: str, query: MetricQuery) -> dict[tuple[int, dt.date], MetricValue]:
    """Day / week values of a metric counted on pipeline event rows (module docstring)."""
    from django.db.models import Count, Sum
    from django.db.models.functions import TruncDay, TruncWeek
    from django.utils import timezone

    from opscenter.pipeline.choices import FunnelView
    from opscenter.pipeline.selectors import FunnelFilters, funnel_rows
    from opscenter.targets.actuals import SYSTEM

    row_key = _row_key(key)
    filters = FunnelFilters(
        month_from=query.start.year * 100 + query.start.month,
        month_to=query.end.year * 100 + query.end.month,
        view=FunnelView.EVENT,
    )
    if row_key == "revenue_fen":  # every signed deal, imported history included, as the funnel's sum
        qs = funnel_rows(user=SYSTEM, metric="deals", filters=filters) | funnel_rows(
            user=SYSTEM, metric="deals_history", filters=filters
        )
        aggregate = Sum("amount_fen")
    else:
        qs = funnel_rows(user=SYSTEM, metric=row_key, filters=filters)
        aggregate = Count("pk")
    moment = EVENT_DATE[qs.model._meta.model_name]
    unit = EVENT_UNIT[query.grain]
    tz = timezone.get_default_timezone()
    if moment.endswith("_at"):
        lower = dt.datetime.combine(query.start, dt.time.min, tzinfo=tz)
        upper = dt.datetime.combine(query.end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        trunc = (TruncDay if query.period == "day" else TruncWeek)(moment, tzinfo=tz)
    else:
        lower, upper = query.start, query.end + dt.timedelta(days=1)
        trunc = (TruncDay if query.period == "day" else TruncWeek)(moment)
    qs = qs.filter(**{f"{moment}__gte": lower, f"{moment}__lt": upper})
    units = _units(query.grain, query.unit_ids)
    qs = qs.filter(**{f"{unit}__in": list(units)})
    rows = qs.order_by().annotate(p=trunc).values(unit, "p").annotate(n=aggregate).values_list(unit, "p", "n")
    out = {(u, p): MetricValue(0) for u in units for p in period_starts(query.start, query.end, query.period)}
    for unit_id, p, n in rows:
        day = p.date() if isinstance(p, dt.datetime) else p
        out[(unit_id, day)] = MetricValue(n or 0)
    return out


def _any_values(key: str, query: MetricQuery) -> dict[tuple[int, dt.date], MetricValue]:
    return _values(key, query) if query.period == "month" else _dated_values(key, query)


def _drill(key: str, grain: str, unit_id: int, period: str, start: dt.date) -> str:
    from opscenter.pipeline.choices import FunnelView
    from opscenter.pipeline.selectors import FunnelFilters
    from opscenter.targets.metrics import all_metrics

    site_id = unit_id if grain == "site" else _units(grain, frozenset({unit_id})).get(unit_id)
    dated = period != "month" and _row_key(key) is not None
    end = start + dt.timedelta(days=6) if period == "week" else start
    filters = FunnelFilters(
        month_from=start.year * 100 + start.month,
        month_to=end.year * 100 + end.month,
        view=FunnelView.EVENT,
        site_id=site_id,
        **({GRAIN_FIELDS[grain]: unit_id} if grain != "site" else {}),
    )
    url = all_metrics()[key].drill_url(filters)
    if dated:
        # A day / week figure: those months' rows narrowed to the period's days on the event's
        # own moment (pipeline.selectors.on_dates), the rows `_dated_values` counts.
        url += "&" + urlencode({"date_from": start.isoformat(), "date_to": end.isoformat()})
    return url


def register_all() -> None:
    from opscenter.targets.metrics import all_metrics

    for key, metric in all_metrics().items():
        register(
            Metric(
                code=f"targets.{key}",
                label=metric.label,
                unit=MetricUnit.MONEY_FEN if metric.money else MetricUnit.COUNT,
                values=partial(_any_values, key),
                drill=partial(_drill, key),
                periods=frozenset({"day", "week", "month"}) if _row_key(key) else frozenset({"month"}),
                app="targets",
            )
        )


__all__ = ["period_starts", "register_all"]

register_all()
