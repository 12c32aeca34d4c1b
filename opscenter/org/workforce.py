"""Workforce movement per month (seed 000: the marketing team shrinking from 16 to 8 and the
customers lost with the people): headcount, joiners, leavers and turnover, per department, from
the staff rows' 入职日期 / 离职日期, each number drilling down to exactly the staff it counts.

* 月末人数 (`staff_headcount`): employed on the month's last day — hired on or before it (or no
  hire date) and not left by then; a deactivated row without a leaving date is left out.
* 月初人数 (`staff_headcount_start`): the same on the month's first day.
* 入职 (`staff_joiners`) / 离职 (`staff_leavers`): hire / leaving date in the month.
* 流失率 (turnover) = leavers ÷ 月初人数 (None when nobody was employed at the start).

One aggregate query answers any months and keys (conditional counts), optionally grouped by
department.
"""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from opscenter.core.exceptions import ValidationError
from opscenter.org.models import Staff
from opscenter.org.selectors import staff_list

LABELS = {
    "staff_headcount": _("月末人数"),
    "staff_headcount_start": _("月初人数"),
    "staff_joiners": _("入职人数"),
    "staff_leavers": _("离职人数"),
}
KEYS = tuple(LABELS)


def _first(month: int) -> dt.date:
    return dt.date(month // 100, month % 100, 1)


def _last(month: int) -> dt.date:
    year, m = divmod(month, 100)
    return dt.date(year, m, calendar.monthrange(year, m)[1])


def _employed_on(day: dt.date) -> Q:
    hired = Q(hired_on__isnull=True) | Q(hired_on__lte=day)
    stayed = Q(left_on__isnull=True, is_active=True) | Q(left_on__gt=day)
    return hired & stayed


def condition(key: str, month: int) -> Q:
    if key == "staff_headcount":
        return _employed_on(_last(month))
    if key == "staff_headcount_start":
        return _employed_on(_first(month))
    if key == "staff_joiners":
        return Q(hired_on__gte=_first(month), hired_on__lte=_last(month))
    if key == "staff_leavers":
        return Q(left_on__gte=_first(month), left_on__lte=_last(month))
    raise ValidationError(gettext("未知的人员指标：%(key)s") % {"key": key}, field="metric")


def _staff(*, user, site_id=None, department_id=None, team_id=None, staff_id=None) -> QuerySet[Staff]:
    qs = staff_list(user=user, site_id=site_id)
    if staff_id is not None:  # a plan's staff unit: that person alone
        qs = qs.filter(pk=staff_id)
    if department_id is not None:
        qs = qs.filter(department_id=department_id)
    if team_id is not None:
        qs = qs.filter(team_id=team_id)
    return qs


def workforce_counts(
    *,
    user,
    months: list[int],
    keys=KEYS,
    site_id=None,
    department_id=None,
    team_id=None,
    staff_id=None,
    by_department=False,
) -> dict:
    """{month: {key: n}}, or with `by_department` {department_id: {month: {key: n}}}: one query."""
    keys = list(keys)
    annotations = {
        f"{key}__{month}": Count("pk", filter=condition(key, month)) for key in keys for month in months
    }
    qs = _staff(user=user, site_id=site_id, department_id=department_id, team_id=team_id, staff_id=staff_id)

    def unpack(values) -> dict[int, dict[str, int]]:
        return {month: {key: values[f"{key}__{month}"] for key in keys} for month in months}

    if not by_department:
        return unpack(qs.aggregate(**annotations))
    return {
        row["department_id"]: unpack(row)
        for row in qs.values("department_id").annotate(**annotations).order_by()
    }


def turnover(leavers: int, start: int) -> Decimal | None:
    if not start:
        return None
    return (Decimal(leavers) / Decimal(start)).quantize(Decimal("0.0001"), ROUND_HALF_UP)


def workforce_rows(
    *,
    user,
    key: str,
    month_from: int,
    month_to: int,
    site_id=None,
    department_id=None,
    team_id=None,
    staff_id=None,
) -> QuerySet[Staff]:
    """Exactly the staff counted in a cell: joiners / leavers of the months `month_from`..`month_to`
    (the sum of their monthly counts), headcount at the start of the first / end of the last month."""
    if key in ("staff_joiners", "staff_leavers"):
        field = "hired_on" if key == "staff_joiners" else "left_on"
        cond = Q(**{f"{field}__gte": _first(month_from), f"{field}__lte": _last(month_to)})
    else:
        cond = condition(key, month_from if key == "staff_headcount_start" else month_to)
    qs = _staff(user=user, site_id=site_id, department_id=department_id, team_id=team_id, staff_id=staff_id)
    return qs.filter(cond).select_related("department", "team").order_by("employee_no")
