"""The commitments app's metrics, registered into the one registry (`opscenter.metrics`).

Each answers many units and periods with one grouped query (TruncDay/Week/Month in the site time
zone); stages count toward their owning department, complaints toward the department complained
about, work orders toward the department they are assigned to. Staff (and their team): a stage
counts toward the instance's responsible staff member (a pipeline customer's consultant), a
complaint toward the complaining customer's consultant, a work order toward its assignee.
Complaints also answer the pipeline's channel (the customer's source, 渠道). The unit columns are
the lists' own (`selectors.UNIT_FIELDS`), so a drill-down lists exactly the rows counted.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncDay, TruncMonth, TruncWeek
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opscenter.commitments.choices import Channel, StageStatus
from opscenter.metrics import Metric, MetricQuery, MetricUnit, MetricValue, register

TRUNC = {"day": TruncDay, "week": TruncWeek, "month": TruncMonth}
DRILL_PARAM = {"channel": "customer_channel"}  # the complaint list's `channel` is the intake channel


def _bounds(query: MetricQuery) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_default_timezone()
    start = dt.datetime.combine(query.start, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(query.end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return start, end


def _grouped(qs: QuerySet, query: MetricQuery, moment: str, **aggregates) -> list[dict]:
    from opscenter.commitments.selectors import UNIT_FIELDS

    start, end = _bounds(query)
    unit = UNIT_FIELDS[qs.model._meta.model_name][query.grain]
    qs = qs.filter(**{f"{moment}__gte": start, f"{moment}__lt": end})
    if query.unit_ids is not None:
        qs = qs.filter(**{f"{unit}__in": query.unit_ids})
    trunc = TRUNC[query.period](moment, tzinfo=timezone.get_default_timezone())
    rows = qs.filter(**{f"{unit}__isnull": False}).annotate(p=trunc, u=F(unit))
    return list(rows.values("u", "p").annotate(**aggregates).order_by())


def _key(row: dict, query: MetricQuery) -> tuple[int, dt.date]:
    p = row["p"]
    return row["u"], p.date() if isinstance(p, dt.datetime) else p


def _on_time_rate(query: MetricQuery) -> dict:
    from opscenter.commitments.models import StageMeasurement

    rows = _grouped(
        StageMeasurement.objects.filter(ended_at__isnull=False),
        query,
        "ended_at",
        ok=Count("pk", filter=Q(status=StageStatus.ON_TIME)),
        n=Count("pk"),
    )
    return {_key(r, query): MetricValue(r["ok"], r["n"]) for r in rows}


def _breaches(query: MetricQuery) -> dict:
    from opscenter.commitments.models import StageMeasurement

    rows = _grouped(
        StageMeasurement.objects.filter(status=StageStatus.BREACHED), query, "due_at", n=Count("pk")
    )
    return {_key(r, query): MetricValue(r["n"]) for r in rows}


def _complaints(query: MetricQuery, only: Q | None = None) -> dict:
    from opscenter.commitments.models import Complaint

    qs = Complaint.objects.all() if only is None else Complaint.objects.filter(only)
    rows = _grouped(qs, query, "received_at", n=Count("pk"))
    return {_key(r, query): MetricValue(r["n"]) for r in rows}


def _work_orders_opened(query: MetricQuery) -> dict:
    from opscenter.commitments.models import WorkOrder

    rows = _grouped(WorkOrder.objects.all(), query, "opened_at", n=Count("pk"))
    return {_key(r, query): MetricValue(r["n"]) for r in rows}


def _work_orders_overdue(query: MetricQuery) -> dict:
    """Work orders due in the period that were not resolved by their due time."""
    from django.db.models import F

    from opscenter.commitments.models import WorkOrder

    late = Q(resolved_at__isnull=True) | Q(resolved_at__gt=F("due_at"))
    rows = _grouped(WorkOrder.objects.filter(late), query, "due_at", n=Count("pk"))
    return {_key(r, query): MetricValue(r["n"]) for r in rows}


def _drill(view: str, extra: dict, grain: str, unit_id: int, period: str, start: dt.date) -> str:
    from opscenter.metrics.registry import period_starts

    starts = period_starts(start, start, period)
    end = {"day": start, "week": start + dt.timedelta(days=6)}.get(period)
    if end is None:
        end = (starts[0].replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    params = {
        **extra,
        DRILL_PARAM.get(grain, grain): unit_id,
        "from": start.isoformat(),
        "to": end.isoformat(),
    }
    return f"{reverse(view)}?{urlencode(params)}"


def _register(code: str, label: str, unit: str, values, view: str, extra: dict, model: str) -> None:
    from opscenter.commitments.selectors import UNIT_FIELDS

    register(
        Metric(
            code=code,
            label=label,
            unit=unit,
            values=values,
            grains=frozenset(UNIT_FIELDS[model]),
            app="commitments",
            drill=lambda grain, unit_id, period, start: _drill(view, extra, grain, unit_id, period, start),
        )
    )


_register(
    "commitments.on_time_rate",
    _("承诺按时率"),
    MetricUnit.RATE,
    _on_time_rate,
    "commitments:stage_list",
    {"closed": "1"},
    "stagemeasurement",
)
_register(
    "commitments.breaches",
    _("承诺超时数"),
    MetricUnit.COUNT,
    _breaches,
    "commitments:stage_list",
    {"status": StageStatus.BREACHED},
    "stagemeasurement",
)
_register(
    "commitments.complaints",
    _("投诉数"),
    MetricUnit.COUNT,
    _complaints,
    "commitments:complaint_list",
    {},
    "complaint",
)
_register(
    "commitments.complaints_escalated",
    _("升级投诉数"),
    MetricUnit.COUNT,
    lambda q: _complaints(q, Q(escalated=True)),
    "commitments:complaint_list",
    {"escalated": "1"},
    "complaint",
)
_register(
    "commitments.complaints_head_office",
    _("总公司投诉数"),
    MetricUnit.COUNT,
    lambda q: _complaints(q, Q(channel=Channel.HEAD_OFFICE)),
    "commitments:complaint_list",
    {"channel": Channel.HEAD_OFFICE},
    "complaint",
)
_register(
    "commitments.work_orders_opened",
    _("新开工单数"),
    MetricUnit.COUNT,
    _work_orders_opened,
    "commitments:work_order_list",
    {"list": "all"},
    "workorder",
)
_register(
    "commitments.work_orders_overdue",
    _("超期工单数"),
    MetricUnit.COUNT,
    _work_orders_overdue,
    "commitments:work_order_list",
    {"list": "overdue"},
    "workorder",
)
