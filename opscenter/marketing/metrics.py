"""The marketing app's metrics, registered into the one registry (`opscenter.metrics`).

All at site grain, by calendar month (spend also by day and week): each answers every site and
period asked with one or two grouped queries. Deals and revenue are the pipeline funnel's `deals`
rows (signed, not imported history) in the event view — the month they were signed — the same
rows the ROI page's month tab shows in its event view.

* marketing.spend — 营销费用 (fen), cost lines incl. reversals, by the line's date;
* marketing.cost_per_deal — 单笔成交成本: spend ÷ signed deals of the month (fen per deal);
* marketing.return_on_spend — 收入÷费用: revenue ÷ spend of the month;
* marketing.spend_share — 费用占收入比: spend ÷ revenue of the month;
* marketing.invitations_attended — 集中邀约到场人数, by the invitation's status change.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.db.models import Count, Sum
from django.db.models.functions import TruncDay, TruncMonth, TruncWeek
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opscenter.metrics import Metric, MetricQuery, MetricUnit, MetricValue, register

TRUNC = {"day": TruncDay, "week": TruncWeek, "month": TruncMonth}
SITE = frozenset({"site"})
MONTH = frozenset({"month"})


def _day(value) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def _spend(query: MetricQuery) -> dict[tuple[int, dt.date], int]:
    from opscenter.marketing.models import CostLine

    qs = CostLine.objects.filter(spent_on__gte=query.start, spent_on__lte=query.end)
    if query.unit_ids is not None:
        qs = qs.filter(site_id__in=query.unit_ids)
    rows = (
        qs.annotate(p=TRUNC[query.period]("spent_on"))
        .values("site_id", "p")
        .annotate(total=Sum("amount_fen"))
        .order_by()
    )
    return {(r["site_id"], _day(r["p"])): r["total"] or 0 for r in rows}


def _deals(query: MetricQuery) -> dict[tuple[int, dt.date], tuple[int, int]]:
    from opscenter.pipeline.choices import DealStatus
    from opscenter.pipeline.models import Deal

    qs = Deal.objects.filter(
        status=DealStatus.SIGNED, is_history=False, signed_on__gte=query.start, signed_on__lte=query.end
    )
    if query.unit_ids is not None:
        qs = qs.filter(site_id__in=query.unit_ids)
    rows = (
        qs.annotate(p=TruncMonth("signed_on"))
        .values("site_id", "p")
        .annotate(n=Count("pk"), revenue=Sum("amount_fen"))
        .order_by()
    )
    return {(r["site_id"], _day(r["p"])): (r["n"], r["revenue"] or 0) for r in rows}


def _spend_values(query: MetricQuery) -> dict:
    return {key: MetricValue(total) for key, total in _spend(query).items()}


def _cost_per_deal(query: MetricQuery) -> dict:
    spend, deals = _spend(query), _deals(query)
    return {
        key: MetricValue(spend.get(key, 0), deals.get(key, (0, 0))[0]) for key in spend.keys() | deals.keys()
    }


def _return_on_spend(query: MetricQuery) -> dict:
    spend, deals = _spend(query), _deals(query)
    return {
        key: MetricValue(deals.get(key, (0, 0))[1], spend.get(key, 0)) for key in spend.keys() | deals.keys()
    }


def _spend_share(query: MetricQuery) -> dict:
    spend, deals = _spend(query), _deals(query)
    return {
        key: MetricValue(spend.get(key, 0), deals.get(key, (0, 0))[1]) for key in spend.keys() | deals.keys()
    }


def _attended(query: MetricQuery) -> dict:
    from opscenter.marketing.choices import InvitationStatus
    from opscenter.marketing.models import Invitation

    tz = timezone.get_default_timezone()
    start = dt.datetime.combine(query.start, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(query.end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    qs = Invitation.objects.filter(
        status=InvitationStatus.ATTENDED, status_changed_at__gte=start, status_changed_at__lt=end
    )
    if query.unit_ids is not None:
        qs = qs.filter(campaign__site_id__in=query.unit_ids)
    rows = (
        qs.annotate(p=TRUNC[query.period]("status_changed_at", tzinfo=tz))
        .values("campaign__site_id", "p")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {(r["campaign__site_id"], _day(r["p"])): MetricValue(r["n"]) for r in rows}


def _month_range(period: str, start: dt.date) -> tuple[str, str]:
    from opscenter.metrics.registry import period_starts

    last = period_starts(start, start, period)[0]
    if period == "month":
        end = (last.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    elif period == "week":
        end = last + dt.timedelta(days=6)
    else:
        end = last
    return f"{last:%Y-%m}", f"{end:%Y-%m}"


def _drill_costs(grain: str, unit_id: int, period: str, start: dt.date) -> str:
    first, last = _month_range(period, start)
    return reverse("marketing:cost_line_list") + "?" + urlencode({"month_from": first, "month_to": last})


def _drill_roi(grain: str, unit_id: int, period: str, start: dt.date) -> str:
    first, last = _month_range(period, start)
    params = {"tab": "month", "view": "event", "site": unit_id, "month_from": first, "month_to": last}
    return reverse("marketing:roi") + "?" + urlencode(params)


def _drill_campaigns(grain: str, unit_id: int, period: str, start: dt.date) -> str:
    return reverse("marketing:campaign_list")


for code, label, unit, values, drill, periods in (
    ("marketing.spend", _("营销费用"), MetricUnit.MONEY_FEN, _spend_values, _drill_costs, None),
    ("marketing.cost_per_deal", _("单笔成交成本"), MetricUnit.MONEY_FEN, _cost_per_deal, _drill_roi, MONTH),
    ("marketing.return_on_spend", _("收入÷营销费用"), MetricUnit.RATE, _return_on_spend, _drill_roi, MONTH),
    ("marketing.spend_share", _("营销费用占收入比"), MetricUnit.RATE, _spend_share, _drill_roi, MONTH),
    (
        "marketing.invitations_attended",
        _("集中邀约到场人数"),
        MetricUnit.COUNT,
        _attended,
        _drill_campaigns,
        None,
    ),
):
    kwargs = {"periods": periods} if periods else {}
    register(
        Metric(
            code=code,
            label=label,
            unit=unit,
            values=values,
            drill=drill,
            grains=SITE,
            app="marketing",
            **kwargs,
        )
    )
