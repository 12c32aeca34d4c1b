"""Day / week / month counts of the pipeline's events in the one registry (the targets' metrics
answer months only; the cockpit and weekly reports need days and weeks).

Each metric is one grouped query over the event table (truncated in the site time zone), by site
or by the staff member credited (the consultant who consulted / served / signed / followed up).
Drill-downs go to the pipeline's own filtered lists.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDay, TruncMonth, TruncWeek
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opscenter.metrics.registry import Metric, MetricQuery, MetricUnit, MetricValue, register

TRUNC = {"day": TruncDay, "week": TruncWeek, "month": TruncMonth}


@dataclass(frozen=True)
class EventSpec:
    model: str  # pipeline model name
    moment: str  # datetime or date field the period is taken from
    staff: str  # field crediting a staff member
    only: Q | None = None
    total: str | None = None  # sum this field instead of counting rows
    drill: str = ""  # pipeline URL name with date_from / date_to / site / consultant filters


def _model(name: str):
    from django.apps import apps

    return apps.get_model("pipeline", name)


def _values(spec: EventSpec, query: MetricQuery) -> dict[tuple[int, dt.date], MetricValue]:
    tz = timezone.get_default_timezone()
    model = _model(spec.model)
    field = model._meta.get_field(spec.moment)
    is_date = field.get_internal_type() == "DateField"
    if is_date:
        qs = model.objects.filter(**{f"{spec.moment}__gte": query.start, f"{spec.moment}__lte": query.end})
        trunc = TRUNC[query.period](spec.moment)
    else:
        lo = dt.datetime.combine(query.start, dt.time.min, tzinfo=tz)
        hi = dt.datetime.combine(query.end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        qs = model.objects.filter(**{f"{spec.moment}__gte": lo, f"{spec.moment}__lt": hi})
        trunc = TRUNC[query.period](spec.moment, tzinfo=tz)
    if spec.only is not None:
        qs = qs.filter(spec.only)
    if hasattr(model, "customer"):
        qs = qs.filter(customer__is_deleted=False)
    unit = "site_id" if query.grain == "site" else f"{spec.staff}_id"
    if query.unit_ids is not None:
        qs = qs.filter(**{f"{unit}__in": query.unit_ids})
    aggregate = Sum(spec.total) if spec.total else Count("pk")
    rows = qs.annotate(p=trunc).values(unit, "p").annotate(n=aggregate).order_by()
    out = {}
    for row in rows:
        if row[unit] is None:
            continue
        p = row["p"]
        out[(row[unit], p.date() if isinstance(p, dt.datetime) else p)] = MetricValue(int(row["n"] or 0))
    return out


def _drill(spec: EventSpec, grain: str, unit_id: int, period: str, start: dt.date) -> str:
    if period == "day":
        end = start
    elif period == "week":
        end = start + dt.timedelta(days=6)
    else:
        end = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    if spec.drill == "pipeline:funnel_rows":
        params = {
            "metric": "consultations",
            "view": "event",
            "month_from": f"{start:%Y-%m}",
            "month_to": f"{end:%Y-%m}",
        }
        params["site" if grain == "site" else "consultant"] = unit_id
    else:
        params = {"date_from": start.isoformat(), "date_to": end.isoformat()}
        params["site" if grain == "site" else "consultant"] = unit_id
    return f"{reverse(spec.drill)}?{urlencode(params)}"


def _register(code: str, label, unit: str, spec: EventSpec) -> None:
    register(
        Metric(
            code=code,
            label=label,
            unit=unit,
            values=lambda q: _values(spec, q),
            drill=lambda grain, unit_id, period, start: _drill(spec, grain, unit_id, period, start),
            grains=frozenset({"site", "staff"}),
            app="pipeline",
        )
    )


def register_all() -> None:
    signed = Q(status="signed")
    _register(
        "pipeline.consultations",
        _("咨询量"),
        MetricUnit.COUNT,
        EventSpec("Consultation", "occurred_at", "staff", drill="pipeline:funnel_rows"),
    )
    _register(
        "pipeline.visits",
        _("上门量"),
        MetricUnit.COUNT,
        EventSpec("Visit", "arrived_at", "owner", drill="pipeline:visit_list"),
    )
    _register(
        "pipeline.deals",
        _("成交量"),
        MetricUnit.COUNT,
        EventSpec("Deal", "signed_on", "consultant", only=signed, drill="pipeline:deal_list"),
    )
    _register(
        "pipeline.deal_amount_fen",
        _("成交金额"),
        MetricUnit.MONEY_FEN,
        EventSpec(
            "Deal", "signed_on", "consultant", only=signed, total="amount_fen", drill="pipeline:deal_list"
        ),
    )


register_all()
