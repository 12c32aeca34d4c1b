"""The appraisal app's metrics in the one registry.

- `appraisal.referrals` (全员营销, seed 001): customers referred by an employee, by the day / week /
  month of the referral, per referring staff, their department, team or site; drill-down lists the
  referred customers. The 全员营销 plan reads it.
- Published results of monthly periods, per site / department / team / staff: the average final
  score, how many appraisals got the top and the lowest band of their scorecard (band names are
  data, so "lowest" is asked of each scorecard's bands, not a fixed 不合格), and whether the site
  published on time (by the 3rd business day of the next month, before the interviews on days
  4–6). Drafts are not counted: they still change. Drill-downs open the period's results ranked,
  filtered to the unit (and band), scoped like the statements.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urlencode

from django.db.models import Count, Exists, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import TruncDay, TruncMonth, TruncWeek
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opscenter.metrics import Metric, MetricQuery, MetricUnit, MetricValue, register
from opscenter.metrics.registry import period_start

UNIT = {"site": "site_id", "department": "department_id", "team": "team_id", "staff": "staff_id"}
REFERRAL_UNIT = {
    "site": "site_id",
    "department": "staff__department_id",
    "team": "staff__team_id",
    "staff": "staff_id",
}
TRUNC = {"day": TruncDay, "week": TruncWeek, "month": TruncMonth}
MONTH = frozenset({"month"})


def _month_end(start: dt.date) -> dt.date:
    return (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


# ---------------------------------------------------------------- referrals
def _referrals(query: MetricQuery) -> dict:
    from opscenter.appraisal.models import Referral

    unit = REFERRAL_UNIT[query.grain]
    qs = Referral.objects.filter(is_withdrawn=False, referred_on__gte=query.start, referred_on__lte=query.end)
    if query.unit_ids is not None:
        qs = qs.filter(**{f"{unit}__in": query.unit_ids})
    out: dict = {}
    rows = (
        qs.annotate(p=TRUNC[query.period]("referred_on")).values(unit, "p").annotate(n=Count("pk")).order_by()
    )
    for row in rows:
        if row[unit] is None:
            continue
        p = row["p"]
        key = (row[unit], period_start(p.date() if isinstance(p, dt.datetime) else p, query.period))
        out[key] = MetricValue(out.get(key, MetricValue(0)).numerator + row["n"])
    return out


def _referral_drill(grain: str, unit_id: int, period: str, start: dt.date) -> str:
    end = {"day": start, "week": start + dt.timedelta(days=6)}.get(period) or _month_end(start)
    params = {grain: unit_id, "from": start.isoformat(), "to": end.isoformat(), "active": "1"}
    return f"{reverse('appraisal:referral_list')}?{urlencode(params)}"


# ---------------------------------------------------------------- published results
def _published(query: MetricQuery):
    """Appraisals of monthly periods starting in [start, end] whose site (or whole period) is
    published, restricted to the units asked."""
    from opscenter.appraisal.models import Appraisal, PeriodPublication

    qs = Appraisal.objects.filter(
        period__kind="month", period__start__gte=query.start, period__start__lte=query.end
    ).filter(
        Q(period__status="published")
        | Exists(
            PeriodPublication.objects.filter(period_id=OuterRef("period_id"), site_id=OuterRef("site_id"))
        )
    )
    unit = UNIT[query.grain]
    if query.unit_ids is not None:
        qs = qs.filter(**{f"{unit}__in": query.unit_ids})
    return qs.exclude(**{f"{unit}__isnull": True}), unit


def _cents(total) -> int:
    """Σ of 2-place scores in cents, exactly (SQLite may hand back a float)."""
    return int((Decimal(str(total or 0)) * 100).to_integral_value(rounding=ROUND_HALF_UP))


def _average(query: MetricQuery) -> dict:
    qs, unit = _published(query)
    rows = qs.values(unit, "period__start").annotate(total=Sum("final_score"), n=Count("pk")).order_by()
    return {(r[unit], r["period__start"]): MetricValue(_cents(r["total"]), r["n"] * 100) for r in rows}


def _band_name(first: str):
    from opscenter.appraisal.models import GradeBand

    return Subquery(
        GradeBand.objects.filter(scorecard_id=OuterRef("scorecard_id")).order_by(first).values("name")[:1]
    )


def _band_count(order: str):
    def values(query: MetricQuery) -> dict:
        qs, unit = _published(query)
        qs = qs.annotate(band=_band_name(order)).filter(grade=F("band"))
        rows = qs.values(unit, "period__start").annotate(n=Count("pk")).order_by()
        return {(r[unit], r["period__start"]): MetricValue(r["n"]) for r in rows}

    return values


def _results_drill(band: str = ""):
    def drill(grain: str, unit_id: int, period: str, start: dt.date) -> str:
        params = {grain: unit_id}
        if band:
            params["band"] = band
        return f"{reverse('appraisal:period_detail', args=[f'{start:%Y-%m}'])}?{urlencode(params)}"

    return drill


def publish_deadline(period_end: dt.date) -> dt.date:
    """Results are due by the 3rd business day after the period (the interviews follow on 4–6)."""
    from opscenter.core.calendars import default_work_calendar

    calendar = default_work_calendar()
    day, count = period_end, 0
    while count < 3:
        day += dt.timedelta(days=1)
        if calendar.is_workday(day):
            count += 1
    return day


def _on_time(query: MetricQuery) -> dict:
    """Per site and month: 1/1 published by the deadline, 0/1 published late or still unpublished
    after it; nothing while the deadline has not passed and it is unpublished."""
    from opscenter.appraisal.models import Appraisal, PeriodPublication

    qs = Appraisal.objects.filter(
        period__kind="month", period__start__gte=query.start, period__start__lte=query.end
    )
    if query.unit_ids is not None:
        qs = qs.filter(site_id__in=query.unit_ids)
    pairs = set(
        qs.values_list(
            "site_id", "period_id", "period__start", "period__end", "period__published_at"
        ).distinct()
    )
    if not pairs:
        return {}
    published = {
        (p.site_id, p.period_id): p.published_at
        for p in PeriodPublication.objects.filter(period_id__in={x[1] for x in pairs})
    }
    today = timezone.localdate()
    out = {}
    for site_id, period_id, start, end, period_published in pairs:
        at = published.get((site_id, period_id)) or period_published
        deadline = publish_deadline(end)
        if at is None:
            if today > deadline:
                out[(site_id, start)] = MetricValue(0, 1)
            continue
        out[(site_id, start)] = MetricValue(int(timezone.localtime(at).date() <= deadline), 1)
    return out


register(
    Metric(
        code="appraisal.referrals",
        label=_("全员营销推荐客户数"),
        unit=MetricUnit.COUNT,
        values=_referrals,
        drill=_referral_drill,
        app="appraisal",
    )
)
PUBLISHED_RESULTS = (
    # code, label, unit, values, drill, grains
    ("appraisal.average_score", _("考核平均分"), MetricUnit.SCORE, _average, _results_drill(), None),
    ("appraisal.top_grade_count", _("最高等级人数（优秀）"), MetricUnit.COUNT, _band_count("-min_score"),
     _results_drill("top"), None),
    ("appraisal.lowest_grade_count", _("最低等级人数（不合格）"), MetricUnit.COUNT, _band_count("min_score"),
     _results_drill("lowest"), None),
    ("appraisal.published_on_time", _("考核结果按时发布率"), MetricUnit.RATE, _on_time, _results_drill(),
     frozenset({"site"})),
)  # fmt: skip
for code, label, unit, values, drill, grains in PUBLISHED_RESULTS:
    register(
        Metric(
            code=code,
            label=label,
            unit=unit,
            values=values,
            drill=drill,
            grains=grains or frozenset(UNIT),
            periods=MONTH,
            app="appraisal",
        )
    )
