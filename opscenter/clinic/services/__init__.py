"""Writes of the clinic app (issue 19). Import from here."""

from opscenter.clinic.services.followups import clinical_answer, clinical_question_raise
from opscenter.clinic.services.orders import (
    GiftLine,
    OrderLine,
    benefit_choose,
    gift_order_create,
    order_place,
    refund_record,
)
from opscenter.clinic.services.packages import session_consume
from opscenter.clinic.services.points import points_expire, points_grant, points_redeem, points_rule_save
from opscenter.clinic.services.quotes import QuoteLineInput, quote_accept, quote_cancel, quote_create

__all__ = [
    "GiftLine",
    "OrderLine",
    "QuoteLineInput",
    "benefit_choose",
    "clinical_answer",
    "clinical_question_raise",
    "gift_order_create",
    "order_place",
    "points_expire",
    "points_grant",
    "points_redeem",
    "points_rule_save",
    "quote_accept",
    "quote_cancel",
    "quote_create",
    "refund_record",
    "session_consume",
]
