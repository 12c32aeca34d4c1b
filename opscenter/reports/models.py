"""Report snapshots (周报/月报) and their delivery lists; the numbers themselves live in the apps."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opscenter.core import audit
from opscenter.reports.choices import ReportKind, ReportStatus


@audit.register(exclude=("snapshot",))
class Report(models.Model):
    """A weekly or monthly report of a site (or one department): blocks of metrics with trend
    against the previous period and the same period last year, plus the author's judgement
    (趋势研判). While a draft its numbers are computed live; publishing freezes them in `snapshot`
    (with the moment and the metric codes they were read from) and they never change afterwards."""

    kind = models.CharField(_("类型"), max_length=10, choices=ReportKind.choices)
    site = models.ForeignKey("org.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("院区"))
    department = models.ForeignKey(
        "org.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("部门"),
    )
    period_start = models.DateField(_("期间开始"))
    period_end = models.DateField(_("期间结束"))
    label = models.CharField(_("期间"), max_length=20, help_text="2026-W49 or 2026-11")
    status = models.CharField(
        _("状态"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    narrative = models.TextField(_("趋势研判"), blank=True)
    snapshot = models.JSONField(_("数据快照"), null=True, blank=True)
    data_as_of = models.DateTimeField(_("数据截至"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("推送时间"), null=True, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("报告")
        verbose_name_plural = _("报告")
        ordering = ["-period_start", "site", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "site", "period_start"],
                condition=Q(department__isnull=True),
                name="reports_site_period_uniq",
            ),
            models.UniqueConstraint(
                fields=["kind", "site", "department", "period_start"],
                condition=Q(department__isnull=False),
                name="reports_dept_period_uniq",
            ),
        ]
        indexes = [models.Index(fields=["site", "kind", "period_start"], name="reports_site_kind_idx")]

    def __str__(self) -> str:
        return f"{self.site} {self.label}"


@audit.register()
class ReportSubscription(models.Model):
    """Who receives a site's weekly / monthly report in the app (and by e-mail when configured)."""

    site = models.ForeignKey("org.Site", on_delete=models.CASCADE, related_name="+", verbose_name=_("院区"))
    kind = models.CharField(_("类型"), max_length=10, choices=ReportKind.choices)
    recipients = models.ManyToManyField("org.Staff", related_name="+", verbose_name=_("接收人"))

    class Meta:
        verbose_name = _("报告推送名单")
        verbose_name_plural = _("报告推送名单")
        constraints = [models.UniqueConstraint(fields=["site", "kind"], name="reports_subscription_uniq")]

    def __str__(self) -> str:
        return f"{self.site} {self.kind}"
