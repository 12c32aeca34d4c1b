"""What the marketing pages show, assembled from selectors: summaries, drill-down links, chart options."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from opscenter.marketing import selectors
from opscenter.marketing.choices import AttributionModel
from opscenter.marketing.models import Campaign
from opscenter.marketing.roi import Counts, RoiRow
from opscenter.pipeline.choices import FunnelView
from opscenter.pipeline.periods import month_key
from opscenter.pipeline.selectors import FunnelFilters


@dataclass
class CampaignSummary:
    roi: selectors.CampaignRoi
    filters: FunnelFilters

    def rows_url(self, metric: str, model: str) -> str:
        return roi_rows_url(self.filters, campaign_id=self.roi.campaign.pk, metric=metric, model=model)

    @property
    def links(self) -> dict[str, dict[str, str]]:
        return {
            model: {metric: self.rows_url(metric, model) for metric in ("consultations", "visits", "deals")}
            for model in AttributionModel.values
        }

    @property
    def spend_url(self) -> str:
        return reverse("marketing:cost_line_list") + "?" + urlencode({"campaign": self.roi.campaign.pk})


def campaign_summary(*, user, campaign: Campaign) -> CampaignSummary:
    """A campaign's results since its start month (event view: events on or after that month),
    under first and last touch, against all of its spend (a print run paid before the event counts)."""
    start = month_key(campaign.starts_on)
    filters = FunnelFilters(
        month_from=start,
        month_to=max(start, month_key(timezone.localdate())),
        view=FunnelView.EVENT,
        site_id=campaign.site_id,
    )
    first = selectors.attributed_counts(
        user=user, filters=filters, model=AttributionModel.FIRST_TOUCH, campaign_id=campaign.pk
    )
    last = selectors.attributed_counts(
        user=user, filters=filters, model=AttributionModel.LAST_TOUCH, campaign_id=campaign.pk
    )
    spend = selectors.campaign_spend_total(user=user, campaign_id=campaign.pk)
    roi = selectors.CampaignRoi(
        campaign=campaign,
        first=RoiRow(campaign.pk, campaign.name, spend, first.get(campaign.pk, Counts())),
        last=RoiRow(campaign.pk, campaign.name, spend, last.get(campaign.pk, Counts())),
    )
    return CampaignSummary(roi=roi, filters=filters)


def roi_rows_url(filters: FunnelFilters, *, campaign_id: int, metric: str, model: str) -> str:
    params = {**filters.as_params(), "campaign": campaign_id, "metric": metric, "model": model}
    return reverse("marketing:roi_rows") + "?" + urlencode(params)


def funnel_rows_url(filters: FunnelFilters, *, metric: str, **narrow) -> str:
    """The pipeline's own drill-down of a funnel cell (channel and month rows are funnel cells)."""
    params = {**filters.as_params(), "metric": metric, **{k: v for k, v in narrow.items() if v is not None}}
    return reverse("pipeline:funnel_rows") + "?" + urlencode(params)


def spend_rows_url(**params) -> str:
    return (
        reverse("marketing:cost_line_list")
        + "?"
        + urlencode({k: v for k, v in params.items() if v is not None})
    )


def _month_param(key: int) -> str:
    return f"{key // 100}-{key % 100:02d}"


def month_params(filters: FunnelFilters, month: int) -> dict[str, str]:
    return {"month_from": _month_param(month), "month_to": _month_param(month)}


def roi_chart(rows: list[RoiRow], title: str) -> dict:
    """ECharts option: spend and revenue bars (yuan) per row, revenue ÷ spend as a line."""
    labels = [str(r.label) for r in rows]
    return {
        "title": {"text": title, "left": "center", "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "axis"},
        "legend": {"bottom": 0},
        "grid": {"left": 60, "right": 60, "bottom": 60},
        "xAxis": {"type": "category", "data": labels, "axisLabel": {"rotate": 30 if len(labels) > 6 else 0}},
        "yAxis": [{"type": "value", "name": _("元")}, {"type": "value", "name": _("收入÷费用")}],
        "series": [
            {"name": _("营销费用"), "type": "bar", "data": [r.spend_fen / 100 for r in rows]},
            {"name": _("成交金额"), "type": "bar", "data": [r.counts.revenue_fen / 100 for r in rows]},
            {
                "name": _("收入÷费用"),
                "type": "line",
                "yAxisIndex": 1,
                "data": [float(r.return_on_spend) if r.return_on_spend is not None else None for r in rows],
            },
        ],
    }


def follower_chart(points: list[tuple[str, int, int]]) -> dict:
    """ECharts option: cumulative followers (line) and reads per month (bars)."""
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"bottom": 0},
        "grid": {"left": 60, "right": 60, "bottom": 60},
        "xAxis": {"type": "category", "data": [p[0] for p in points]},
        "yAxis": [{"type": "value", "name": _("关注人数")}, {"type": "value", "name": _("阅读数")}],
        "series": [
            {"name": _("累计关注"), "type": "line", "data": [p[1] for p in points]},
            {"name": _("阅读数"), "type": "bar", "yAxisIndex": 1, "data": [p[2] for p in points]},
        ],
    }
