"""Budget vs actual per month and channel, and the share of spend in revenue."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Sum

from opscenter.marketing.models import Budget
from opscenter.marketing.selectors.records import _scoped, cost_line_list
from opscenter.marketing.selectors.roi import spend_share
from opscenter.pipeline import selectors as pipeline
from opscenter.pipeline.choices import FunnelView
from opscenter.pipeline.models import Channel
from opscenter.pipeline.periods import month_label, month_span


@dataclass
class BudgetCell:
    budget_fen: int = 0
    actual_fen: int = 0
    month: int = 0

    @property
    def month_param(self) -> str:
        return f"{self.month // 100}-{self.month % 100:02d}"

    @property
    def variance_fen(self) -> int:
        return self.budget_fen - self.actual_fen


@dataclass
class BudgetRow:
    channel_id: int | None
    label: str
    cells: dict[int, BudgetCell] = field(default_factory=dict)

    @property
    def cell_list(self) -> list[BudgetCell]:
        return [self.cells[m] for m in sorted(self.cells)]

    @property
    def total(self) -> BudgetCell:
        return BudgetCell(
            sum(c.budget_fen for c in self.cells.values()), sum(c.actual_fen for c in self.cells.values())
        )


@dataclass
class BudgetTable:
    months: list[int]
    rows: list[BudgetRow]
    total: BudgetRow
    revenue_fen: dict[int, int]

    @property
    def month_labels(self) -> list[tuple[int, str]]:
        return [(m, month_label(m)) for m in self.months]

    @property
    def revenue_list(self) -> list[int]:
        return [self.revenue_fen.get(m, 0) for m in self.months]

    @property
    def share_list(self) -> list:
        return [self.share(m) for m in self.months]

    def share(self, month: int):
        return spend_share(self.total.cells[month].actual_fen, self.revenue_fen.get(month, 0))

    @property
    def total_share(self):
        return spend_share(self.total.total.actual_fen, sum(self.revenue_fen.values()))


def budget_vs_actual(*, user, site_id: int | None, month_from: int, month_to: int) -> BudgetTable:
    """Budget and actual spend per channel × month (three queries plus the funnel's revenue, which
    is counted in the event view: spend and revenue of the same calendar month)."""
    months = month_span(month_from, month_to)
    budgets = _scoped(user, Budget.objects.all(), "marketing.view_budget").filter(
        month__gte=month_from, month__lte=month_to
    )
    if site_id:
        budgets = budgets.filter(site_id=site_id)
    planned = budgets.values_list("channel_id", "month").annotate(total=Sum("amount_fen")).order_by()
    actual = (
        cost_line_list(user=user, site_id=site_id, month_from=month_from, month_to=month_to)
        .values_list("channel_id", "month")
        .annotate(total=Sum("amount_fen"))
        .order_by()
    )
    rows: dict[int | None, BudgetRow] = {}

    def row(channel_id: int | None) -> BudgetRow:
        if channel_id not in rows:
            rows[channel_id] = BudgetRow(channel_id, "", {m: BudgetCell(month=m) for m in months})
        return rows[channel_id]

    for channel_id, month, total in planned:
        row(channel_id).cells[month].budget_fen += total
    for channel_id, month, total in actual:
        row(channel_id).cells[month].actual_fen += total
    names = dict(Channel.objects.filter(pk__in=[pk for pk in rows if pk]).values_list("pk", "name"))
    for pk, r in rows.items():
        r.label = names.get(pk, "") if pk else "—"
    ordered = sorted(rows.values(), key=lambda r: (r.channel_id is None, r.label))
    total = BudgetRow(None, "", {m: BudgetCell(month=m) for m in months})
    for r in ordered:
        for m, cell in r.cells.items():
            total.cells[m].budget_fen += cell.budget_fen
            total.cells[m].actual_fen += cell.actual_fen
    filters = pipeline.FunnelFilters(
        month_from=month_from, month_to=month_to, view=FunnelView.EVENT, site_id=site_id
    )
    revenue = dict(
        pipeline.funnel_rows(user=user, metric="deals", filters=filters)
        .values_list("month")
        .annotate(total=Sum("amount_fen"))
        .order_by()
    )
    return BudgetTable(months=months, rows=ordered, total=total, revenue_fen=revenue)
