"""Choices and the submission lifecycle (transition map) of the workday app."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ScheduleKind(models.TextChoices):
    DAILY = "daily", _("每个工作日")
    WEEKLY = "weekly", _("每周")
    MONTHLY = "monthly", _("每月第 N 个工作日")


class HolidayShift(models.TextChoices):
    """Where a weekly item goes when its nominal day is not a workday."""

    PREVIOUS = "previous", _("提前到前一个工作日")
    NEXT = "next", _("顺延到下一个工作日")
    SKIP = "skip", _("当期取消")


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")


class FieldKind(models.TextChoices):
    NUMBER = "number", _("数字")
    TEXT = "text", _("文字")


class SubmissionStatus(models.TextChoices):
    PENDING = "pending", _("待提交")
    SUBMITTED = "submitted", _("已提交")
    MISSING = "missing", _("缺交")
    APPROVED = "approved", _("已审批")
    SENT_BACK = "sent_back", _("已退回")
    REOPENED = "reopened", _("已重开")


S = SubmissionStatus
# Who may move a submission where. An approved submission is read-only until reopened.
TRANSITIONS: dict[str, set[str]] = {
    S.PENDING: {S.SUBMITTED, S.MISSING},
    S.MISSING: {S.SUBMITTED},
    S.SUBMITTED: {S.SUBMITTED, S.APPROVED, S.SENT_BACK},
    S.SENT_BACK: {S.SUBMITTED},
    S.REOPENED: {S.SUBMITTED},
    S.APPROVED: {S.REOPENED},
}
EDITABLE = {S.PENDING, S.MISSING, S.SUBMITTED, S.SENT_BACK, S.REOPENED}


class EventKind(models.TextChoices):
    SUBMITTED = "submitted", _("提交")
    APPROVED = "approved", _("审批通过")
    SENT_BACK = "sent_back", _("退回")
    REOPENED = "reopened", _("重开")
    MISSING = "missing", _("标记缺交")


class VisitTargetKind(models.TextChoices):
    CUSTOMER = "customer", _("客户")
    PARTNER = "partner", _("合作机构")
    COMMUNITY = "community", _("社区/单位")


class AnnouncementAudience(models.TextChoices):
    EVERYONE = "everyone", _("全体")
    SITE = "site", _("院区")
    DEPARTMENT = "department", _("部门")


class AnnouncementKind(models.TextChoices):
    NOTICE = "notice", _("通告")
    INCENTIVE = "incentive", _("激励喜报")
    CARE = "care", _("关怀提示")
