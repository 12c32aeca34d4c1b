"""Choices and lifecycle transition maps of the clinic app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class QuoteStatus(models.TextChoices):
    DRAFT = "draft", _("待确认")
    ACCEPTED = "accepted", _("已成交")
    CANCELLED = "cancelled", _("已作废")


# A quote is accepted once (it becomes an order) or cancelled; an expired quote is a draft whose
# valid-until date has passed and can only be cancelled.
QUOTE_TRANSITIONS: dict[str, set[str]] = {
    QuoteStatus.DRAFT: {QuoteStatus.ACCEPTED, QuoteStatus.CANCELLED},
    QuoteStatus.ACCEPTED: set(),
    QuoteStatus.CANCELLED: set(),
}


class PackageStatus(models.TextChoices):
    ACTIVE = "active", _("使用中")
    FINISHED = "finished", _("疗程结束")


class GiftReason(models.TextChoices):
    BENEFIT = "benefit", _("会员权益")
    COMPENSATION = "compensation", _("补偿")
    PROMOTION = "promotion", _("活动赠送")
    OTHER = "other", _("其他")


class PointsKind(models.TextChoices):
    EARN = "earn", _("消费积分")
    GRANT = "grant", _("权益赠送")
    REDEEM = "redeem", _("积分抵扣")
    EXPIRE = "expire", _("积分过期")


class BenefitChoice(models.TextChoices):
    """B 级会员 任选一项 (seed 004): 580 元皮肤护理 / 洁牙券 / 赠送积分."""

    SKIN_CARE = "skin_care", _("580元皮肤护理")
    DENTAL_VOUCHER = "dental_voucher", _("洁牙券")
    POINTS = "points", _("赠送积分")
