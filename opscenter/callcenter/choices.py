"""Choices of the call-center app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Direction(models.TextChoices):
    INBOUND = "in", _("呼入")
    OUTBOUND = "out", _("呼出")


class Outcome(models.IntegerChoices):
    """Where a call stands: waiting in queue, answered by an agent, or abandoned by the caller."""

    WAITING = 0, _("排队中")
    ANSWERED = 1, _("已接听")
    ABANDONED = 2, _("放弃")


class ScoreStatus(models.TextChoices):
    SCORED = "scored", _("已评分")
    ACKNOWLEDGED = "acknowledged", _("坐席已确认")
    DISPUTED = "disputed", _("申诉中")
    REVIEWED = "reviewed", _("申诉已复核")


SCORE_TRANSITIONS = {
    ScoreStatus.SCORED: {ScoreStatus.ACKNOWLEDGED, ScoreStatus.DISPUTED},
    ScoreStatus.DISPUTED: {ScoreStatus.REVIEWED},
    ScoreStatus.ACKNOWLEDGED: set(),
    ScoreStatus.REVIEWED: set(),
}


class TestCallResult(models.TextChoices):
    PASSED = "passed", _("合格")
    FAILED = "failed", _("不合格")
    UNANSWERED = "unanswered", _("未接通")


# Seed 001 (95518): the six business types the center is scored on; shipped as editable data.
DEFAULT_DISPOSITIONS = ("报案", "调度", "咨询", "投诉", "回访", "客户信息查询")  # i18n: data
COMPLAINT_DISPOSITION = "投诉"  # i18n: data
FOLLOWUP_DISPOSITION = "回访"  # i18n: data


class AgentStateKind(models.TextChoices):
    """An agent's state as ACD systems log it. Available = 就绪; handling = 通话, 保持, 话后处理;
    not ready = 小休/示忙 and other aux codes (会议, 培训…). Logged-in time is all of them."""

    READY = "ready", _("就绪")
    TALK = "talk", _("通话")
    HOLD = "hold", _("保持")
    ACW = "acw", _("话后处理")
    BREAK = "break", _("小休/示忙")
    OTHER = "other", _("其他未就绪")


AVAILABLE_STATES = (AgentStateKind.READY,)
HANDLE_STATES = (AgentStateKind.TALK, AgentStateKind.HOLD, AgentStateKind.ACW)
NOT_READY_STATES = (AgentStateKind.BREAK, AgentStateKind.OTHER)
