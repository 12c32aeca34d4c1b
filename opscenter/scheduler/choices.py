"""Cadence kinds and run statuses of the scheduler."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CadenceKind(models.TextChoices):
    INTERVAL = "interval", _("每隔固定分钟")
    DAILY = "daily", _("每天定时")
    WORKDAYS = "workdays", _("每个工作日定时")


class RunStatus(models.TextChoices):
    RUNNING = "running", _("运行中")
    DONE = "done", _("完成")
    ENQUEUED = "enqueued", _("已交给后台任务")
    FAILED = "failed", _("失败")
