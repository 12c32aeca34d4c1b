"""Cadence kinds and run statuses of the scheduler."""

from django.db import models


class CadenceKind(models.TextChoices):
    INTERVAL = "interval", "每隔固定分钟"
    DAILY = "daily", "每天定时"
    WORKDAYS = "workdays", "每个工作日定时"


class RunStatus(models.TextChoices):
    RUNNING = "running", "运行中"
    DONE = "done", "完成"
    ENQUEUED = "enqueued", "已交给后台任务"
    FAILED = "failed", "失败"
