"""ROI arithmetic over plain numbers: cost per consultation / visit / deal and revenue ÷ spend.

Cost per X = spend ÷ X, rounded half-up to the fen (None when X is 0); revenue ÷ spend is a
Decimal with 2 places (None when nothing was spent).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal


def cost_per(spend_fen: int, count: int) -> int | None:
    if not count:
        return None
    return int((Decimal(spend_fen) / count).quantize(Decimal(1), ROUND_HALF_UP))


def return_on_spend(revenue_fen: int, spend_fen: int) -> Decimal | None:
    if not spend_fen:
        return None
    return (Decimal(revenue_fen) / Decimal(spend_fen)).quantize(Decimal("0.01"), ROUND_HALF_UP)


@dataclass
class Counts:
    consultations: int = 0
    visits: int = 0
    deals: int = 0
    revenue_fen: int = 0

    def add(self, other: Counts) -> None:
        self.consultations += other.consultations
        self.visits += other.visits
        self.deals += other.deals
        self.revenue_fen += other.revenue_fen


@dataclass
class RoiRow:
    """One row of an ROI table: spend and the results credited to the row's key."""

    key: object
    label: str
    spend_fen: int = 0
    counts: Counts = field(default_factory=Counts)

    @property
    def cost_per_consultation_fen(self) -> int | None:
        return cost_per(self.spend_fen, self.counts.consultations)

    @property
    def cost_per_visit_fen(self) -> int | None:
        return cost_per(self.spend_fen, self.counts.visits)

    @property
    def cost_per_deal_fen(self) -> int | None:
        return cost_per(self.spend_fen, self.counts.deals)

    @property
    def return_on_spend(self) -> Decimal | None:
        return return_on_spend(self.counts.revenue_fen, self.spend_fen)
