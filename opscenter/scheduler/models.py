"""Scheduled jobs (the data: cadence, enabled, last run, next due) and their runs (the claims)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from opscenter.core import audit
from opscenter.scheduler.cadence import MAX_INTERVAL_MINUTES, Cadence
from opscenter.scheduler.choices import CadenceKind, RunStatus


@audit.register(exclude=("last_run_at", "last_status", "last_message", "next_due_at", "registered"))
class ScheduledJob(models.Model):
    """One periodic job an app registered. `code` and `target` come from the registration; the
    cadence and `enabled` are staff's to edit (audited). `next_due_at` is when the next tick is due;
    `registered` turns off when no app declares the code any more (the row stays for its history)."""

    code = models.CharField(_("代码"), max_length=80, unique=True)
    label = models.CharField(_("名称"), max_length=120)
    target = models.CharField(_("执行函数"), max_length=200)
    enabled = models.BooleanField(_("启用"), default=True)
    cadence_kind = models.CharField(_("周期"), max_length=10, choices=CadenceKind.choices)
    interval_minutes = models.PositiveIntegerField(_("间隔（分钟）"), null=True, blank=True)
    at_time = models.TimeField(_("时间"), null=True, blank=True)
    next_due_at = models.DateTimeField(_("下次运行"), null=True, blank=True)
    last_run_at = models.DateTimeField(_("上次运行"), null=True, blank=True)
    last_status = models.CharField(_("上次结果"), max_length=10, choices=RunStatus.choices, blank=True)
    last_message = models.CharField(_("上次说明"), max_length=500, blank=True)
    registered = models.BooleanField(_("已注册"), default=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("修改人"),
    )
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("定时任务")
        verbose_name_plural = _("定时任务")
        ordering = ["code"]
        indexes = [models.Index(fields=["enabled", "next_due_at"], name="scheduledjob_due_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(cadence_kind="interval")
                | Q(interval_minutes__gte=1, interval_minutes__lte=MAX_INTERVAL_MINUTES),
                name="scheduledjob_interval_range",
            ),
            models.CheckConstraint(
                condition=Q(cadence_kind="interval") | Q(at_time__isnull=False),
                name="scheduledjob_daily_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def cadence(self) -> Cadence:
        return Cadence(self.cadence_kind, minutes=self.interval_minutes, at=self.at_time)


class ScheduledRun(models.Model):
    """One tick of one job. The unique (job, due_at) is the claim: the scheduler process whose
    INSERT succeeds runs the tick; every other process skips it."""

    job = models.ForeignKey(
        ScheduledJob, on_delete=models.CASCADE, related_name="runs", verbose_name=_("定时任务")
    )
    due_at = models.DateTimeField(_("计划时间"))
    manual = models.BooleanField(_("手动运行"), default=False)
    status = models.CharField(_("结果"), max_length=10, choices=RunStatus.choices, default=RunStatus.RUNNING)
    message = models.CharField(_("说明"), max_length=500, blank=True)
    worker = models.CharField(_("执行进程"), max_length=100, blank=True)
    started_at = models.DateTimeField(_("开始时间"))
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("定时任务运行记录")
        verbose_name_plural = _("定时任务运行记录")
        ordering = ["-due_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["job", "due_at"], name="scheduledrun_one_per_tick")]

    def __str__(self) -> str:
        return f"{self.job_id}@{self.due_at:%Y-%m-%d %H:%M}"
