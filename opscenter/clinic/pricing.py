"""Quote pricing as a pure function (no database): the discount ladder and the birthday-month
折上折, or a campaign price.

Rule (written down once, shown on the quote):
* a line with a campaign price (活动价) is quantity × campaign price; no further discount;
* otherwise quantity × list price × member rate (the tier's 消费折扣) × birthday rate (生日当月
  8.8折, on top, when the tier grants it and the quote falls in the birthday month);
* the exact product is rounded once, half up, to the fen.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from opscenter.members.rules import discount_label


@dataclass(frozen=True)
class PricedLine:
    list_amount_fen: int
    amount_fen: int
    rule: str


def price_line(
    *,
    list_price_fen: int,
    quantity: int,
    member_rate: Decimal | None = None,
    birthday_rate: Decimal | None = None,
    campaign_price_fen: int | None = None,
) -> PricedLine:
    """The amount of one quote line and the rule that produced it."""
    list_amount = list_price_fen * quantity
    if campaign_price_fen is not None:
        return PricedLine(list_amount, campaign_price_fen * quantity, _("活动价"))
    exact = Decimal(list_amount)
    parts = []
    if member_rate is not None:
        exact *= member_rate
        parts.append(_("会员%(rate)s") % {"rate": discount_label(member_rate)})
    if birthday_rate is not None:
        exact *= birthday_rate
        parts.append(_("生日当月%(rate)s（折上折）") % {"rate": discount_label(birthday_rate)})
    amount = int(exact.quantize(Decimal(1), ROUND_HALF_UP))
    return PricedLine(list_amount, amount, _("，").join(parts) if parts else _("原价"))
