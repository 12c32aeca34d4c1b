"""Incentive-pay data beyond the plan itself (seeds 002 and 003): unit-price stages of a points
plan, sales contests (竞赛) with their own points rules, the GM's and marketing manager's allocation
of the year-end contract bonus, and the settlement of a leaving employee's bonus."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from opscenter.appraisal.choices import LeaveReason
from opscenter.core import audit


class PriceStage(models.Model):
    """积分单价阶段 (seed 002: 积分单价阶段性保持不变): whole months [starts_on, ends_on] at one unit
    price. Rows of a versioned plan: changing them after a published payout makes a new version."""

    plan = models.ForeignKey(
        "appraisal.IncentivePlan", on_delete=models.CASCADE, related_name="stages", verbose_name=_("激励方案")
    )
    name = models.CharField(_("阶段名称"), max_length=50)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"), null=True, blank=True, help_text=_("留空表示一直有效"))
    unit_price_fen = models.BigIntegerField(_("积分单价(分)"))

    class Meta:
        verbose_name = _("积分单价阶段")
        verbose_name_plural = _("积分单价阶段")
        ordering = ["plan", "starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "starts_on"], name="pricestage_unique_start"),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")), name="pricestage_order"
            ),
            models.CheckConstraint(condition=Q(unit_price_fen__gte=0), name="pricestage_price_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.starts_on:%Y-%m}"


@audit.register(exclude=("version",))
class SalesContest(models.Model):
    """A sales contest (销售竞赛, seed 002): its own points rules, period and eligible staff, paid as
    contest points × unit price on the payout of its points plan for the month the contest ends."""

    site = models.ForeignKey("org.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("院区"))
    plan = models.ForeignKey(
        "appraisal.IncentivePlan",
        on_delete=models.PROTECT,
        related_name="contests",
        verbose_name=_("计入积分方案"),
        help_text=_("竞赛奖励计入该积分方案（各版本）结束当月的发放"),
    )
    name = models.CharField(_("竞赛名称"), max_length=100)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    unit_price_fen = models.BigIntegerField(
        _("竞赛积分单价(分)"), null=True, blank=True, help_text=_("留空则按结束当月的积分单价")
    )
    rules = models.JSONField(_("积分规则"), default=list, blank=True)
    eligible = models.ManyToManyField("org.Staff", related_name="+", verbose_name=_("参赛员工"))
    notes = models.TextField(_("说明"), blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    paid_by = models.ForeignKey(
        "appraisal.Payout",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("已随发放兑现"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("销售竞赛")
        verbose_name_plural = _("销售竞赛")
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="contest_period_order"),
            models.UniqueConstraint(fields=["site", "name"], name="contest_unique_name_per_site"),
        ]
        indexes = [models.Index(fields=["site", "ends_on"], name="contest_site_end_idx")]

    def __str__(self) -> str:
        return self.name


@audit.register(exclude=("version",))
class BonusAllocation(models.Model):
    """The allocated parts of one year-end contract bonus (seed 003): the marketing 25 % allocated by
    the marketing manager and the GM (neither may receive it) and the GM's part of the other
    departments' pool. Entries must add up to each part to the fen; edits carry the version read."""

    plan = models.ForeignKey(
        "appraisal.IncentivePlan",
        on_delete=models.PROTECT,
        related_name="allocations",
        verbose_name=_("激励方案"),
    )
    period_label = models.CharField(_("周期"), max_length=10)
    version = models.PositiveIntegerField(_("版本"), default=0)
    note = models.CharField(_("分配说明"), max_length=300, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("录入人"),
    )
    updated_at = models.DateTimeField(_("录入时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("年终奖金分配")
        verbose_name_plural = _("年终奖金分配")
        constraints = [
            models.UniqueConstraint(fields=["plan", "period_label"], name="allocation_unique_period")
        ]

    def __str__(self) -> str:
        return f"{self.plan} {self.period_label}"


class BonusAllocationEntry(models.Model):
    """One person's allocated amount of one part (`mk_allocated` or `other_gm`)."""

    allocation = models.ForeignKey(BonusAllocation, on_delete=models.CASCADE, related_name="entries")
    part = models.CharField(_("组成部分"), max_length=20)
    staff = models.ForeignKey("org.Staff", on_delete=models.PROTECT, related_name="+", verbose_name=_("员工"))
    amount_fen = models.BigIntegerField(_("金额(分)"))

    class Meta:
        verbose_name = _("分配明细")
        verbose_name_plural = _("分配明细")
        ordering = ["allocation", "part", "staff_id"]
        constraints = [
            models.UniqueConstraint(fields=["allocation", "part", "staff"], name="allocationentry_unique"),
            models.CheckConstraint(condition=Q(amount_fen__gte=0), name="allocationentry_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.part} {self.staff_id} {self.amount_fen}"


@audit.register()
class LeaveSettlement(models.Model):
    """A leaving employee's year-end bonus (seed 003 §4): resignation forfeits every unpaid
    instalment and this year's contracts; dismissal settles early — last year's unpaid instalments
    and this year's contracts signed so far — paying only the equal-split parts."""

    staff = models.OneToOneField(
        "org.Staff", on_delete=models.PROTECT, related_name="+", verbose_name=_("员工")
    )
    site = models.ForeignKey("org.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("院区"))
    reason = models.CharField(_("离职类型"), max_length=10, choices=LeaveReason.choices)
    left_on = models.DateField(_("离职日期"))
    paid_fen = models.BigIntegerField(_("结算发放(分)"), default=0)
    forfeited_fen = models.BigIntegerField(_("作废(分)"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("办理人"),
    )
    created_at = models.DateTimeField(_("办理时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("离职奖金结算")
        verbose_name_plural = _("离职奖金结算")
        ordering = ["-left_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.staff} {self.left_on}"


class LeaveSettlementLine(models.Model):
    """One part of a settlement: an earlier payout's line (its unpaid instalments) or this year's
    share computed early from the contracts signed so far; `paid_fen + forfeited_fen` is what was
    still unpaid of it."""

    settlement = models.ForeignKey(LeaveSettlement, on_delete=models.CASCADE, related_name="lines")
    source = models.CharField(_("来源"), max_length=10)  # "prior" (instalments) / "current" (this year)
    plan = models.ForeignKey(
        "appraisal.IncentivePlan", on_delete=models.PROTECT, related_name="+", verbose_name=_("激励方案")
    )
    payout_line = models.ForeignKey(
        "appraisal.PayoutLine", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    period_label = models.CharField(_("周期"), max_length=10)
    part = models.CharField(_("组成部分"), max_length=20)
    equal_split = models.BooleanField(_("平均分配部分"), default=False)
    amount_fen = models.BigIntegerField(_("应得(分)"))
    already_paid_fen = models.BigIntegerField(_("此前已发(分)"), default=0)
    paid_fen = models.BigIntegerField(_("结算发放(分)"), default=0)
    forfeited_fen = models.BigIntegerField(_("作废(分)"), default=0)
    formula = models.CharField(_("公式"), max_length=300)
    inputs = models.JSONField(_("输入"), default=dict, blank=True)

    class Meta:
        verbose_name = _("离职结算明细")
        verbose_name_plural = _("离职结算明细")
        ordering = ["settlement", "source", "pk"]

    def __str__(self) -> str:
        return f"{self.part} {self.paid_fen}/{self.forfeited_fen}"
