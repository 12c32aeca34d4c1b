"""Choices and lifecycle transition maps of the customer pipeline (DESIGN.md glossary)."""

from django.db import models


class ChannelKind(models.TextChoices):
    """Where a customer came from (渠道). Offline channels usually name a partner."""

    REFERRAL = "referral", "转介绍/口碑"
    OFFLINE = "offline", "线下渠道"
    ONLINE = "online", "线上"
    PHONE = "phone", "电话"
    WALK_IN = "walk_in", "自然上门"
    OTHER = "other", "其他"


class Gender(models.TextChoices):
    MALE = "male", "男"
    FEMALE = "female", "女"
    UNKNOWN = "unknown", "未知"


class CustomerStatus(models.TextChoices):
    PROSPECT = "prospect", "潜在客户"
    CUSTOMER = "customer", "客户"
    MEMBER = "member", "会员"
    EXITED = "exited", "已退出"


# prospect → customer on the first signed deal; an exited customer who enquires again is a prospect.
CUSTOMER_TRANSITIONS: dict[str, set[str]] = {
    CustomerStatus.PROSPECT: {CustomerStatus.CUSTOMER, CustomerStatus.EXITED},
    CustomerStatus.CUSTOMER: {CustomerStatus.MEMBER, CustomerStatus.EXITED},
    CustomerStatus.MEMBER: {CustomerStatus.CUSTOMER, CustomerStatus.EXITED},
    CustomerStatus.EXITED: {CustomerStatus.PROSPECT},
}


class ConsultationMode(models.TextChoices):
    PHONE = "phone", "电话咨询"
    ONLINE = "online", "网络咨询"
    ONSITE = "onsite", "现场咨询"


class IntentLevel(models.TextChoices):
    HIGH = "high", "高"
    MEDIUM = "medium", "中"
    LOW = "low", "低"
    NONE = "none", "无意向"


class AppointmentMode(models.TextChoices):
    PHONE = "phone", "电话预约"
    ONLINE = "online", "网络预约"


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", "已预约"
    ARRIVED = "arrived", "已到院"
    NO_SHOW = "no_show", "爽约"
    CANCELLED = "cancelled", "已取消"
    RESCHEDULED = "rescheduled", "已改期"


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

    PHONE = "phone", "电话上门"
    ONLINE = "online", "网络上门"
    WALK_IN = "walk_in", "自然上门"


class VisitKind(models.TextChoices):
    TOUR = "tour", "参观"
    CONSULTATION = "consultation", "现场咨询"


class VisitOutcome(models.TextChoices):
    PENDING = "pending", "待跟进"
    CONSIDERING = "considering", "考虑中"
    DEAL = "deal", "成交"
    LOST = "lost", "未成交"


class CareZone(models.TextChoices):
    ASSISTED = "assisted", "协助照料区"
    REHAB = "rehab", "康复护理区"
    DEMENTIA = "dementia", "失智区"


class AssessorRole(models.TextChoices):
    MARKETING = "marketing", "市场部"
    NURSING = "nursing", "护理部"
    OTHER = "other", "其他"


class StayType(models.TextChoices):
    TRIAL = "trial", "试住"
    SHORT = "short", "短住"
    LONG = "long", "长住"


class DealStatus(models.TextChoices):
    SIGNED = "signed", "已签约"
    CANCELLED = "cancelled", "已作废"


DEAL_TRANSITIONS: dict[str, set[str]] = {
    DealStatus.SIGNED: {DealStatus.CANCELLED},
    DealStatus.CANCELLED: set(),
}


class ItemCategory(models.TextChoices):
    """Category of a deal line or transaction; the member-tier rules read these."""

    SKIN = "skin", "皮肤美容"
    SKIN_PACKAGE = "skin_package", "皮肤套餐"
    NON_INVASIVE = "non_invasive", "无创/微整"
    PLASTIC = "plastic", "整形美容"
    DENTAL = "dental", "口腔美容"
    ACCOMMODATION = "accommodation", "入住/床位"
    CARE = "care", "护理服务"
    OTHER = "other", "其他"


class TransactionKind(models.TextChoices):
    PURCHASE = "purchase", "消费"
    REFUND = "refund", "退款"


class FollowUpChannel(models.TextChoices):
    PHONE = "phone", "电话"
    WECHAT = "wechat", "微信"
    SMS = "sms", "短信"
    VISIT = "visit", "上门/面谈"


class FollowUpOutcome(models.TextChoices):
    PENDING = "pending", "待回访"
    REACHED = "reached", "已回访"
    UNREACHABLE = "unreachable", "未接通"
    COMPLAINT = "complaint", "投诉"
    REBOOKED = "rebooked", "再次预约"


class Satisfaction(models.IntegerChoices):
    """Ordered so that "≥ 一般" is `>= Satisfaction.AVERAGE` (member tiers, criterion C)."""

    VERY_SATISFIED = 5, "非常满意"
    SATISFIED = 4, "满意"
    AVERAGE = 3, "一般"
    DISSATISFIED = 2, "不满意"
    VERY_DISSATISFIED = 1, "非常不满意"


class OwnershipChangeKind(models.TextChoices):
    FIRST_TOUCH = "first_touch", "首次接触"
    CLAIM = "claim", "保护期后认领"
    REASSIGN = "reassign", "主管改派"


class FunnelView(models.TextChoices):
    """Which month a row counts in: the customer's first-contact month, or the event's own month."""

    COHORT = "cohort", "按首次咨询月份（同期群）"
    EVENT = "event", "按发生月份"


class DisputeCategory(models.TextChoices):
    TREATMENT = "treatment", "治疗效果"
    SERVICE = "service", "服务态度"
    PRICE = "price", "价格收费"
    SAFETY = "safety", "安全/并发症"
    OTHER = "other", "其他"


class DisputeStatus(models.TextChoices):
    OPEN = "open", "处理中"
    SETTLED = "settled", "已解决"


class DisputeOutcome(models.TextChoices):
    REPAIRED = "repaired", "修复后满意"
    COMPENSATED = "compensated", "赔偿"
    REFUNDED = "refunded", "退费"


# open → settled; a settled dispute is history (a new complaint is a new dispute).
DISPUTE_TRANSITIONS: dict[str, set[str]] = {
    DisputeStatus.OPEN: {DisputeStatus.SETTLED},
    DisputeStatus.SETTLED: set(),
}
