"""Members' metrics in the one registry (site grain, day / week / month), each one grouped query
over the rows its drill-down lists:

* members.tier_upgrades — 会员升级数: tier changes to a better tier under the change's rule-set
  version (a first tier is not an upgrade), by evaluation date (`as_of`);
* members.care_tasks_done — 关怀任务完成数: care tasks closed as done, by the day they were done
  (Asia/Shanghai).
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.db.models import Count
from django.db.models.functions import TruncDay, TruncMonth, TruncWeek
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opscenter.metrics import Metric, MetricQuery, MetricUnit, MetricValue, register

TRUNC = {"day": TruncDay, "week": TruncWeek, "month": TruncMonth}


def _period_end(period: str, start: dt.date) -> dt.date:
    if period == "day":
        return start
    if period == "week":
        return start + dt.timedelta(days=6)
    return (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def _grouped(qs, moment, query: MetricQuery, *, tz=None) -> dict[tuple[int, dt.date], MetricValue]:
    if query.unit_ids is not None:
        qs = qs.filter(site_id__in=query.unit_ids)
    trunc = TRUNC[query.period](moment, tzinfo=tz) if tz else TRUNC[query.period](moment)
    rows = qs.order_by().annotate(p=trunc).values_list("site_id", "p").annotate(n=Count("pk"))
    return {
        (site_id, p.date() if isinstance(p, dt.datetime) else p): MetricValue(n) for site_id, p, n in rows
    }


def _upgrades(query: MetricQuery) -> dict[tuple[int, dt.date], MetricValue]:
    from opscenter.members.models import TierChange
    from opscenter.members.selectors import upgrade_condition

    qs = TierChange.objects.filter(
        customer__is_deleted=False, as_of__gte=query.start, as_of__lte=query.end
    ).filter(upgrade_condition(site_ids=query.unit_ids))
    return _grouped(qs, "as_of", query)


def _care_done(query: MetricQuery) -> dict[tuple[int, dt.date], MetricValue]:
    from opscenter.members.models import CareTask
    from opscenter.members.selectors import done_between

    qs = done_between(CareTask.objects.filter(customer__is_deleted=False), query.start, query.end)
    return _grouped(qs, "done_at", query, tz=timezone.get_default_timezone())


def _drill(view: str, extra: dict):
    def drill(grain: str, unit_id: int, period: str, start: dt.date) -> str:
        params = {
            **extra,
            "site": unit_id,
            "from": start.isoformat(),
            "to": _period_end(period, start).isoformat(),
        }
        return f"{reverse(view)}?{urlencode(params)}"

    return drill


for code, label, values, view, extra in (
    ("members.tier_upgrades", _("会员升级数"), _upgrades, "members:tier_upgrade_list", {}),
    ("members.care_tasks_done", _("关怀任务完成数"), _care_done, "members:caretask_list", {"status": "done"}),
):
    register(
        Metric(
            code=code,
            label=label,
            unit=MetricUnit.COUNT,
            values=values,
            drill=_drill(view, extra),
            grains=frozenset({"site"}),
            app="members",
        )
    )
