"""Channel grading (渠道分级): a grade scheme as data and the graded history."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from opscenter.core import audit
from opscenter.marketing.choices import Grade


@audit.register()
class GradeScheme(models.Model):
    """A versioned grade scheme of one site: per grade (A, B) the minimum results a channel needs
    over the trailing `window_months`; a channel meeting neither is C.

    `thresholds` = {"A": {"min_consultations": 30, "min_conversion_pct": "20", "min_revenue_fen": 0,
    "max_cost_per_deal_fen": 500000}, "B": {...}} (missing keys do not constrain).
    `protection_days` = {"A": 120, "B": 90, "C": 60}: ownership protection per grade where the site
    wants grade to matter (empty: no effect); `commission_factor_pct` = {"A": "110", …} likewise
    scales partner commission of channels with that grade. Versions are never edited once used: a
    change is a new version (`version` + 1) and grades keep the version they were computed with.
    """

    site = models.ForeignKey("org.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("院区"))
    version = models.PositiveIntegerField(_("版本"), default=1)
    window_months = models.PositiveSmallIntegerField(_("统计月数"), default=3)
    thresholds = models.JSONField(_("分级门槛"), default=dict)
    protection_days = models.JSONField(_("各级归属保护天数"), default=dict, blank=True)
    commission_factor_pct = models.JSONField(_("各级佣金系数(%)"), default=dict, blank=True)
    is_active = models.BooleanField(_("当前生效"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("渠道分级方案")
        verbose_name_plural = _("渠道分级方案")
        ordering = ["site", "-version"]
        constraints = [models.UniqueConstraint(fields=["site", "version"], name="gradescheme_unique_version")]

    def __str__(self) -> str:
        return f"v{self.version}"


@audit.register()
class ChannelGrade(models.Model):
    """The grade a channel got for a month under a scheme version, with the results it was graded on."""

    site = models.ForeignKey("org.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("院区"))
    channel = models.ForeignKey(
        "pipeline.Channel", on_delete=models.PROTECT, related_name="+", verbose_name=_("渠道")
    )
    scheme = models.ForeignKey(
        GradeScheme, on_delete=models.PROTECT, related_name="grades", verbose_name=_("方案")
    )
    month = models.PositiveIntegerField(_("评级月份"), help_text="yyyymm")
    grade = models.CharField(_("等级"), max_length=1, choices=Grade.choices)
    results = models.JSONField(_("评级依据"), default=dict)
    graded_at = models.DateTimeField(_("评级时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("渠道等级")
        verbose_name_plural = _("渠道等级")
        ordering = ["-month", "channel"]
        constraints = [
            models.UniqueConstraint(fields=["site", "channel", "month"], name="channelgrade_unique_month")
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.month} {self.grade}"
