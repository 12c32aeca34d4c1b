"""The care app's metrics in the one registry (`opscenter.metrics`), per site and day/week/month:
resident-days, incidents, incident rate per 1,000 resident-days, occupancy, overdue risk reviews,
admission assessment cycle time (business minutes) and disagreement rate. Resident-day based ones
answer every site and period in one grouped query (see `selectors.census`)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncDay, TruncMonth, TruncWeek
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opscenter.metrics import Metric, MetricQuery, MetricUnit, MetricValue, register
from opscenter.metrics.registry import period_starts

TRUNC = {"day": TruncDay, "week": TruncWeek, "month": TruncMonth}


def _spans(query: MetricQuery) -> list[tuple[dt.date, tuple[int, int]]]:
    out = []
    for start in period_starts(query.start, query.end, query.period):
        if query.period == "day":
            end = start + dt.timedelta(days=1)
        elif query.period == "week":
            end = start + dt.timedelta(days=7)
        else:
            end = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        out.append((start, (start.toordinal(), end.toordinal())))
    return out


def _days(query: MetricQuery) -> dict:
    from opscenter.care.selectors.census import resident_days

    return resident_days(site_ids=query.unit_ids, spans=_spans(query), by="site_id")


def _incidents(query: MetricQuery) -> dict:
    from opscenter.care.selectors.census import incident_counts

    return incident_counts(site_ids=query.unit_ids, spans=_spans(query), by="site_id")


def _resident_days(query: MetricQuery) -> dict:
    return {k: MetricValue(v) for k, v in _days(query).items()}


def _incident_count(query: MetricQuery) -> dict:
    return {k: MetricValue(v) for k, v in _incidents(query).items()}


def _incident_rate(query: MetricQuery) -> dict:
    """Incidents × 1,000 over resident-days: the value is the rate per 1,000 resident-days."""
    days, counts = _days(query), _incidents(query)
    return {k: MetricValue(counts.get(k, 0) * 1000, d) for k, d in days.items() if d}


def _occupancy(query: MetricQuery) -> dict:
    """Resident-days over bed-days (active beds now × days of the period)."""
    from opscenter.care.models import Bed

    beds = Bed.objects.filter(is_active=True)
    if query.unit_ids is not None:
        beds = beds.filter(site_id__in=query.unit_ids)
    per_site = dict(beds.values("site_id").annotate(n=Count("pk")).values_list("site_id", "n"))
    spans = dict(_spans(query))
    cap = timezone.localdate().toordinal() + 1  # days not yet lived are not bed-days either
    return {
        (site, start): MetricValue(
            d, per_site.get(site, 0) * max(min(spans[start][1], cap) - spans[start][0], 0)
        )
        for (site, start), d in _days(query).items()
    }


def _grouped(qs, query: MetricQuery, moment: str, **aggregates) -> list[dict]:
    tz = timezone.get_default_timezone()
    start = dt.datetime.combine(query.start, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(query.end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    qs = qs.filter(**{f"{moment}__gte": start, f"{moment}__lt": end})
    if query.unit_ids is not None:
        qs = qs.filter(site_id__in=query.unit_ids)
    trunc = TRUNC[query.period](moment, tzinfo=tz)
    return list(qs.annotate(p=trunc).values("site_id", "p").annotate(**aggregates).order_by())


def _key(row) -> tuple[int, dt.date]:
    p = row["p"]
    return row["site_id"], p.date() if isinstance(p, dt.datetime) else p


def _cycle_time(query: MetricQuery) -> dict:
    """Average business minutes from request to decision, by decision time."""
    from opscenter.care.models import AdmissionRequest

    rows = _grouped(
        AdmissionRequest.objects.filter(cycle_minutes__isnull=False),
        query,
        "decided_at",
        total=Sum("cycle_minutes"),
        n=Count("pk"),
    )
    return {_key(r): MetricValue(r["total"], r["n"]) for r in rows}


def _disagreement_rate(query: MetricQuery) -> dict:
    from opscenter.care.models import AdmissionRequest

    rows = _grouped(
        AdmissionRequest.objects.all(),
        query,
        "requested_at",
        d=Count("pk", filter=Q(disputed=True)),
        n=Count("pk"),
    )
    return {_key(r): MetricValue(r["d"], r["n"]) for r in rows}


def _overdue_reviews(query: MetricQuery) -> dict:
    """Risk reviews due in the period (and already past) not done by their date."""
    from opscenter.care.models import RiskAssessment

    today = timezone.localdate()
    qs = RiskAssessment.objects.filter(
        next_review_on__gte=query.start, next_review_on__lte=min(query.end, today - dt.timedelta(days=1))
    ).filter(Q(superseded_on__isnull=True) | Q(superseded_on__gt=F("next_review_on")))
    if query.unit_ids is not None:
        qs = qs.filter(site_id__in=query.unit_ids)
    rows = qs.annotate(p=TRUNC[query.period]("next_review_on")).values("site_id", "p").annotate(n=Count("pk"))
    return {_key(r): MetricValue(r["n"]) for r in rows.order_by()}


def _overdue_measures(query: MetricQuery) -> dict:
    """Risk measures (防范措施) due in the period (and already past) not done by their date: still
    open, or done after it. Counted in the period of the due date."""
    from opscenter.care.models import RiskMeasure

    today = timezone.localdate()
    qs = RiskMeasure.objects.filter(
        due_on__gte=query.start, due_on__lte=min(query.end, today - dt.timedelta(days=1))
    ).filter(Q(done_on__isnull=True) | Q(done_on__gt=F("due_on")))
    if query.unit_ids is not None:
        qs = qs.filter(risk__site_id__in=query.unit_ids)
    rows = (
        qs.annotate(site_id=F("risk__site_id"), p=TRUNC[query.period]("due_on"))
        .values("site_id", "p")
        .annotate(n=Count("pk"))
    )
    return {_key(r): MetricValue(r["n"]) for r in rows.order_by()}


def _drill(view: str, **extra: str):
    def drill(grain: str, unit_id: int, period: str, start: dt.date) -> str:
        return f"{reverse(view)}?{urlencode({'site': unit_id, 'from': start.isoformat(), **extra})}"

    return drill


def _measure_drill(grain: str, unit_id: int, period: str, start: dt.date) -> str:
    """The measures behind an overdue count: due in that period, not done by their date."""
    spans = dict(_spans(MetricQuery(grain=grain, period=period, start=start, end=start)))
    last = dt.date.fromordinal(spans[start][1] - 1)
    params = {"site": unit_id, "status": "late", "from": start.isoformat(), "to": last.isoformat()}
    return f"{reverse('care:measure_list')}?{urlencode(params)}"


for code, label, unit, values, drill in (
    ("care.resident_days", _("住养日"), MetricUnit.COUNT, _resident_days, "care:census"),
    ("care.incidents", _("护理事件数"), MetricUnit.COUNT, _incident_count, "care:incident_list"),
    (
        "care.incident_rate",
        _("护理事件率(每千住养日)"),
        MetricUnit.RATE,
        _incident_rate,
        "care:incident_rates",
    ),
    ("care.occupancy", _("床位入住率"), MetricUnit.RATE, _occupancy, "care:census"),
    ("care.overdue_reviews", _("逾期风险复评数"), MetricUnit.COUNT, _overdue_reviews, "care:due_reviews"),
    (
        "care.overdue_measures",
        _("逾期防范措施数"),
        MetricUnit.COUNT,
        _overdue_measures,
        _measure_drill,
    ),
    (
        "care.assessment_cycle_time",
        _("入住评估周期(工作分钟)"),
        MetricUnit.BUSINESS_MINUTES,
        _cycle_time,
        "care:admission_list",
    ),
    ("care.disagreement_rate", _("评估分歧率"), MetricUnit.RATE, _disagreement_rate, "care:disagreements"),
):
    register(
        Metric(
            code=code,
            label=label,
            unit=unit,
            values=values,
            drill=drill if callable(drill) else _drill(drill),
            grains=frozenset({"site"}),
            app="care",
        )
    )
