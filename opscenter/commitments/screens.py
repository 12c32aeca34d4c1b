"""Data of the monitoring page (运营监控) and the weekly / monthly report, built by selectors with
a fixed number of queries; every number carries the URL of the rows behind it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import Avg, Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from opscenter.commitments.choices import OPEN_WORK_ORDER_STATUSES, StageStatus, TreeStatus
from opscenter.commitments.models import Complaint, StageMeasurement, WorkOrder
from opscenter.metrics import metric_values
from opscenter.metrics.registry import period_start, period_starts
from opscenter.org.selectors import department_list, scope_for, site_list


def _stage_url(**params) -> str:
    clean = {
        k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in params.items() if v not in (None, "")
    }
    return f"{reverse('commitments:stage_list')}?{urlencode(clean)}"


def _day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_default_timezone()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
    return start, start + dt.timedelta(days=1)


def live_counts(*, user, today: dt.date | None = None) -> list[dict]:
    """Per commitment of the active trees: stages open / in warning now, breached today (one query)."""
    today = today or timezone.localdate()
    start, end = _day_bounds(today)
    qs = scope_for(user).filter_sites(
        StageMeasurement.objects.filter(commitment__tree__status=TreeStatus.ACTIVE), "site"
    )
    rows = (
        qs.values(
            "commitment_id", "commitment__name", "commitment__level", "commitment__tree__name", "site__name"
        )
        .annotate(
            open=Count("pk", filter=Q(status=StageStatus.OPEN)),
            warning=Count("pk", filter=Q(status=StageStatus.WARNING)),
            breached_today=Count(
                "pk", filter=Q(status=StageStatus.BREACHED, due_at__gte=start, due_at__lt=end)
            ),
        )
        .order_by("site__name", "commitment__tree__name", "commitment__level", "commitment_id")
    )
    out = []
    for r in rows:
        c = r["commitment_id"]
        out.append(
            {
                **r,
                "open_url": _stage_url(commitment=c, status=StageStatus.OPEN),
                "warning_url": _stage_url(commitment=c, status=StageStatus.WARNING),
                "breached_url": _stage_url(
                    commitment=c, status=StageStatus.BREACHED, **{"from": today, "to": today}
                ),
            }
        )
    return out


def breaches_by_stage(*, user, start: dt.date, end: dt.date) -> list[dict]:
    """Breached promises in [start, end] grouped by the lower-level stage that overran (one query)."""
    tz = timezone.get_default_timezone()
    lo = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    qs = scope_for(user).filter_sites(
        StageMeasurement.objects.filter(
            overrun_minutes__gt=0,
            parent__status=StageStatus.BREACHED,
            parent__due_at__gte=lo,
            parent__due_at__lt=hi,
        ),
        "site",
    )
    rows = (
        qs.values("commitment_id", "commitment__name", "commitment__level", "department__name", "site__name")
        .annotate(n=Count("parent_id", distinct=True), minutes=Avg("overrun_minutes"))
        .order_by("-n")
    )
    return [
        {
            **r,
            "avg_hours": round(Decimal(r["minutes"] or 0) / 60, 1),
            "url": _stage_url(attributed_to=r["commitment_id"], **{"from": start, "to": end}),
        }
        for r in rows
    ]


def _scoped_site_ids(user) -> list[int]:
    return list(site_list(user=user).values_list("pk", flat=True))


def on_time_by_week_option(*, user, today: dt.date | None = None, weeks: int = 12) -> dict:
    """ECharts option: on-time rate by ISO week over the user's sites (from the metric registry)."""
    today = today or timezone.localdate()
    end = period_start(today, "week") - dt.timedelta(days=1)
    start = period_start(end - dt.timedelta(weeks=weeks - 1), "week")
    sites = _scoped_site_ids(user)
    values = metric_values(
        "commitments.on_time_rate", grain="site", period="week", start=start, end=end, unit_ids=sites
    )
    data = []
    labels = []
    for week in period_starts(start, end, "week"):
        ok = sum(v.numerator for (s, p), v in values.items() if p == week)
        n = sum(v.denominator or 0 for (s, p), v in values.items() if p == week)
        labels.append(week.strftime("%m-%d"))
        rate = round(ok * 100 / n, 1) if n else None
        data.append(
            {"value": rate, "url": _stage_url(closed=1, **{"from": week, "to": week + dt.timedelta(days=6)})}
        )
    return {
        "tooltip": {"trigger": "axis"},
        "xAxis": {"type": "category", "data": labels, "name": _("周")},
        "yAxis": {"type": "value", "min": 0, "max": 100, "name": "%"},
        "series": [{"type": "line", "name": _("按时率"), "data": data}],
    }


def on_time_by_department_option(*, user, today: dt.date | None = None) -> dict:
    """ECharts option: this month's on-time rate per owning department."""
    today = today or timezone.localdate()
    start = today.replace(day=1)
    departments = {
        pk: f"{site} · {name}"
        for pk, site, name in department_list(user=user).values_list("pk", "site__name", "name")
    }
    values = metric_values(
        "commitments.on_time_rate",
        grain="department",
        period="month",
        start=start,
        end=today,
        unit_ids=departments.keys(),
    )
    rows = sorted(
        ((departments[d], v, d) for (d, _p), v in values.items() if v.denominator),
        key=lambda r: r[1].value or 0,
    )
    return {
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 8, "right": 24, "containLabel": True},
        "xAxis": {"type": "value", "min": 0, "max": 100, "name": "%"},
        "yAxis": {"type": "category", "data": [r[0] for r in rows]},
        "series": [
            {
                "type": "bar",
                "name": _("按时率"),
                "data": [
                    {
                        "value": float(round(r[1].value * 100, 1)),
                        "url": _stage_url(closed=1, department=r[2], **{"from": start, "to": today}),
                    }
                    for r in rows
                ],
            }
        ],
    }


@dataclass
class Report:
    """The weekly / monthly report (周报/月报) of one period and its comparison with the previous."""

    period: str
    start: dt.date
    end: dt.date
    previous_start: dt.date
    previous_end: dt.date
    commitments: list[dict] = field(default_factory=list)
    departments: list[dict] = field(default_factory=list)
    breaches: list[dict] = field(default_factory=list)
    work_orders: dict = field(default_factory=dict)
    previous_work_orders: dict = field(default_factory=dict)
    complaint_categories: list[dict] = field(default_factory=list)


def _rate(ok: int, n: int) -> Decimal | None:
    return (Decimal(ok) * 100 / n).quantize(Decimal("0.1")) if n else None


def _on_time(user, start: dt.date, end: dt.date, by: str) -> dict:
    tz = timezone.get_default_timezone()
    lo = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    qs = scope_for(user).filter_sites(
        StageMeasurement.objects.filter(ended_at__gte=lo, ended_at__lt=hi), "site"
    )
    return {
        r[by]: r
        for r in qs.values(by, f"{by.removesuffix('_id')}__name", "site__name").annotate(
            ok=Count("pk", filter=Q(status=StageStatus.ON_TIME)), n=Count("pk")
        )
    }


def _work_order_stats(user, start: dt.date, end: dt.date) -> dict:
    tz = timezone.get_default_timezone()
    lo = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    qs = scope_for(user).filter_sites(WorkOrder.objects.all(), "site")
    opened = qs.filter(opened_at__gte=lo, opened_at__lt=hi).count()
    closed_qs = qs.filter(verified_at__gte=lo, verified_at__lt=hi)
    closed = closed_qs.count()
    overdue = qs.filter(status__in=OPEN_WORK_ORDER_STATUSES, due_at__lt=hi).count()
    hours = _mean_business_hours(closed_qs.filter(resolved_at__isnull=False))
    return {"opened": opened, "closed": closed, "overdue": overdue, "mean_hours": hours}


def _mean_business_hours(qs) -> Decimal | None:
    """Mean time from opening to resolution in business hours of each site's calendar (one query
    for the rows, one per site calendar; the report period bounds the rows)."""
    from opscenter.core.businesstime import business_time_between
    from opscenter.core.calendars import work_calendar_for

    rows = list(qs.select_related("site__calendar"))
    if not rows:
        return None
    calendars: dict = {}
    total = dt.timedelta(0)
    for wo in rows:
        calendar = calendars.setdefault(wo.site_id, work_calendar_for(wo.site.calendar))
        total += business_time_between(wo.opened_at, wo.resolved_at, calendar)
    return (Decimal(total.total_seconds()) / 3600 / len(rows)).quantize(Decimal("0.1"))


def report(*, user, period: str, day: dt.date) -> Report:
    """The report of the week or month holding `day` (a bounded number of queries)."""
    start = period_start(day, period)
    if period == "week":
        end = start + dt.timedelta(days=6)
        prev_start = start - dt.timedelta(days=7)
    else:
        end = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        prev_start = period_start(start - dt.timedelta(days=1), "month")
    prev_end = start - dt.timedelta(days=1)
    rep = Report(period, start, end, prev_start, prev_end)
    now_c, prev_c = (
        _on_time(user, start, end, "commitment_id"),
        _on_time(user, prev_start, prev_end, "commitment_id"),
    )
    for key, r in now_c.items():
        p = prev_c.get(key)
        rep.commitments.append(
            {
                "name": r["commitment__name"],
                "site": r["site__name"],
                "ok": r["ok"],
                "n": r["n"],
                "rate": _rate(r["ok"], r["n"]),
                "previous": _rate(p["ok"], p["n"]) if p else None,
                "url": _stage_url(closed=1, commitment=key, **{"from": start, "to": end}),
            }
        )
    now_d, prev_d = (
        _on_time(user, start, end, "department_id"),
        _on_time(user, prev_start, prev_end, "department_id"),
    )
    for key, r in now_d.items():
        p = prev_d.get(key)
        rep.departments.append(
            {
                "name": r["department__name"] or "—",
                "site": r["site__name"],
                "ok": r["ok"],
                "n": r["n"],
                "rate": _rate(r["ok"], r["n"]),
                "previous": _rate(p["ok"], p["n"]) if p else None,
                "url": _stage_url(closed=1, department=key or "", **{"from": start, "to": end}),
            }
        )
    rep.breaches = breaches_by_stage(user=user, start=start, end=end)
    rep.work_orders = _work_order_stats(user, start, end)
    rep.previous_work_orders = _work_order_stats(user, prev_start, prev_end)
    tz = timezone.get_default_timezone()
    lo = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    complaints = scope_for(user).filter_sites(
        Complaint.objects.filter(received_at__gte=lo, received_at__lt=hi), "site"
    )
    rep.complaint_categories = list(complaints.values("category").annotate(n=Count("pk")).order_by("-n")[:5])
    return rep
