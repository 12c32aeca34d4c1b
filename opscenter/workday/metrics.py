"""The workday app's metrics in the one registry: submissions due, late and missing per staff,
department or site, by the day / week / month of their deadline (appraisal reads these)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.db.models.functions import TruncDay, TruncMonth, TruncWeek
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opscenter.metrics import Metric, MetricQuery, MetricUnit, MetricValue, register
from opscenter.workday.choices import SubmissionStatus

TRUNC = {"day": TruncDay, "week": TruncWeek, "month": TruncMonth}
UNIT_FIELD = {"site": "site_id", "department": "department_id", "staff": "staff_id"}


def _values(query: MetricQuery, condition: Q | None) -> dict:
    from opscenter.workday.models import Submission

    tz = timezone.get_default_timezone()
    lo = dt.datetime.combine(query.start, dt.time.min, tzinfo=tz)
    hi = dt.datetime.combine(query.end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    unit = UNIT_FIELD[query.grain]
    qs = Submission.objects.filter(due_at__gte=lo, due_at__lt=hi)
    if condition is not None:
        qs = qs.filter(condition)
    if query.unit_ids is not None:
        qs = qs.filter(**{f"{unit}__in": query.unit_ids})
    rows = (
        qs.annotate(p=TRUNC[query.period]("due_at", tzinfo=tz))
        .values(unit, "p")
        .annotate(n=Count("pk"))
        .order_by()
    )
    out = {}
    for row in rows:
        p = row["p"]
        out[(row[unit], p.date() if isinstance(p, dt.datetime) else p)] = MetricValue(row["n"])
    return out


def _drill(extra: dict, grain: str, unit_id: int, period: str, start: dt.date) -> str:
    if period == "day":
        end = start
    elif period == "week":
        end = start + dt.timedelta(days=6)
    else:
        end = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    params = {**extra, grain: unit_id, "from": start.isoformat(), "to": end.isoformat()}
    return f"{reverse('workday:submission_list')}?{urlencode(params)}"


def _register(code: str, label, condition: Q | None, extra: dict) -> None:
    register(
        Metric(
            code=code,
            label=label,
            unit=MetricUnit.COUNT,
            values=lambda q: _values(q, condition),
            drill=lambda grain, unit_id, period, start: _drill(extra, grain, unit_id, period, start),
            grains=frozenset(UNIT_FIELD),
            app="workday",
        )
    )


_register("workday.submissions_due", _("应交工作事项数"), None, {})
_register("workday.submissions_late", _("迟交次数"), Q(late=True), {"late": "1"})
_register(
    "workday.submissions_missing", _("缺交次数"), Q(status=SubmissionStatus.MISSING), {"status": "missing"}
)
