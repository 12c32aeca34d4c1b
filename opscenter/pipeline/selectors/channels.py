"""The funnel of a period grouped by source channel instead of by month.

Target decomposition back-solves each channel with its own rates, so it needs every channel's
trailing totals at once. Asking `funnel(channel_id=c)` per channel would cost five queries per
channel; this runs the same aggregates (the same `_base` scoping and filters, the same `METRICS`
conditions) once, grouped by `channel_id`, so the whole breakdown stays five queries however many
channels a site has. Each channel row equals `funnel(..., channel_id=c).total`, and the rows add
up to `funnel(...).total` (the total's distinct deal customers is counted over the whole period,
as the funnel does, because a customer whose source changed could sit in two channels).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Sum

from opscenter.pipeline.models import Deal
from opscenter.pipeline.selectors.funnel import _MODELS, _SIGNED, METRICS, FunnelFilters, FunnelRow, _base


@dataclass
class ChannelFunnel:
    """Funnel totals of the period per channel (`None` = customers recorded without a channel),
    only channels with at least one counted row, and the total of all of them."""

    filters: FunnelFilters
    rows: dict[int | None, FunnelRow]
    total: FunnelRow

    def row(self, channel_id: int | None) -> FunnelRow:
        """The channel's totals; an all-zero row for a channel without history."""
        return self.rows.get(channel_id) or FunnelRow(month=None)


def funnel_by_channel(*, user, filters: FunnelFilters) -> ChannelFunnel:
    """The funnel for `filters` in total per source channel (five aggregate queries)."""
    rows: dict[int | None, FunnelRow] = {}
    for model in _MODELS:
        annotations: dict[str, Any] = {
            key: Count("site_id", filter=metric.condition)
            for key, metric in METRICS.items()
            if metric.model is model
        }
        if model is Deal:
            annotations["revenue_fen"] = Sum("amount_fen", filter=_SIGNED)
            # Distinct within the channel and the whole period: the channel's 人均贡献额 is the
            # same number `funnel(channel_id=c).total` gives.
            annotations["deal_customers"] = Count("customer_id", distinct=True, filter=_SIGNED)
        grouped = (
            _base(user, model, filters).values("channel_id").annotate(**annotations).order_by("channel_id")
        )
        for values in grouped:
            row = rows.setdefault(values["channel_id"], FunnelRow(month=None))
            for key in annotations:
                if key in METRICS:
                    row.counts[key] = values[key]
            if model is Deal:
                row.revenue_fen = values["revenue_fen"] or 0
                row.deal_customers = values["deal_customers"]
    total = FunnelRow(month=None)
    for row in rows.values():
        for key in METRICS:
            total.counts[key] += row.counts[key]
        total.revenue_fen += row.revenue_fen
    total.deal_customers = (
        _base(user, Deal, filters).filter(_SIGNED).aggregate(n=Count("customer_id", distinct=True))["n"]
        if total.counts["deals"]
        else 0
    )
    return ChannelFunnel(filters=filters, rows=rows, total=total)
