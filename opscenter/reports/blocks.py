"""The report-block registry: a block is a titled list of registered metric codes.

A block shows only the metrics that are registered and answer the report's grain and period; a
block none of whose metrics is available is left out (so a call-center block appears once the
call-center app registers its metrics). Apps add blocks from their own `report_blocks.py`:

    from opscenter.reports.blocks import ReportBlock, register_block
    register_block(ReportBlock("care", _("照护与风险"), ("care.incidents", "care.occupancy"), order=70))
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from opscenter.metrics import Metric, all_metrics


@dataclass(frozen=True)
class ReportBlock:
    code: str
    label: object
    metrics: tuple[str, ...]
    order: int = 100
    chart: bool = False  # draw current / previous / last year as bars (count metrics)


_BLOCKS: dict[str, ReportBlock] = {}


def register_block(block: ReportBlock) -> ReportBlock:
    _BLOCKS[block.code] = block
    return block


def available_blocks(*, grain: str, period: str) -> list[tuple[ReportBlock, list[Metric]]]:
    """Blocks with the metrics that exist and support `grain` × `period`, in order; empty ones out."""
    registry = all_metrics()
    out = []
    for block in sorted(_BLOCKS.values(), key=lambda b: (b.order, b.code)):
        metrics = [
            registry[c] for c in block.metrics if c in registry and registry[c].supports(grain, period)
        ]
        if metrics:
            out.append((block, metrics))
    return out


register_block(
    ReportBlock(
        "funnel",
        _("客户漏斗"),
        (
            "targets.consultations",
            "targets.appointments",
            "targets.visits",
            "targets.deals",
            "targets.revenue_fen",
        ),
        order=10,
        chart=True,
    )
)
register_block(
    ReportBlock(
        "targets",
        _("目标"),
        (
            "targets.target.revenue_fen",
            "targets.target.deals",
            "targets.target.visits",
            "targets.target.consultations",
            "targets.followups_done",
        ),
        order=20,
    )
)
register_block(
    ReportBlock("members", _("会员"), ("members.tier_upgrades", "members.care_tasks_done"), order=30)
)
register_block(
    ReportBlock(
        "commitments",
        _("服务承诺与工单"),
        (
            "commitments.on_time_rate",
            "commitments.breaches",
            "commitments.work_orders_opened",
            "commitments.work_orders_overdue",
        ),
        order=40,
        chart=True,
    )
)
register_block(
    ReportBlock(
        "complaints",
        _("投诉"),
        ("commitments.complaints", "commitments.complaints_escalated", "commitments.complaints_head_office"),
        order=50,
    )
)
register_block(
    ReportBlock(
        "workday",
        _("工作日清"),
        ("workday.submissions_due", "workday.submissions_late", "workday.submissions_missing"),
        order=80,
    )
)
