"""Reads of the admission workflow and the disagreement analysis (who disagrees how often, on
which scale items, and what it cost in days and lost customers)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import Prefetch
from django.utils import timezone

from opscenter.care import scales
from opscenter.care.choices import AdmissionStatus
from opscenter.care.models import AdmissionRequest, AdmissionView


def _days(a: dt.datetime, b: dt.datetime) -> Decimal:
    return (Decimal((b - a).total_seconds()) / 86400).quantize(Decimal("0.1"))


def disagreement_analysis(
    *, site_id: int, start: dt.date, end: dt.date, now: dt.datetime | None = None
) -> dict:
    """Requests made in [start, end]: by assessor, department, scale item and month — disputes,
    days lost (from the disagreement to the decision, or to now while open) and customers lost."""
    now = now or timezone.now()
    tz = timezone.get_default_timezone()
    lo = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    requests = list(
        AdmissionRequest.objects.filter(
            site_id=site_id, requested_at__gte=lo, requested_at__lt=hi
        ).prefetch_related(
            Prefetch("views", queryset=AdmissionView.objects.select_related("assessor", "department"))
        )
    )
    by_month: dict[dt.date, dict] = defaultdict(
        lambda: {"requests": 0, "disputed": 0, "days": Decimal(0), "lost": 0}
    )
    by_assessor: dict[int, dict] = {}
    by_department: dict[int, dict] = {}
    by_item: dict[tuple[str, str], int] = defaultdict(int)
    total_days = Decimal(0)
    for request in requests:
        month = timezone.localtime(request.requested_at).date().replace(day=1)
        by_month[month]["requests"] += 1
        views = list(request.views.all())
        for view in views:
            for bucket, key, label in (
                (by_assessor, view.assessor_id, view.assessor.name),
                (by_department, view.department_id, view.department.name),
            ):
                row = bucket.setdefault(
                    key,
                    {"name": label, "views": 0, "disputes": 0, "overruled": 0, "days": Decimal(0), "lost": 0},
                )
                row["views"] += 1
        if not request.disputed:
            continue
        days = _days(request.disputed_at, request.decided_at or now)
        lost = request.status == AdmissionStatus.LOST
        total_days += days
        by_month[month]["disputed"] += 1
        by_month[month]["days"] += days
        by_month[month]["lost"] += int(lost)
        for view in views:
            for bucket, key in ((by_assessor, view.assessor_id), (by_department, view.department_id)):
                row = bucket[key]
                row["disputes"] += 1
                row["days"] += days
                row["lost"] += int(lost)
                if request.decided_zone and view.zone != request.decided_zone:
                    row["overruled"] += 1
        if len(views) == 2:
            a, b = views[0].answers, views[1].answers
            for scale_key, scale in (
                ("barthel", scales.BARTHEL),
                ("morse", scales.MORSE),
                ("cognitive", scales.SCALES.get(views[0].cognitive_scale)),
            ):
                if scale is None:
                    continue
                for item in scale.items:
                    if str((a.get(scale_key) or {}).get(item.code)) != str(
                        (b.get(scale_key) or {}).get(item.code)
                    ):
                        by_item[(str(scale.label), str(item.label))] += 1
    months = [
        {
            "month": m,
            **v,
            "rate": (Decimal(v["disputed"]) * 100 / v["requests"]).quantize(Decimal("0.1"))
            if v["requests"]
            else None,
        }
        for m, v in sorted(by_month.items())
    ]
    return {
        "requests": len(requests),
        "disputed": sum(1 for r in requests if r.disputed),
        "lost": sum(1 for r in requests if r.disputed and r.status == AdmissionStatus.LOST),
        "days": total_days,
        "months": months,
        "assessors": sorted(by_assessor.values(), key=lambda r: (-r["disputes"], r["name"])),
        "departments": sorted(by_department.values(), key=lambda r: (-r["disputes"], r["name"])),
        "items": sorted(
            ({"scale": k[0], "item": k[1], "count": n} for k, n in by_item.items()), key=lambda r: -r["count"]
        ),
    }
