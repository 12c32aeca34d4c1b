"""Census, occupancy, incident rates and the staffing ratio — set-based.

Resident-days: a stay's bed segments cover days [start_day, end_day) as day ordinals (the
discharge day is not counted; the admission day is; an open stay counts through today). The
resident-days of a period [a, b) are Σ min(coalesce(end_day, tomorrow), b) − max(start_day, a)
over the segments overlapping it — one parameterised statement joining the segments to an inline
table of the periods, grouped by zone (or site) and period; no per-day loop anywhere. (An ORM
form with one conditional SUM per month compiled 120 expressions per call and was 20× slower on
the per-site pages; see bench/care_bench.py.)

Incident rate = incidents × 1,000 ÷ resident-days (per zone and month), rounded to 0.01.
Occupancy = resident-days ÷ (beds × days), beds being the zone's active beds now (the bed
register has no history).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.db.models import Count, Q
from django.utils import timezone

from opscenter.care.models import Bed, Incident, NurseAssignment, Occupancy, Zone

Span = tuple[int, int]  # [first day ordinal, end ordinal exclusive)


def month_spans(first: dt.date, last: dt.date) -> list[tuple[dt.date, Span]]:
    """Every calendar month from `first`'s to `last`'s, as (month start, [start, end))."""
    out = []
    m = first.replace(day=1)
    while m <= last:
        nxt = (m.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        out.append((m, (m.toordinal(), nxt.toordinal())))
        m = nxt
    return out


GROUP_COLUMNS = {"zone_id", "site_id"}


def _months(spans: list[tuple[dt.date, Span]]) -> tuple[str, list[int]]:
    """The periods as an inline table m(i, a, b): index, first day ordinal, end ordinal (exclusive)."""
    rows = ", ".join(["(%s, %s, %s)"] * len(spans))
    return f"m(i, a, b) AS (VALUES {rows})", [v for i, (_m, (a, b)) in enumerate(spans) for v in (i, a, b)]


def _site_filter(alias: str, site_ids: Iterable[int] | None) -> tuple[str, list[int]]:
    if site_ids is None:
        return "", []
    ids = [int(x) for x in site_ids] or [0]
    return f" AND {alias}.site_id IN ({', '.join(['%s'] * len(ids))})", ids


def resident_days(
    *,
    site_ids: Iterable[int] | None,
    spans: list[tuple[dt.date, Span]],
    by: str = "zone_id",
    today: dt.date | None = None,
) -> dict[tuple[int, dt.date], int]:
    """{(zone or site id, period start): resident-days} in one statement: the bed segments joined
    to the periods they overlap, Σ min(coalesce(end, tomorrow), b) − max(start, a) per group and
    period. Days after `today` (default: the local date) are not counted yet."""
    if not spans or by not in GROUP_COLUMNS:
        return {}
    cap = (today or timezone.localdate()).toordinal() + 1
    least, greatest = ("LEAST", "GREATEST") if connection.vendor == "postgresql" else ("MIN", "MAX")
    months, params = _months(spans)
    sites, site_params = _site_filter("o", site_ids)
    table = Occupancy._meta.db_table
    sql = (
        f"WITH {months} SELECT o.{by}, m.i, SUM({least}(COALESCE(o.end_day, %s), m.b) - {greatest}(o.start_day, m.a)) "
        f"FROM {table} o JOIN m ON o.start_day < m.b AND COALESCE(o.end_day, %s) > m.a "
        f"AND o.start_day < COALESCE(o.end_day, %s){sites} GROUP BY o.{by}, m.i"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, cap, cap, cap, *site_params])
        return {(key, spans[i][0]): int(days) for key, i, days in cursor.fetchall() if days}


def incident_counts(
    *,
    site_ids: Iterable[int] | None,
    spans: list[tuple[dt.date, Span]],
    by: str = "zone_id",
    kind: bool = False,
) -> dict[tuple, int]:
    """{(zone/site id, period start[, kind]): incidents} in one statement (incidents joined to the
    period holding their day)."""
    if not spans or by not in GROUP_COLUMNS:
        return {}
    months, params = _months(spans)
    sites, site_params = _site_filter("x", site_ids)
    extra = ", x.kind" if kind else ""
    sql = (
        f"WITH {months} SELECT x.{by}, m.i{extra}, COUNT(*) FROM {Incident._meta.db_table} x "
        f"JOIN m ON x.day >= m.a AND x.day < m.b{sites} GROUP BY x.{by}, m.i{extra}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *site_params])
        rows = cursor.fetchall()
    if kind:
        return {(key, spans[i][0], k): int(n) for key, i, k, n in rows}
    return {(key, spans[i][0]): int(n) for key, i, n in rows}


def rate_per_thousand(incidents: int, days: int) -> Decimal | None:
    if not days:
        return None
    return (Decimal(incidents) * 1000 / Decimal(days)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def incident_rates(*, site_id: int, first: dt.date, last: dt.date) -> dict:
    """Per zone and month: resident-days, incidents (total and by kind), rate per 1,000 resident-days;
    plus the site total per month. Three queries."""
    spans = month_spans(first, last)
    zones = list(Zone.objects.filter(site_id=site_id).order_by("sort_order", "pk"))
    days = resident_days(site_ids=[site_id], spans=spans)
    counts = incident_counts(site_ids=[site_id], spans=spans, kind=True)
    grouped: dict[tuple[int, dt.date], dict[str, int]] = defaultdict(dict)
    for (z, mm, k), n in counts.items():
        grouped[(z, mm)][k] = n
    rows = []
    totals = defaultdict(lambda: {"days": 0, "incidents": 0})
    for zone in zones:
        for m, _span in spans:
            d = days.get((zone.pk, m), 0)
            by_kind = grouped.get((zone.pk, m), {})
            n = sum(by_kind.values())
            totals[m]["days"] += d
            totals[m]["incidents"] += n
            rows.append(
                {
                    "zone": zone,
                    "month": m,
                    "days": d,
                    "incidents": n,
                    "by_kind": by_kind,
                    "rate": rate_per_thousand(n, d),
                }
            )
    total_rows = [
        {"month": m, **totals[m], "rate": rate_per_thousand(totals[m]["incidents"], totals[m]["days"])}
        for m, _span in spans
    ]
    return {"zones": zones, "months": [m for m, _s in spans], "rows": rows, "totals": total_rows}


def census(*, site_id: int, first: dt.date, last: dt.date, today: dt.date) -> dict:
    """Per zone and month: resident-days, average census, beds and occupancy; vacancies today."""
    spans = month_spans(first, last)
    zones = list(Zone.objects.filter(site_id=site_id).order_by("sort_order", "pk"))
    days = resident_days(site_ids=[site_id], spans=spans, today=today)
    beds = dict(
        Bed.objects.filter(site_id=site_id, is_active=True)
        .values("zone_id")
        .annotate(n=Count("pk"))
        .values_list("zone_id", "n")
    )
    t = today.toordinal()
    occupied = dict(
        Occupancy.objects.filter(site_id=site_id, start_day__lte=t)
        .filter(Q(end_day__isnull=True) | Q(end_day__gt=t))
        .values("zone_id")
        .annotate(n=Count("pk"))
        .values_list("zone_id", "n")
    )
    rows = []
    for zone in zones:
        for m, (a, b) in spans:
            d = days.get((zone.pk, m), 0)
            n_days = max(min(b, today.toordinal() + 1) - a, 0)
            capacity = beds.get(zone.pk, 0) * n_days
            rows.append(
                {
                    "zone": zone,
                    "month": m,
                    "days": d,
                    "average": (Decimal(d) / n_days).quantize(Decimal("0.1")) if n_days else None,
                    "occupancy": (Decimal(d) * 100 / capacity).quantize(Decimal("0.1")) if capacity else None,
                }
            )
    vacancies = [
        {
            "zone": zone,
            "beds": beds.get(zone.pk, 0),
            "occupied": occupied.get(zone.pk, 0),
            "vacant": beds.get(zone.pk, 0) - occupied.get(zone.pk, 0),
        }
        for zone in zones
    ]
    return {"zones": zones, "months": [m for m, _s in spans], "rows": rows, "vacancies": vacancies}


NEAR_LIMIT = Decimal("0.9")


def staffing(*, site_id: int, today: dt.date) -> list[dict]:
    """Nurse-to-resident ratio per zone and shift, now and with the planned admissions (decided
    assessments not yet admitted); `warning` when the planned ratio passes the zone's limit, `near`
    when it is within 10 % of it."""
    from opscenter.care.choices import AdmissionStatus, Shift
    from opscenter.care.models import AdmissionRequest

    zones = list(Zone.objects.filter(site_id=site_id, is_active=True).order_by("sort_order", "pk"))
    t = today.toordinal()
    residents = dict(
        Occupancy.objects.filter(site_id=site_id, start_day__lte=t)
        .filter(Q(end_day__isnull=True) | Q(end_day__gt=t))
        .values("zone_id")
        .annotate(n=Count("pk"))
        .values_list("zone_id", "n")
    )
    nurses = defaultdict(int)
    for zone_id, shift, n in (
        NurseAssignment.objects.filter(site_id=site_id, staff__is_active=True)
        .values("zone_id", "shift")
        .annotate(n=Count("pk"))
        .values_list("zone_id", "shift", "n")
    ):
        nurses[(zone_id, shift)] = n
    planned = dict(
        AdmissionRequest.objects.filter(site_id=site_id, status=AdmissionStatus.DECIDED)
        .values("decided_zone")
        .annotate(n=Count("pk"))
        .values_list("decided_zone", "n")
    )
    rows = []
    for zone in zones:
        for shift, label in Shift.choices:
            r, p, n = residents.get(zone.pk, 0), planned.get(zone.care_zone, 0), nurses[(zone.pk, shift)]
            limit = zone.ratio_limit(shift)
            ratio = (Decimal(r) / n).quantize(Decimal("0.1")) if n else None
            projected = (Decimal(r + p) / n).quantize(Decimal("0.1")) if n else None
            rows.append(
                {
                    "zone": zone,
                    "shift": label,
                    "residents": r,
                    "planned": p,
                    "nurses": n,
                    "ratio": ratio,
                    "projected": projected,
                    "limit": limit,
                    "warning": (r + p) > 0 and (projected is None or projected > limit),
                    # within 10 % of the limit: amber, so the roster is fixed before it goes red
                    "near": (r + p) > 0 and projected is not None and limit * NEAR_LIMIT < projected <= limit,
                }
            )
    return rows
