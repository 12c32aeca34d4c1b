"""Choices and lifecycle transition maps of the customer pipeline (DESIGN.md glossary)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ChannelKind(models.TextChoices):
    """Where a customer came from (渠道). Offline channels usually name a partner."""

    REFERRAL = "referral", _("转介绍/口碑")
    OFFLINE = "offline", _("线下渠道")
    ONLINE = "online", _("线上")
    PHONE = "phone", _("电话")
    WALK_IN = "walk_in", _("自然上门")
    OTHER = "other", _("其他")


class Gender(models.TextChoices):
    MALE = "male", _("男")
    FEMALE = "female", _("女")
    UNKNOWN = "unknown", _("未知")


class CustomerStatus(models.TextChoices):
    PROSPECT = "prospect", _("潜在客户")
    CUSTOMER = "customer", pgettext_lazy("customer status", "客户")
    MEMBER = "member", pgettext_lazy("customer status", "会员")
    EXITED = "exited", _("已退出")


# prospect → customer on the first signed deal; an exited customer who enquires again is a prospect.
CUSTOMER_TRANSITIONS: dict[str, set[str]] = {
    CustomerStatus.PROSPECT: {CustomerStatus.CUSTOMER, CustomerStatus.EXITED},
    CustomerStatus.CUSTOMER: {CustomerStatus.MEMBER, CustomerStatus.EXITED},
    CustomerStatus.MEMBER: {CustomerStatus.CUSTOMER, CustomerStatus.EXITED},
    CustomerStatus.EXITED: {CustomerStatus.PROSPECT},
}


class ConsultationMode(models.TextChoices):
    PHONE = "phone", _("电话咨询")
    ONLINE = "online", _("网络咨询")
    ONSITE = "onsite", _("现场咨询")


class IntentLevel(models.TextChoices):
    HIGH = "high", _("高")
    MEDIUM = "medium", _("中")
    LOW = "low", _("低")
    NONE = "none", _("无意向")


class AppointmentMode(models.TextChoices):
    PHONE = "phone", _("电话预约")
    ONLINE = "online", _("网络预约")


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", _("已预约")
    ARRIVED = "arrived", _("已到院")
    NO_SHOW = "no_show", _("爽约")
    CANCELLED = "cancelled", _("已取消")
    RESCHEDULED = "rescheduled", _("已改期")


# Only a booked appointment moves; a reschedule closes this one and books a new one.
APPOINTMENT_TRANSITIONS: dict[str, set[str]] = {
    AppointmentStatus.BOOKED: {
        AppointmentStatus.ARRIVED,
        AppointmentStatus.NO_SHOW,
        AppointmentStatus.CANCELLED,
        AppointmentStatus.RESCHEDULED,
    },
    AppointmentStatus.ARRIVED: set(),
    AppointmentStatus.NO_SHOW: set(),
    AppointmentStatus.CANCELLED: set(),
    AppointmentStatus.RESCHEDULED: set(),
}


class VisitSource(models.TextChoices):
    """How the visit came about: seed 004 counts 电话上门量, 网络上门量 and 自然上门量 apart."""

    PHONE = "phone", _("电话上门")
    ONLINE = "online", _("网络上门")
    WALK_IN = "walk_in", _("自然上门")


class VisitKind(models.TextChoices):
    TOUR = "tour", _("参观")
    CONSULTATION = "consultation", _("现场咨询")


class VisitOutcome(models.TextChoices):
    PENDING = "pending", _("待跟进")
    CONSIDERING = "considering", _("考虑中")
    DEAL = "deal", _("成交")
    LOST = "lost", _("未成交")


class CareZone(models.TextChoices):
    ASSISTED = "assisted", _("协助照料区")
    REHAB = "rehab", _("康复护理区")
    DEMENTIA = "dementia", _("失智区")


class AssessorRole(models.TextChoices):
    MARKETING = "marketing", _("市场部")
    NURSING = "nursing", _("护理部")
    OTHER = "other", _("其他")


class StayType(models.TextChoices):
    TRIAL = "trial", _("试住")
    SHORT = "short", _("短住")
    LONG = "long", _("长住")


class DealStatus(models.TextChoices):
    SIGNED = "signed", _("已签约")
    CANCELLED = "cancelled", _("已作废")


DEAL_TRANSITIONS: dict[str, set[str]] = {
    DealStatus.SIGNED: {DealStatus.CANCELLED},
    DealStatus.CANCELLED: set(),
}


class ItemCategory(models.TextChoices):
    """Category of a deal line or transaction; the member-tier rules read these."""

    SKIN = "skin", _("皮肤美容")
    SKIN_PACKAGE = "skin_package", _("皮肤套餐")
    NON_INVASIVE = "non_invasive", _("无创/微整")
    PLASTIC = "plastic", _("整形美容")
    DENTAL = "dental", _("口腔美容")
    ACCOMMODATION = "accommodation", _("入住/床位")
    CARE = "care", _("护理服务")
    OTHER = "other", _("其他")


class TransactionKind(models.TextChoices):
    """A purchase, a refund (a reversal: a new row, never a deletion) or a gift (赠送: zero price,
    its cost kept in `cost_fen`, counted apart from revenue)."""

    PURCHASE = "purchase", _("消费")
    REFUND = "refund", _("退款")
    GIFT = "gift", _("赠送")


class FollowUpKind(models.TextChoices):
    """Care follow-ups (关怀回访) are the consultants'; clinical ones (诊疗回访) go to medical staff."""

    CARE = "care", _("关怀回访")
    CLINICAL = "clinical", _("诊疗回访")


class FollowUpChannel(models.TextChoices):
    PHONE = "phone", _("电话")
    WECHAT = "wechat", _("微信")
    SMS = "sms", _("短信")
    VISIT = "visit", _("上门/面谈")


class FollowUpOutcome(models.TextChoices):
    PENDING = "pending", _("待回访")
    REACHED = "reached", _("已回访")
    UNREACHABLE = "unreachable", _("未接通")
    COMPLAINT = "complaint", _("投诉")
    REBOOKED = "rebooked", _("再次预约")


class Satisfaction(models.IntegerChoices):
    """Ordered so that "≥ 一般" is `>= Satisfaction.AVERAGE` (member tiers, criterion C)."""

    VERY_SATISFIED = 5, _("非常满意")
    SATISFIED = 4, _("满意")
    AVERAGE = 3, _("一般")
    DISSATISFIED = 2, _("不满意")
    VERY_DISSATISFIED = 1, _("非常不满意")


class OwnershipChangeKind(models.TextChoices):
    FIRST_TOUCH = "first_touch", _("首次接触")
    CLAIM = "claim", _("保护期后认领")
    REASSIGN = "reassign", _("主管改派")


class FunnelView(models.TextChoices):
    """Which month a row counts in: the customer's first-contact month, or the event's own month."""

    COHORT = "cohort", _("按首次咨询月份（同期群）")
    EVENT = "event", _("按发生月份")


class DisputeCategory(models.TextChoices):
    TREATMENT = "treatment", _("治疗效果")
    SERVICE = "service", _("服务态度")
    PRICE = "price", _("价格收费")
    SAFETY = "safety", _("安全/并发症")
    OTHER = "other", _("其他")


class DisputeStatus(models.TextChoices):
    OPEN = "open", _("处理中")
    SETTLED = "settled", _("已解决")


class DisputeOutcome(models.TextChoices):
    REPAIRED = "repaired", _("修复后满意")
    COMPENSATED = "compensated", _("赔偿")
    REFUNDED = "refunded", _("退费")


# open → settled; a settled dispute is history (a new complaint is a new dispute).
DISPUTE_TRANSITIONS: dict[str, set[str]] = {
    DisputeStatus.OPEN: {DisputeStatus.SETTLED},
    DisputeStatus.SETTLED: set(),
}
