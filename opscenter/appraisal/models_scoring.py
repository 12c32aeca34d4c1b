"""Scorecards (考核方案): versioned templates of scored and observed items, grade bands and rules."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from opscenter.appraisal.choices import (
    CurveKind,
    ItemKind,
    ItemMethod,
    RuleKind,
    ScorecardStatus,
    SubjectKind,
)
from opscenter.core import audit

PCT = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]


@audit.register()
class Scorecard(models.Model):
    """One version of a scorecard. Editing happens on a draft version; a published version is
    frozen (appraisals point at the exact version they were computed with)."""

    site = models.ForeignKey("org.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("院区"))
    name = models.CharField(_("方案名称"), max_length=100)
    version = models.PositiveIntegerField(_("版本"), default=1)
    status = models.CharField(
        _("状态"), max_length=10, choices=ScorecardStatus.choices, default=ScorecardStatus.DRAFT
    )
    subject_kind = models.CharField(_("考核对象"), max_length=12, choices=SubjectKind.choices)
    department = models.ForeignKey(
        "org.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("适用部门"),
        help_text=_("为空：本院区全部"),
    )
    position = models.ForeignKey(
        "org.Position",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("适用岗位"),
        help_text=_("员工考核：只考核该岗位"),
    )
    description = models.TextField(_("说明"), blank=True)
    based_on = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("来源版本")
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("考核方案")
        verbose_name_plural = _("考核方案")
        ordering = ["site", "name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["site", "name", "version"], name="scorecard_unique_version"),
            models.UniqueConstraint(
                fields=["site", "name"],
                condition=Q(status="published"),
                name="scorecard_one_published_per_name",
            ),
        ]
        indexes = [models.Index(fields=["site", "status"], name="scorecard_site_status_idx")]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class GradeBand(models.Model):
    """A grade with its inclusive lower bound (优秀 ≥ 90 …) and its performance coefficient."""

    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="bands")
    name = models.CharField(_("等级"), max_length=20)
    min_score = models.DecimalField(_("最低分（含）"), max_digits=6, decimal_places=2, validators=PCT)
    coefficient = models.DecimalField(_("绩效系数"), max_digits=5, decimal_places=2, default=Decimal("1.00"))

    class Meta:
        verbose_name = _("等级")
        verbose_name_plural = _("等级")
        ordering = ["scorecard", "-min_score"]
        constraints = [models.UniqueConstraint(fields=["scorecard", "name"], name="gradeband_unique_name")]

    def __str__(self) -> str:
        return self.name


class ScoreItem(models.Model):
    """A scored item (weight, 0–100) or an observed item (考察项目: tracked, no points)."""

    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="items")
    order = models.PositiveIntegerField(_("顺序"), default=0)
    name = models.CharField(_("项目名称"), max_length=100)
    kind = models.CharField(_("类别"), max_length=10, choices=ItemKind.choices, default=ItemKind.SCORED)
    weight = models.DecimalField(_("权重(%)"), max_digits=6, decimal_places=2, default=0, validators=PCT)
    method = models.CharField(_("计分方式"), max_length=10, choices=ItemMethod.choices)
    metric_code = models.CharField(_("指标"), max_length=80, blank=True)
    denominator_code = models.CharField(
        _("分母指标"),
        max_length=80,
        blank=True,
        help_text=_("填写时按 指标 ÷ 分母指标 计算比率（如 预约率 = 预约 ÷ 咨询）"),
    )
    curve = models.CharField(_("计分曲线"), max_length=10, choices=CurveKind.choices, blank=True)
    zero_at = models.DecimalField(_("零分值"), max_digits=16, decimal_places=4, null=True, blank=True)
    full_at = models.DecimalField(_("满分值"), max_digits=16, decimal_places=4, null=True, blank=True)
    target = models.DecimalField(_("目标值"), max_digits=16, decimal_places=4, null=True, blank=True)
    steps = models.JSONField(_("阶梯表"), default=list, blank=True, help_text=_("[[门槛, 得分], …]"))
    higher_is_better = models.BooleanField(_("越高越好"), default=True)
    rate_in_percent = models.BooleanField(
        _("比率按百分数比较"), default=True, help_text=_("比率指标 0.85 按 85 与边界比较")
    )
    appraiser = models.ForeignKey(
        "org.Staff",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("考核人"),
    )
    checklist = models.JSONField(
        _("检查项"), default=list, blank=True, help_text=_("[{label, points}]，合计 100")
    )
    description = models.TextField(_("考核标准"), blank=True)

    class Meta:
        verbose_name = _("考核项目")
        verbose_name_plural = _("考核项目")
        ordering = ["scorecard", "order", "pk"]

    def __str__(self) -> str:
        return self.name


class Rule(models.Model):
    """A rule applied after weighting, in order: deduction per linked event (points within
    [points_min, points_max]), downgrade by `grades`, or veto (lowest grade)."""

    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="rules")
    order = models.PositiveIntegerField(_("顺序"), default=0)
    kind = models.CharField(_("类型"), max_length=10, choices=RuleKind.choices)
    name = models.CharField(_("规则"), max_length=200)
    points_min = models.DecimalField(_("每次最少扣分"), max_digits=6, decimal_places=2, default=0)
    points_max = models.DecimalField(_("每次最多扣分"), max_digits=6, decimal_places=2, default=0)
    grades = models.PositiveSmallIntegerField(_("降级数"), default=0)
    links_complaint = models.BooleanField(_("须关联投诉"), default=False)

    class Meta:
        verbose_name = _("否决/降级/扣分规则")
        verbose_name_plural = _("否决/降级/扣分规则")
        ordering = ["scorecard", "order", "pk"]

    def __str__(self) -> str:
        return self.name
