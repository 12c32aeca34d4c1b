"""The quote step of the funnel (报价 → 成交), registered into the one metric registry and shown
as the clinic's funnel rows.

Counting (written once, used by every consumer):
* clinic.quotes — 报价数: quotes made in the period (by `quoted_on`), cancelled ones included;
* clinic.quote_orders — 报价成交: of those quotes, the ones accepted (each made exactly one order);
* clinic.quote_conversion — 报价成交率 = quote_orders ÷ quotes, a cohort of the quote's period (a
  quote made in March and accepted in April counts for March), so the rate never exceeds 100 %.
Units: site; department / team / staff of the quoting consultant. Periods: day, week, month. Each
answers all units and periods asked in one grouped query; drill-down lists exactly the quotes
counted (`clinic:quote_rows`, with `status=accepted` for the orders — each row links its order).
The clinic's funnel page puts the pipeline's visits (`targets.visits`) above the quotes, so the
step 上门 → 报价 → 成交 reads as rows with their rates, each figure drilling to its rows.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.db.models.functions import TruncDay, TruncMonth, TruncWeek
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from opscenter.metrics import Metric, MetricQuery, MetricUnit, MetricValue, register
from opscenter.metrics.registry import period_start, period_starts

TRUNC = {"day": TruncDay, "week": TruncWeek, "month": TruncMonth}
UNIT_FIELD = {
    "site": "site_id",
    "department": "consultant__department_id",
    "team": "consultant__team_id",
    "staff": "consultant_id",
}
QUOTES, QUOTE_ORDERS, QUOTE_CONVERSION = "clinic.quotes", "clinic.quote_orders", "clinic.quote_conversion"


def quote_counts(query: MetricQuery) -> dict[tuple[int, dt.date], tuple[int, int]]:
    """(quotes, accepted) per unit and period start: one grouped query."""
    from opscenter.clinic.choices import QuoteStatus
    from opscenter.clinic.models import Quote

    unit = UNIT_FIELD[query.grain]
    qs = Quote.objects.filter(quoted_on__gte=query.start, quoted_on__lte=query.end)
    if query.unit_ids is not None:
        qs = qs.filter(**{f"{unit}__in": query.unit_ids})
    rows = (
        qs.annotate(p=TRUNC[query.period]("quoted_on"))
        .values(unit, "p")
        .annotate(n=Count("pk"), won=Count("pk", filter=Q(status=QuoteStatus.ACCEPTED)))
        .order_by()
    )
    out = {}
    for r in rows:
        if r[unit] is None:
            continue
        p = r["p"].date() if isinstance(r["p"], dt.datetime) else r["p"]
        out[(r[unit], period_start(p, query.period))] = (r["n"], r["won"])
    return out


def _filled(query: MetricQuery, counts) -> dict:
    if query.unit_ids is None:
        return counts
    starts = period_starts(query.start, query.end, query.period)
    return {(u, p): counts.get((u, p), (0, 0)) for u in query.unit_ids for p in starts}


def _quotes(query: MetricQuery) -> dict[tuple[int, dt.date], MetricValue]:
    return {k: MetricValue(n) for k, (n, _won) in _filled(query, quote_counts(query)).items()}


def _orders(query: MetricQuery) -> dict[tuple[int, dt.date], MetricValue]:
    return {k: MetricValue(won) for k, (_n, won) in _filled(query, quote_counts(query)).items()}


def _rate(query: MetricQuery) -> dict[tuple[int, dt.date], MetricValue]:
    return {k: MetricValue(won, n) for k, (n, won) in _filled(query, quote_counts(query)).items()}


def period_end(start: dt.date, period: str) -> dt.date:
    if period == "day":
        return start
    if period == "week":
        return start + dt.timedelta(days=6)
    return (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def rows_url(*, date_from: dt.date, date_to: dt.date, status: str = "", **units) -> str:
    """The quotes behind a figure: made between the dates, of the unit, accepted only if asked."""
    params = {"date_from": date_from.isoformat(), "date_to": date_to.isoformat()}
    params.update({k: v for k, v in units.items() if v is not None})
    if status:
        params["status"] = status
    return f"{reverse('clinic:quote_rows')}?{urlencode(params)}"


def _drill(status: str, grain: str, unit_id: int, period: str, start: dt.date) -> str:
    return rows_url(date_from=start, date_to=period_end(start, period), status=status, **{grain: unit_id})


for code, label, unit, values, status in (
    (QUOTES, _("报价数"), MetricUnit.COUNT, _quotes, ""),
    (QUOTE_ORDERS, _("报价成交数"), MetricUnit.COUNT, _orders, "accepted"),
    (QUOTE_CONVERSION, _("报价成交率"), MetricUnit.RATE, _rate, ""),
):
    register(
        Metric(
            code, label, unit, values,
            drill=lambda grain, unit_id, period, start, status=status: _drill(status, grain, unit_id, period, start),
            app="clinic",
        )
    )  # fmt: skip
