"""The call center's metrics in the one registry (`opscenter.metrics`), for anomaly rules,
appraisal scorecards and reports. Definitions are those of `stats` (shown on the dashboard).

Each answers many units and periods with one grouped query by (unit, day) — the agent × day and
site × day indexes — folded into weeks and months in Python. Queue-level thresholds (T, short
abandons) enter as literals per queue.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.db.models import Count, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opscenter.callcenter.models import Call, QaScore, Queue
from opscenter.callcenter.models.calls import SLOT_MINUTES
from opscenter.callcenter.stats import Figures, aggregates
from opscenter.metrics import (
    INTERVAL_MINUTES,
    Metric,
    MetricQuery,
    MetricUnit,
    MetricValue,
    period_start,
    register,
)

UNIT_FIELD = {
    "site": "site_id",
    "staff": "agent_id",
    "team": "agent__team_id",
    "department": "agent__department_id",
}


def _figures(query: MetricQuery) -> dict[tuple[int, dt.date], Figures]:
    field = UNIT_FIELD[query.grain]
    qs = Call.objects.filter(local_date__gte=query.start, local_date__lte=query.end)
    if query.unit_ids is not None:
        qs = qs.filter(**{f"{field}__in": query.unit_ids})
    if query.grain != "site":
        qs = qs.filter(agent__isnull=False)
    queues = list(Queue.objects.filter(site_id__in=qs.values("site_id").distinct()))
    aggs = {k: v for k, v in aggregates(queues).items() if k != "agent_slots"}
    out: dict[tuple[int, dt.date], Figures] = {}
    for row in qs.values(field, "local_date").annotate(**aggs).order_by():
        key = (row[field], period_start(row["local_date"], query.period))
        figures = Figures(**{k: row[k] or 0 for k in aggs})
        out.setdefault(key, Figures()).add(figures)
    return out


def _metric(pick):
    def values(query: MetricQuery) -> dict:
        return {key: pick(f) for key, f in _figures(query).items()}

    return values


def _interval_figures(grain: str, unit_ids, start: dt.datetime, end: dt.datetime) -> dict:
    """Figures per (site, half-hour start) for the half hours starting in [start, end)."""
    tz = timezone.get_default_timezone()
    first, last = timezone.localtime(start, tz).date(), timezone.localtime(end, tz).date()
    qs = Call.objects.filter(local_date__gte=first, local_date__lte=last)
    if unit_ids is not None:
        qs = qs.filter(site_id__in=unit_ids)
    queues = list(Queue.objects.filter(site_id__in=unit_ids) if unit_ids is not None else Queue.objects.all())
    aggs = {k: v for k, v in aggregates(queues).items() if k != "agent_slots"}
    out: dict = {}
    for row in qs.values("site_id", "local_date", "slot").annotate(**aggs).order_by():
        minutes = (row["slot"] * SLOT_MINUTES) // INTERVAL_MINUTES * INTERVAL_MINUTES
        at = dt.datetime.combine(row["local_date"], dt.time(minutes // 60, minutes % 60), tzinfo=tz)
        if start <= at < end:
            out.setdefault((row["site_id"], at), Figures()).add(Figures(**{k: row[k] or 0 for k in aggs}))
    return out


def _intervals(pick):
    def values(grain: str, unit_ids, start: dt.datetime, end: dt.datetime) -> dict:
        return {key: pick(f) for key, f in _interval_figures(grain, unit_ids, start, end).items()}

    return values


def _qa_average(query: MetricQuery) -> dict:
    field = {
        "site": "call__site_id",
        "staff": "agent_id",
        "team": "agent__team_id",
        "department": "agent__department_id",
    }[query.grain]
    qs = QaScore.objects.filter(counts=True, local_date__gte=query.start, local_date__lte=query.end)
    if query.unit_ids is not None:
        qs = qs.filter(**{f"{field}__in": query.unit_ids})
    out: dict = {}
    for row in qs.values(field, "local_date").annotate(total=Sum("total"), n=Count("pk")).order_by():
        key = (row[field], period_start(row["local_date"], query.period))
        num, den = out.get(key, (0, 0))
        out[key] = (num + int(row["total"] * 100), den + row["n"] * 100)
    return {k: MetricValue(n, d) for k, (n, d) in out.items()}


def _drill(grain: str, unit_id: int, period: str, start: dt.date) -> str:
    end = {"day": start, "week": start + dt.timedelta(days=6)}.get(period)
    if end is None:
        end = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    key = {"site": "site", "staff": "agent", "team": "team", "department": "department"}[grain]
    params = {key: unit_id, "from": start.isoformat(), "to": end.isoformat()}
    return f"{reverse('callcenter:call_list')}?{urlencode(params)}"


SITE = frozenset({"site"})
PEOPLE = frozenset({"site", "staff", "team", "department"})

for code, label, unit, grains, pick in (
    ("callcenter.offered", _("呼入量"), MetricUnit.COUNT, SITE, lambda f: MetricValue(f.offered)),
    ("callcenter.answered", _("接听量"), MetricUnit.COUNT, PEOPLE, lambda f: MetricValue(f.legs_answered)),
    (
        "callcenter.service_level",
        _("服务水平"),
        MetricUnit.RATE,
        SITE,
        lambda f: MetricValue(f.within_t, f.counted),
    ),
    (
        "callcenter.abandon_rate",
        _("人工呼叫放弃率"),
        MetricUnit.RATE,
        SITE,
        lambda f: MetricValue(f.abandoned - f.short_abandoned, f.counted),
    ),
    (
        "callcenter.asa",
        _("平均接起时间"),
        MetricUnit.SECONDS,
        SITE,
        lambda f: MetricValue(f.wait_answered, f.answered),
    ),
    (
        "callcenter.aht",
        _("平均处理时长"),
        MetricUnit.SECONDS,
        PEOPLE,
        lambda f: MetricValue(f.handle, f.legs_answered),
    ),
    (
        "callcenter.fcr",
        _("首次解决率"),
        MetricUnit.RATE,
        PEOPLE,
        lambda f: MetricValue(f.fcr_yes, f.fcr_known),
    ),
):
    register(
        Metric(
            code=code,
            label=label,
            unit=unit,
            values=_metric(pick),
            drill=_drill,
            grains=grains,
            app="callcenter",
            # half-hour values of site-level figures (anomaly rules on consecutive intervals)
            intervals=_intervals(pick) if grains == SITE else None,
        )
    )

register(
    Metric(
        code="callcenter.qa_average",
        label=_("质检平均分"),
        unit=MetricUnit.SCORE,
        values=_qa_average,
        drill=lambda grain, unit_id, period, start: _drill(grain, unit_id, period, start).replace(
            reverse("callcenter:call_list"), reverse("callcenter:qa_list")
        ),
        grains=PEOPLE,
        app="callcenter",
    )
)


OCCUPANCY_FIELD = {
    "site": "site_id",
    "staff": "agent_id",
    "team": "agent__team_id",
    "department": "agent__department_id",
}


def _occupancy_values(query: MetricQuery) -> dict:
    from opscenter.callcenter.agents import Occupancy, occupancy_rows, slot_queryset

    field = OCCUPANCY_FIELD[query.grain]
    qs = slot_queryset(site_ids=None, start=query.start, end=query.end)
    if query.unit_ids is not None:
        qs = qs.filter(**{f"{field}__in": query.unit_ids})
    out: dict = {}
    for (unit, day), figures in occupancy_rows(qs, field, "local_date").items():
        out.setdefault((unit, period_start(day, query.period)), Occupancy()).add(figures)
    return {k: MetricValue(f.handle, f.ready + f.handle) for k, f in out.items()}


def _occupancy_intervals(grain: str, unit_ids, start: dt.datetime, end: dt.datetime) -> dict:
    from opscenter.callcenter.agents import Occupancy, occupancy_rows, slot_queryset

    tz = timezone.get_default_timezone()
    field = OCCUPANCY_FIELD[grain]
    qs = slot_queryset(
        site_ids=None, start=timezone.localtime(start, tz).date(), end=timezone.localtime(end, tz).date()
    )
    if unit_ids is not None:
        qs = qs.filter(**{f"{field}__in": unit_ids})
    out: dict = {}
    for (unit, day, slot), figures in occupancy_rows(qs, field, "local_date", "slot").items():
        minutes = (slot * SLOT_MINUTES) // INTERVAL_MINUTES * INTERVAL_MINUTES
        at = dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60), tzinfo=tz)
        if start <= at < end:
            out.setdefault((unit, at), Occupancy()).add(figures)
    return {k: MetricValue(f.handle, f.ready + f.handle) for k, f in out.items()}


def _occupancy_drill(grain: str, unit_id: int, period: str, start: dt.date) -> str:
    url = _drill(grain, unit_id, period, start)
    return url.replace(reverse("callcenter:call_list"), reverse("callcenter:agent_states"))


register(
    Metric(
        code="callcenter.occupancy",
        label=_("坐席占用率"),
        unit=MetricUnit.RATE,
        values=_occupancy_values,
        drill=_occupancy_drill,
        grains=PEOPLE,
        app="callcenter",
        intervals=_occupancy_intervals,
    )
)
