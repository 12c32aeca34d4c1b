"""Incentive plans and payouts: money in integer fen, each line with its formula and inputs,
instalments for the year-end bonus (four quarters; forfeited on resignation, settled on dismissal)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from opscenter.appraisal.choices import BracketMode, InstalmentStatus, PayoutStatus, PlanKind
from opscenter.core import audit


@audit.register()
class IncentivePlan(models.Model):
    """A versioned incentive plan of one site. `params` holds the editable numbers of its kind
    (float %, unit price, points per metric, reward/penalty, class amounts, split percentages,
    budget/actual/profit inputs); brackets are rows of their own."""

    site = models.ForeignKey("org.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("院区"))
    name = models.CharField(_("方案名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=20, choices=PlanKind.choices)
    version = models.PositiveIntegerField(_("版本"), default=1)
    is_draft = models.BooleanField(_("草稿"), default=True)
    scorecard_name = models.CharField(
        _("关联考核方案"), max_length=100, blank=True, help_text=_("月度绩效工资按该方案的得分计算")
    )
    bracket_mode = models.CharField(
        _("分档方式"), max_length=10, choices=BracketMode.choices, default=BracketMode.WHOLE
    )
    params = models.JSONField(_("参数"), default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("激励方案")
        verbose_name_plural = _("激励方案")
        ordering = ["site", "name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["site", "name", "version"], name="plan_unique_version")
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class PlanBracket(models.Model):
    """One profit bracket [lower, upper) in fen; `no_commission` is an explicit gap."""

    plan = models.ForeignKey(IncentivePlan, on_delete=models.CASCADE, related_name="brackets")
    lower_fen = models.BigIntegerField(_("下限(分)"))
    upper_fen = models.BigIntegerField(_("上限(分)"), null=True, blank=True)
    rate_pct = models.DecimalField(_("比例(%)"), max_digits=6, decimal_places=2, default=0)
    no_commission = models.BooleanField(_("不提成"), default=False)

    class Meta:
        verbose_name = _("提成档位")
        verbose_name_plural = _("提成档位")
        ordering = ["plan", "lower_fen"]

    def __str__(self) -> str:
        return f"{self.lower_fen}–{self.upper_fen} {self.rate_pct}%"


class PayBase(models.Model):
    """A staff member's base pay for the monthly pay formula."""

    plan = models.ForeignKey(IncentivePlan, on_delete=models.CASCADE, related_name="bases")
    staff = models.ForeignKey("org.Staff", on_delete=models.CASCADE, related_name="+", verbose_name=_("员工"))
    base_fen = models.BigIntegerField(_("基本工资(分)"))

    class Meta:
        verbose_name = _("基本工资")
        verbose_name_plural = _("基本工资")
        constraints = [models.UniqueConstraint(fields=["plan", "staff"], name="paybase_unique_staff")]

    def __str__(self) -> str:
        return f"{self.staff_id}: {self.base_fen}"


@audit.register(internal=("inputs",))
class Payout(models.Model):
    """The result of one plan for one period: lines that add up to `total_fen` exactly."""

    plan = models.ForeignKey(
        IncentivePlan, on_delete=models.PROTECT, related_name="payouts", verbose_name=_("激励方案")
    )
    period_label = models.CharField(_("周期"), max_length=10)
    status = models.CharField(
        _("状态"), max_length=10, choices=PayoutStatus.choices, default=PayoutStatus.DRAFT
    )
    total_fen = models.BigIntegerField(_("总额(分)"), default=0)
    inputs = models.JSONField(_("输入"), default=dict, blank=True)
    computed_at = models.DateTimeField(_("计算时间"), auto_now=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("绩效发放")
        verbose_name_plural = _("绩效发放")
        ordering = ["-period_label", "plan"]
        constraints = [models.UniqueConstraint(fields=["plan", "period_label"], name="payout_unique_period")]

    def __str__(self) -> str:
        return f"{self.plan} {self.period_label}"


class PayoutLine(models.Model):
    """One pay line: who, which part, how much, the formula and its inputs."""

    payout = models.ForeignKey(Payout, on_delete=models.CASCADE, related_name="lines")
    staff = models.ForeignKey(
        "org.Staff", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("员工")
    )
    department = models.ForeignKey(
        "org.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("部门"),
    )
    part = models.CharField(_("组成部分"), max_length=20)
    amount_fen = models.BigIntegerField(_("金额(分)"))
    equal_split = models.BooleanField(_("平均分配部分"), default=False)
    formula = models.CharField(_("公式"), max_length=300)
    inputs = models.JSONField(_("输入"), default=dict, blank=True)
    appraisal = models.ForeignKey(
        "appraisal.Appraisal", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("发放明细")
        verbose_name_plural = _("发放明细")
        ordering = ["payout", "pk"]
        indexes = [models.Index(fields=["staff", "payout"], name="payoutline_staff_idx")]

    def __str__(self) -> str:
        return f"{self.part} {self.amount_fen}"


class Instalment(models.Model):
    """A quarterly instalment of a line (never deleted: forfeited or settled rows keep the amount)."""

    line = models.ForeignKey(PayoutLine, on_delete=models.CASCADE, related_name="instalments")
    number = models.PositiveSmallIntegerField(_("期数"))
    due_on = models.DateField(_("应发日期"))
    amount_fen = models.BigIntegerField(_("金额(分)"))
    status = models.CharField(
        _("状态"), max_length=10, choices=InstalmentStatus.choices, default=InstalmentStatus.SCHEDULED
    )
    changed_at = models.DateTimeField(null=True, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("分期发放")
        verbose_name_plural = _("分期发放")
        ordering = ["line", "number"]
        constraints = [models.UniqueConstraint(fields=["line", "number"], name="instalment_unique_number")]
        indexes = [models.Index(fields=["status", "due_on"], name="instalment_status_due_idx")]

    def __str__(self) -> str:
        return f"{self.line_id} #{self.number}"
