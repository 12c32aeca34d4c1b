"""Clinic models (issue 19). Orders themselves are the pipeline's deals, deal lines and
transactions; this app keeps what is not a pipeline concept: quotes (报价), packages and course
sessions (套餐/疗程), gift orders (赠送开单), the points ledger (积分) and its rules."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opscenter.clinic.choices import BenefitChoice, GiftReason, PackageStatus, PointsKind, QuoteStatus
from opscenter.core import audit
from opscenter.core.bounds import MAX_AMOUNT_FEN, MAX_SESSIONS
from opscenter.pipeline.choices import ItemCategory


@audit.register()
class Quote(models.Model):
    """A treatment plan with prices (报价): lines, the discounts that applied and why (`rule_note`,
    with the member tier rule set version in `rule_set`), valid until a date. Accepting it signs
    the order (`deal`, a pipeline Deal)."""

    site = models.ForeignKey("org.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("院区"))
    customer = models.ForeignKey(
        "pipeline.Customer", on_delete=models.PROTECT, related_name="quotes", verbose_name=_("客户")
    )
    consultant = models.ForeignKey(
        "org.Staff", on_delete=models.PROTECT, related_name="+", verbose_name=_("咨询师")
    )
    quoted_on = models.DateField(_("报价日期"))
    month = models.PositiveIntegerField(_("月份"), help_text="yyyymm of quoted_on")
    valid_until = models.DateField(_("有效期至"))
    status = models.CharField(
        _("状态"), max_length=10, choices=QuoteStatus.choices, default=QuoteStatus.DRAFT
    )
    tier = models.CharField(_("会员等级"), max_length=20, blank=True)
    rule_set = models.ForeignKey(
        "members.TierRuleSet", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("会员规则版本"),
    )  # fmt: skip
    member_rate = models.DecimalField(_("会员折扣率"), max_digits=4, decimal_places=3, null=True, blank=True)
    birthday_rate = models.DecimalField(
        _("生日折扣率"), max_digits=4, decimal_places=3, null=True, blank=True
    )
    rule_note = models.CharField(_("折扣规则"), max_length=300, blank=True)
    list_total_fen = models.BigIntegerField(_("原价合计(分)"), default=0)
    total_fen = models.BigIntegerField(_("应收合计(分)"), default=0)
    deal = models.OneToOneField(
        "pipeline.Deal", null=True, blank=True, on_delete=models.PROTECT, related_name="quote",
        verbose_name=_("成交"),
    )  # fmt: skip
    accepted_at = models.DateTimeField(_("成交时间"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        verbose_name = _("报价")
        verbose_name_plural = _("报价")
        ordering = ["-quoted_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gte=F("quoted_on")), name="quote_valid_after_quoted"
            ),
            models.CheckConstraint(condition=Q(total_fen__gte=0), name="quote_total_not_negative"),
        ]
        indexes = [models.Index(fields=["site", "month", "status"], name="quote_month_idx")]

    def __str__(self) -> str:
        return f"{self.customer} {self.quoted_on} ¥{self.total_fen / 100:,.2f}"


@audit.register()
class QuoteLine(models.Model):
    """One item of a quote: quantity × list price (or a campaign price), the discounts applied,
    the amount, the center and doctor it will be credited to; `sessions` > 1 makes it a course
    package (套餐/疗程) valid for `valid_days` after the sale."""

    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="lines", verbose_name=_("报价"))
    item = models.CharField(_("项目"), max_length=100)
    category = models.CharField(_("类别"), max_length=20, choices=ItemCategory.choices)
    center = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("科室/中心")
    )
    doctor = models.ForeignKey(
        "org.Staff", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("医生")
    )
    quantity = models.PositiveSmallIntegerField(_("数量"), default=1, validators=[MinValueValidator(1)])
    sessions = models.PositiveSmallIntegerField(
        _("疗程次数"), default=1, validators=[MinValueValidator(1), MaxValueValidator(MAX_SESSIONS)]
    )
    valid_days = models.PositiveSmallIntegerField(_("疗程有效天数"), null=True, blank=True)
    list_price_fen = models.BigIntegerField(
        _("单价(分)"), validators=[MinValueValidator(0), MaxValueValidator(MAX_AMOUNT_FEN)]
    )
    campaign_price_fen = models.BigIntegerField(_("活动价(分)"), null=True, blank=True)
    amount_fen = models.BigIntegerField(_("金额(分)"))
    rule = models.CharField(_("折扣说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("报价明细")
        verbose_name_plural = _("报价明细")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gte=0), name="quoteline_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.item} ×{self.quantity}"


@audit.register()
class Package(models.Model):
    """A course sold as N sessions (套餐/疗程, e.g. 皮肤疗程 6 次) with its balance: sessions used,
    valid until a date. `amount_fen` is what was paid; the unused part is a liability."""

    site = models.ForeignKey("org.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("院区"))
    customer = models.ForeignKey(
        "pipeline.Customer", on_delete=models.PROTECT, related_name="packages", verbose_name=_("客户")
    )
    deal_line = models.OneToOneField(
        "pipeline.DealLine", null=True, blank=True, on_delete=models.PROTECT, related_name="package",
        verbose_name=_("成交明细"),
    )  # fmt: skip
    item = models.CharField(_("项目"), max_length=100)
    category = models.CharField(_("类别"), max_length=20, choices=ItemCategory.choices)
    center = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("科室/中心")
    )
    doctor = models.ForeignKey(
        "org.Staff", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("医生")
    )
    sessions_total = models.PositiveSmallIntegerField(_("总次数"), validators=[MinValueValidator(1)])
    sessions_used = models.PositiveSmallIntegerField(_("已用次数"), default=0)
    amount_fen = models.BigIntegerField(_("金额(分)"), validators=[MinValueValidator(0)])
    sold_on = models.DateField(_("购买日期"))
    valid_until = models.DateField(_("有效期至"))
    status = models.CharField(
        _("状态"), max_length=10, choices=PackageStatus.choices, default=PackageStatus.ACTIVE
    )
    finished_on = models.DateField(_("疗程结束日期"), null=True, blank=True)
    import_job_id = models.BigIntegerField(_("导入批次"), null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        verbose_name = _("疗程套餐")
        verbose_name_plural = _("疗程套餐")
        ordering = ["-sold_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(sessions_used__lte=F("sessions_total")), name="package_used_within_total"
            ),
            models.CheckConstraint(
                condition=Q(valid_until__gte=F("sold_on")), name="package_valid_after_sold"
            ),
        ]
        indexes = [
            models.Index(fields=["site", "status", "valid_until"], name="package_liability_idx"),
            models.Index(fields=["customer", "status"], name="package_customer_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.item} {self.sessions_used}/{self.sessions_total}"

    @property
    def sessions_left(self) -> int:
        return self.sessions_total - self.sessions_used


@audit.register()
class SessionUse(models.Model):
    """One treatment visit that consumed a session of a package: who performed it, and when."""

    package = models.ForeignKey(
        Package, on_delete=models.PROTECT, related_name="uses", verbose_name=_("疗程套餐")
    )
    site = models.ForeignKey("org.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("院区"))
    customer = models.ForeignKey(
        "pipeline.Customer", on_delete=models.PROTECT, related_name="+", verbose_name=_("客户")
    )
    center = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("科室/中心")
    )
    performed_by = models.ForeignKey(
        "org.Staff", on_delete=models.PROTECT, related_name="+", verbose_name=_("治疗人")
    )
    used_at = models.DateTimeField(_("治疗时间"))
    month = models.PositiveIntegerField(_("月份"), help_text="yyyymm, local time")
    number = models.PositiveSmallIntegerField(_("第几次"))
    note = models.CharField(_("备注"), max_length=300, blank=True)
    import_job_id = models.BigIntegerField(_("导入批次"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("疗程消耗")
        verbose_name_plural = _("疗程消耗")
        ordering = ["-used_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["package", "number"], name="sessionuse_unique_number"),
        ]
        indexes = [
            models.Index(fields=["customer", "used_at"], name="sessionuse_customer_idx"),
            models.Index(fields=["site", "month"], name="sessionuse_month_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.package} #{self.number}"


@audit.register()
class GiftOrder(models.Model):
    """A gift order (赠送开单): items given free (a tier benefit, a compensation), approved by a
    named approver. Its lines are pipeline transactions of kind gift (zero price, cost value),
    counted apart from revenue."""

    site = models.ForeignKey("org.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("院区"))
    customer = models.ForeignKey(
        "pipeline.Customer", on_delete=models.PROTECT, related_name="gift_orders", verbose_name=_("客户")
    )
    reason = models.CharField(_("赠送原因"), max_length=20, choices=GiftReason.choices)
    benefit_choice = models.CharField(_("权益选项"), max_length=20, choices=BenefitChoice.choices, blank=True)
    requested_by = models.ForeignKey(
        "org.Staff", on_delete=models.PROTECT, related_name="+", verbose_name=_("开单人")
    )
    approver = models.ForeignKey(
        "org.Staff", on_delete=models.PROTECT, related_name="+", verbose_name=_("审批人")
    )
    given_on = models.DateField(_("赠送日期"))
    cost_fen = models.BigIntegerField(_("成本合计(分)"), validators=[MinValueValidator(0)])
    transactions = models.ManyToManyField(
        "pipeline.Transaction", related_name="+", verbose_name=_("赠送明细")
    )
    dispute = models.ForeignKey(
        "pipeline.Dispute", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("纠纷"),
    )  # fmt: skip
    note = models.CharField(_("说明"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        verbose_name = _("赠送单")
        verbose_name_plural = _("赠送单")
        ordering = ["-given_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(approver=F("requested_by")), name="giftorder_approver_not_requester"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer} {self.given_on} {self.get_reason_display()}"


@audit.register()
class PointsRule(models.Model):
    """How members earn and use points (积分), per site and tier, as data: points per yuan spent,
    the value of a point when redeemed, and how many months points stay valid. A change is a new
    version (`version` counts per site and tier) in force from its `valid_from` date; the old one
    stays for the history it explains (each ledger row names the version it used)."""

    site = models.ForeignKey("org.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("院区"))
    tier = models.CharField(_("会员等级"), max_length=20, blank=True, help_text="blank = any tier")
    version = models.PositiveIntegerField(_("版本"), default=1)
    points_per_yuan = models.DecimalField(_("每元积分"), max_digits=6, decimal_places=2)
    fen_per_point = models.PositiveIntegerField(_("每分抵扣(分)"), default=1)
    expiry_months = models.PositiveSmallIntegerField(_("有效月数"), default=12)
    valid_from = models.DateField(_("生效日期"))
    note = models.CharField(_("修改说明"), max_length=200, blank=True, default="")
    created_by = models.ForeignKey(
        "org.Staff",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("修改人"),
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        verbose_name = _("积分规则")
        verbose_name_plural = _("积分规则")
        ordering = ["site", "tier", "-valid_from", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["site", "tier", "version"], name="pointsrule_unique_version_no"),
            models.CheckConstraint(condition=Q(points_per_yuan__gte=0), name="pointsrule_rate_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.tier or '*'} v{self.version} {self.points_per_yuan}/¥ {self.valid_from}"


class PointsEntry(models.Model):
    """A row of a member's points ledger: earned (+), granted as a benefit (+), redeemed on an
    order (−) or expired (−). Rows are never changed or deleted; the balance is their sum.
    Earned and granted points carry `expires_on`; redemptions and expiries use the oldest first."""

    site = models.ForeignKey("org.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("院区"))
    customer = models.ForeignKey(
        "pipeline.Customer", on_delete=models.PROTECT, related_name="points", verbose_name=_("客户")
    )
    kind = models.CharField(_("类型"), max_length=10, choices=PointsKind.choices)
    points = models.IntegerField(_("积分"))
    occurred_on = models.DateField(_("日期"))
    expires_on = models.DateField(_("过期日期"), null=True, blank=True)
    deal = models.ForeignKey(
        "pipeline.Deal",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("成交"),
    )
    rule = models.ForeignKey(
        PointsRule,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("积分规则"),
    )
    value_fen = models.BigIntegerField(_("抵扣金额(分)"), default=0)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        verbose_name = _("积分明细")
        verbose_name_plural = _("积分明细")
        ordering = ["-occurred_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind__in=["earn", "grant"]) & Q(points__gt=0))
                | (Q(kind__in=["redeem", "expire"]) & Q(points__lt=0)),
                name="pointsentry_sign_by_kind",
            ),
        ]
        indexes = [
            models.Index(fields=["customer", "occurred_on"], name="points_customer_idx"),
            models.Index(fields=["site", "expires_on"], name="points_expiry_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.customer} {self.get_kind_display()} {self.points}"


class OrderNumber(models.Model):
    """The clinic's own order number (收费单号) of an order, unique per site: what makes the import
    of orders with lines idempotent (a number already here is never imported again)."""

    site = models.ForeignKey("org.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("院区"))
    number = models.CharField(_("订单号"), max_length=40)
    deal = models.OneToOneField(
        "pipeline.Deal", on_delete=models.PROTECT, related_name="order_number", verbose_name=_("成交")
    )
    import_job_id = models.BigIntegerField(_("导入批次"), null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        verbose_name = _("订单号")
        verbose_name_plural = _("订单号")
        ordering = ["site", "number"]
        constraints = [models.UniqueConstraint(fields=["site", "number"], name="ordernumber_unique_per_site")]

    def __str__(self) -> str:
        return self.number
