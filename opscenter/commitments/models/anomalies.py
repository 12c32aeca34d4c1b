"""Anomaly rules (异动规则, data) over registry metrics, and the episodes they find."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opscenter.commitments.choices import Comparison
from opscenter.core import audit


@audit.register()
class AnomalyRule(models.Model):
    """ "A team's weekly 上门率 below 20 % for 2 weeks": a registry metric at a grain and period, a
    bound, and how many consecutive periods must be out of bounds before it is an anomaly."""

    site = models.ForeignKey("org.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("院区"))
    name = models.CharField(_("名称"), max_length=100)
    metric = models.CharField(_("指标"), max_length=80)
    grain = models.CharField(_("统计单位"), max_length=12)
    period = models.CharField(_("统计周期"), max_length=8)
    comparison = models.CharField(_("比较"), max_length=8, choices=Comparison.choices)
    bound = models.DecimalField(_("界限"), max_digits=14, decimal_places=4)
    consecutive = models.PositiveSmallIntegerField(_("连续周期数"), default=1)
    department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("工单派往部门")
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("异动规则")
        verbose_name_plural = _("异动规则")
        ordering = ["site", "name"]

    def __str__(self) -> str:
        return self.name


class Anomaly(models.Model):
    """One episode of a rule out of bounds for one unit: opened once (with its work order), closed
    when the metric recovers. At most one open episode per rule and unit."""

    rule = models.ForeignKey(
        AnomalyRule, on_delete=models.CASCADE, related_name="anomalies", verbose_name=_("异动规则")
    )
    unit_id = models.PositiveIntegerField(_("统计单位编号"))
    unit_label = models.CharField(_("统计单位"), max_length=100)
    first_period = models.DateField(_("首个异常周期"))
    last_value = models.DecimalField(_("最新值"), max_digits=14, decimal_places=4, null=True)
    opened_at = models.DateTimeField(_("发现时间"), default=timezone.now)
    closed_at = models.DateTimeField(_("恢复时间"), null=True, blank=True)
    work_order = models.ForeignKey(
        "commitments.WorkOrder",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("工单"),
    )

    class Meta:
        verbose_name = _("异动")
        verbose_name_plural = _("异动")
        ordering = ["-opened_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "unit_id"],
                condition=Q(closed_at__isnull=True),
                name="anomaly_one_open_per_unit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule} · {self.unit_label}"
