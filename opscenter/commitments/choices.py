"""Choices and the explicit transition maps of the commitments app."""

from django.db import models


class TreeStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    ACTIVE = "active", "生效"
    RETIRED = "retired", "停用"


TREE_TRANSITIONS: dict[str, set[str]] = {
    TreeStatus.DRAFT: {TreeStatus.ACTIVE},
    TreeStatus.ACTIVE: {TreeStatus.RETIRED},
    TreeStatus.RETIRED: set(),
}


class Process(models.TextChoices):
    """Where a tree's events come from."""

    PIPELINE = "pipeline", "客户流程（咨询/预约/上门/评估/签约/回访）"
    COMPLAINT = "complaint", "投诉处理"
    EXTERNAL = "external", "外部流程（导入/API）"


class Event(models.TextChoices):
    """Events a stage runs between (from event A to event B)."""

    CONSULTATION = "consultation", "咨询"
    APPOINTMENT = "appointment", "预约"
    VISIT = "visit", "上门/到院"
    ASSESSMENT = "assessment", "评估结论"
    DEAL = "deal", "签约"
    FOLLOWUP = "followup", "首次回访"
    COMPLAINT_RECEIVED = "complaint_received", "投诉受理"
    WORK_ORDER_DISPATCHED = "work_order_dispatched", "工单派发"
    WORK_ORDER_RESOLVED = "work_order_resolved", "工单处理完成"
    COMPLAINT_ANSWERED = "complaint_answered", "投诉答复"
    ORDER_PLACED = "order_placed", "下单"
    ORDER_ENTERED = "order_entered", "录单完成"
    SHIPPED = "shipped", "发货"
    DELIVERED = "delivered", "送达"


PIPELINE_EVENTS = (
    Event.CONSULTATION,
    Event.APPOINTMENT,
    Event.VISIT,
    Event.ASSESSMENT,
    Event.DEAL,
    Event.FOLLOWUP,
)


class AllowanceKind(models.TextChoices):
    BUSINESS = "business", "工作时间（院区工作日历）"
    CALENDAR = "calendar", "自然时间"


class StageStatus(models.TextChoices):
    OPEN = "open", "进行中"
    WARNING = "warning", "预警"
    ON_TIME = "on_time", "按时"
    BREACHED = "breached", "超时"


OPEN_STAGE_STATUSES = (StageStatus.OPEN, StageStatus.WARNING)


class Channel(models.TextChoices):
    PHONE = "phone", "电话"
    IN_PERSON = "in_person", "现场"
    ONLINE = "online", "网络"
    FEEDBACK_BOX = "feedback_box", "意见箱/客户反馈单"
    HEAD_OFFICE = "head_office", "总公司转办"
    FOLLOWUP = "followup", "回访"


class Severity(models.TextChoices):
    LOW = "low", "一般"
    MEDIUM = "medium", "较重"
    HIGH = "high", "严重"


class WorkOrderStatus(models.TextChoices):
    OPENED = "opened", "已创建"
    DISPATCHED = "dispatched", "已派发"
    IN_PROGRESS = "in_progress", "处理中"
    RESOLVED = "resolved", "已处理"
    VERIFIED = "verified", "已验证关闭"
    REOPENED = "reopened", "已重开"


WORK_ORDER_TRANSITIONS: dict[str, set[str]] = {
    WorkOrderStatus.OPENED: {WorkOrderStatus.DISPATCHED},
    WorkOrderStatus.DISPATCHED: {WorkOrderStatus.IN_PROGRESS, WorkOrderStatus.DISPATCHED},
    WorkOrderStatus.IN_PROGRESS: {WorkOrderStatus.RESOLVED},
    WorkOrderStatus.RESOLVED: {WorkOrderStatus.VERIFIED, WorkOrderStatus.REOPENED},
    WorkOrderStatus.REOPENED: {WorkOrderStatus.IN_PROGRESS},
    WorkOrderStatus.VERIFIED: set(),
}
OPEN_WORK_ORDER_STATUSES = (
    WorkOrderStatus.OPENED,
    WorkOrderStatus.DISPATCHED,
    WorkOrderStatus.IN_PROGRESS,
    WorkOrderStatus.REOPENED,
)


class Priority(models.TextChoices):
    URGENT = "urgent", "紧急"
    HIGH = "high", "高"
    NORMAL = "normal", "普通"


# Default due time per priority, in business minutes on the site calendar.
PRIORITY_DUE_MINUTES = {Priority.URGENT: 4 * 60, Priority.HIGH: 9 * 60, Priority.NORMAL: 3 * 9 * 60}


class Source(models.TextChoices):
    MANUAL = "manual", "手工"
    COMPLAINT = "complaint", "投诉"
    BREACH = "breach", "承诺超时"
    ANOMALY = "anomaly", "异动"
    INCIDENT = "incident", "护理事件"
    SURVEY = "survey", "满意度调查"
    MEETING = "meeting", "会商决定"


class Comparison(models.TextChoices):
    BELOW = "below", "低于"
    ABOVE = "above", "高于"
