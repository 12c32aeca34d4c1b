"""Process instances (测量) and their stages, each with its due and warning moments."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opscenter.commitments.choices import StageStatus


class Measurement(models.Model):
    """One process instance measured under one tree version: the subject (a customer, a complaint,
    an external order …) and the moment of each event recorded so far (`events`: code → ISO time).
    Not audited row by row: it is itself a record of events."""

    tree = models.ForeignKey(
        "commitments.CommitmentTree",
        on_delete=models.PROTECT,
        related_name="measurements",
        verbose_name=_("承诺体系版本"),
    )
    site = models.ForeignKey("org.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("院区"))
    subject_kind = models.CharField(_("对象类型"), max_length=30)
    subject_ref = models.CharField(_("对象编号"), max_length=60)
    label = models.CharField(_("说明"), max_length=200, blank=True)
    department = models.ForeignKey(
        "org.Department",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("相关部门"),
        help_text="owns the stages whose commitment names no department (e.g. the department complained about)",
    )
    staff = models.ForeignKey(
        "org.Staff",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("责任员工"),
        help_text="who answers for the instance (a pipeline customer's consultant); staff / team grains",
    )
    events = models.JSONField(_("事件时间"), default=dict)
    values = models.JSONField(
        _("测量值"), default=dict, blank=True, help_text="value commitments: key → decimal as text"
    )
    status = models.CharField(_("状态"), max_length=10, choices=StageStatus.choices, default=StageStatus.OPEN)
    started_at = models.DateTimeField(_("开始时间"))
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("记录时间"), default=timezone.now)
    import_job_id = models.BigIntegerField(_("导入批次"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("承诺测量")
        verbose_name_plural = _("承诺测量")
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["tree", "subject_kind", "subject_ref"], name="measurement_subject_unique"
            ),
        ]
        indexes = [models.Index(fields=["site", "started_at"], name="measurement_site_started_idx")]

    def __str__(self) -> str:
        return f"{self.tree} · {self.label or self.subject_ref}"


class StageMeasurement(models.Model):
    """One commitment's stage within an instance: started / ended, warning and due moments computed
    once when it starts (business time precomputed, so the monitor only compares columns), status,
    and by how much it overran (`overrun_minutes`, in the commitment's own time)."""

    measurement = models.ForeignKey(
        Measurement, on_delete=models.CASCADE, related_name="stages", verbose_name=_("测量")
    )
    commitment = models.ForeignKey(
        "commitments.Commitment", on_delete=models.PROTECT, related_name="stages", verbose_name=_("服务承诺")
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
        verbose_name=_("上级环节"),
    )
    site = models.ForeignKey("org.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("院区"))
    department = models.ForeignKey(
        "org.Department",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("责任部门"),
    )
    level = models.PositiveSmallIntegerField(_("级别"))
    status = models.CharField(_("状态"), max_length=10, choices=StageStatus.choices, default=StageStatus.OPEN)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    warn_at = models.DateTimeField(_("预警时间"), null=True, blank=True)
    due_at = models.DateTimeField(_("到期时间"), null=True, blank=True)
    warned_at = models.DateTimeField(_("进入预警"), null=True, blank=True)
    breached_at = models.DateTimeField(_("判定超时"), null=True, blank=True)
    overrun_minutes = models.IntegerField(_("超出(分钟)"), default=0)
    measured_value = models.DecimalField(_("实测值"), max_digits=14, decimal_places=4, null=True, blank=True)
    attribution = models.CharField(_("超时归因"), max_length=500, blank=True)
    claim = models.UUIDField(_("监控批次"), null=True, blank=True)

    class Meta:
        verbose_name = _("承诺环节")
        verbose_name_plural = _("承诺环节")
        ordering = ["measurement", "level", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["measurement", "commitment"], name="stage_one_per_commitment"),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(started_at__isnull=False),
                name="stage_ended_after_started",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_at"], name="stage_status_due_idx"),
            models.Index(fields=["status", "warn_at"], name="stage_status_warn_idx"),
            models.Index(fields=["site", "ended_at"], name="stage_site_ended_idx"),
            models.Index(fields=["claim"], name="stage_claim_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.commitment} · {self.get_status_display()}"
