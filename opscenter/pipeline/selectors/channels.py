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

from opscenter.pipeline.selectors.funnel import FunnelFilters, FunnelRow, grouped_funnel_rows


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
    total = grouped_funnel_rows(user=user, filters=filters, group_by="channel_id", rows=rows)
    return ChannelFunnel(filters=filters, rows=rows, total=total)
