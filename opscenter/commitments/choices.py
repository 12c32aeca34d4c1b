"""Choices and the explicit transition maps of the commitments app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TreeStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    ACTIVE = "active", _("生效")
    RETIRED = "retired", _("停用")


TREE_TRANSITIONS: dict[str, set[str]] = {
    TreeStatus.DRAFT: {TreeStatus.ACTIVE},
    TreeStatus.ACTIVE: {TreeStatus.RETIRED},
    TreeStatus.RETIRED: set(),
}


class Process(models.TextChoices):
    """Where a tree's events come from."""

    PIPELINE = "pipeline", _("客户流程（咨询/预约/上门/评估/签约/回访）")
    COMPLAINT = "complaint", _("投诉处理")
    EXTERNAL = "external", _("外部流程（导入/API）")


class Event(models.TextChoices):
    """Events a stage runs between (from event A to event B)."""

    CONSULTATION = "consultation", _("咨询")
    APPOINTMENT = "appointment", _("预约")
    VISIT = "visit", _("上门/到院")
    ASSESSMENT = "assessment", _("评估结论")
    DEAL = "deal", _("签约")
    FOLLOWUP = "followup", _("首次回访")
    COMPLAINT_RECEIVED = "complaint_received", _("投诉受理")
    WORK_ORDER_DISPATCHED = "work_order_dispatched", _("工单派发")
    WORK_ORDER_RESOLVED = "work_order_resolved", _("工单处理完成")
    COMPLAINT_ANSWERED = "complaint_answered", _("投诉答复")
    ORDER_PLACED = "order_placed", _("下单")
    ORDER_ENTERED = "order_entered", _("录单完成")
    SHIPPED = "shipped", _("发货")
    DELIVERED = "delivered", _("送达")
    # Clinic treatment journey (seed 004 value chains; recorded by the clinic app per quote).
    TREATMENT_PLANNED = "treatment_planned", _("方案设计")
    CHARGED = "charged", _("收费")
    TREATED = "treated", _("首次治疗")
    COURSE_ENDED = "course_ended", _("疗程结束")
    CLINICAL_FOLLOWUP = "clinical_followup", _("术后回访")
    # Elder-care admission assessment (recorded by the care app per admission request).
    ADMISSION_REQUESTED = "admission_requested", _("入住评估申请")
    ADMISSION_DECIDED = "admission_decided", _("入住评估定区")


PIPELINE_EVENTS = (
    Event.CONSULTATION,
    Event.APPOINTMENT,
    Event.VISIT,
    Event.ASSESSMENT,
    Event.DEAL,
    Event.FOLLOWUP,
)


class AllowanceKind(models.TextChoices):
    BUSINESS = "business", _("工作时间（院区工作日历）")
    CALENDAR = "calendar", _("自然时间")
    VALUE = "value", _("数值界限")


class ValueComparison(models.TextChoices):
    """How a measured value must stay against its bound (value commitments)."""

    AT_MOST = "at_most", _("不超过（≤）")
    AT_LEAST = "at_least", _("不低于（≥）")


class StageStatus(models.TextChoices):
    OPEN = "open", _("进行中")
    WARNING = "warning", _("预警")
    ON_TIME = "on_time", _("按时")
    BREACHED = "breached", _("超时")


OPEN_STAGE_STATUSES = (StageStatus.OPEN, StageStatus.WARNING)


class Channel(models.TextChoices):
    PHONE = "phone", _("电话")
    IN_PERSON = "in_person", _("现场")
    ONLINE = "online", _("网络")
    FEEDBACK_BOX = "feedback_box", _("意见箱/客户反馈单")
    HEAD_OFFICE = "head_office", _("总公司转办")
    FOLLOWUP = "followup", _("回访")


class Severity(models.TextChoices):
    LOW = "low", _("一般")
    MEDIUM = "medium", _("较重")
    HIGH = "high", _("严重")


class WorkOrderStatus(models.TextChoices):
    OPENED = "opened", _("已创建")
    DISPATCHED = "dispatched", _("已派发")
    IN_PROGRESS = "in_progress", _("处理中")
    RESOLVED = "resolved", _("已处理")
    VERIFIED = "verified", _("已验证关闭")
    REOPENED = "reopened", _("已重开")


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
    URGENT = "urgent", _("紧急")
    HIGH = "high", _("高")
    NORMAL = "normal", _("普通")


# Default due time per priority, in business minutes on the site calendar.
PRIORITY_DUE_MINUTES = {Priority.URGENT: 4 * 60, Priority.HIGH: 9 * 60, Priority.NORMAL: 3 * 9 * 60}


class Source(models.TextChoices):
    MANUAL = "manual", _("手工")
    COMPLAINT = "complaint", _("投诉")
    BREACH = "breach", _("承诺超时")
    ANOMALY = "anomaly", _("异动")
    INCIDENT = "incident", _("护理事件")
    SURVEY = "survey", _("满意度调查")
    MEETING = "meeting", _("会商决定")


class Comparison(models.TextChoices):
    BELOW = "below", _("低于")
    ABOVE = "above", _("高于")
