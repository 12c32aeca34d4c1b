"""After the visit: deals (contracts/orders), transactions, follow-ups and exits."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from opscenter.core import audit
from opscenter.core.bounds import MAX_AMOUNT_FEN, MAX_SESSIONS
from opscenter.pipeline.choices import (
    CareZone,
    DealStatus,
    FollowUpChannel,
    FollowUpKind,
    FollowUpOutcome,
    ItemCategory,
    Satisfaction,
    StayType,
    TransactionKind,
)
from opscenter.pipeline.models.base import FunnelEvent, ImportTracked


@audit.register()
class Deal(FunnelEvent):
    """A signed contract or a paid order (成交/签约).

    Elder care: a stay contract with `stay_type` (试住/短住/长住), care zone and the contract terms
    (months, monthly fee, deposit — the deposit is held, not revenue); clinics: order lines
    (`DealLine`) whose amounts add up to `amount_fen`. `is_new_customer` marks the customer's
    first deal (新顾客成交). `month` is the signing month. Money in fen.
    """

    consultant = models.ForeignKey(
        "org.Staff", on_delete=models.PROTECT, related_name="deals", verbose_name=_("成交咨询师")
    )
    signed_on = models.DateField(_("签约日期"))
    amount_fen = models.BigIntegerField(
        _("金额(分)"), validators=[MinValueValidator(0), MaxValueValidator(MAX_AMOUNT_FEN)]
    )
    stay_type = models.CharField(_("入住类型"), max_length=10, choices=StayType.choices, blank=True)
    care_zone = models.CharField(_("入住区域"), max_length=20, choices=CareZone.choices, blank=True)
    # Elder-care contract terms (seed 000 入住合同): term in months, monthly fee, refundable deposit.
    contract_months = models.PositiveSmallIntegerField(_("合同期限(月)"), null=True, blank=True)
    monthly_fee_fen = models.BigIntegerField(_("月费(分)"), null=True, blank=True)
    deposit_fen = models.BigIntegerField(_("押金(分)"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=DealStatus.choices, default=DealStatus.SIGNED)
    status_changed_at = models.DateTimeField(_("状态变更时间"), null=True, blank=True)
    is_new_customer = models.BooleanField(_("新顾客成交"), default=True)
    is_history = models.BooleanField(
        _("导入的历史成交"),
        default=False,
        help_text="imported from a ledger with no earlier consultation or visit: counted in revenue and "
        "tiers, kept apart from the funnel's conversion rates",
    )
    visit = models.ForeignKey(
        "pipeline.Visit",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("上门"),
    )
    note = models.CharField(_("备注"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("成交")
        verbose_name_plural = _("成交")
        ordering = ["-signed_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gte=0), name="deal_amount_not_negative"),
            # A cancelled deal keeps what was entered (history is never rewritten) and counts nowhere.
            models.CheckConstraint(
                condition=Q(amount_fen__lte=MAX_AMOUNT_FEN) | Q(status=DealStatus.CANCELLED),
                name="deal_amount_within_limit",
            ),
            models.CheckConstraint(
                condition=(Q(monthly_fee_fen__isnull=True) | Q(monthly_fee_fen__gte=0))
                & (Q(deposit_fen__isnull=True) | Q(deposit_fen__gte=0)),
                name="deal_contract_money_not_negative",
            ),
        ]
        indexes = [
            models.Index(
                fields=["month", "site", "status", "is_new_customer", "is_history", "customer", "amount_fen"],
                name="deal_event_idx",
            ),
            models.Index(
                fields=[
                    "cohort_month",
                    "site",
                    "status",
                    "is_new_customer",
                    "is_history",
                    "customer",
                    "amount_fen",
                ],
                name="deal_cohort_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer} {self.signed_on} ¥{self.amount_fen / 100:,.2f}"


@audit.register()
class DealLine(models.Model):
    """One item of a clinic order: item, category, sessions and amount, and who it is credited to:
    the treatment center (科室/中心, an org department) and, where known, the performing doctor."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="lines", verbose_name=_("成交"))
    item = models.CharField(_("项目"), max_length=100)
    category = models.CharField(_("类别"), max_length=20, choices=ItemCategory.choices)
    sessions = models.PositiveSmallIntegerField(
        _("次数/疗程"), default=1, validators=[MinValueValidator(1), MaxValueValidator(MAX_SESSIONS)]
    )
    amount_fen = models.BigIntegerField(
        _("金额(分)"), validators=[MinValueValidator(0), MaxValueValidator(MAX_AMOUNT_FEN)]
    )
    center = models.ForeignKey(
        "org.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("科室/中心"),
    )  # fmt: skip
    doctor = models.ForeignKey(
        "org.Staff", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("医生"),
    )  # fmt: skip

    class Meta:
        verbose_name = _("成交明细")
        verbose_name_plural = _("成交明细")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gte=0), name="deal_line_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(amount_fen__lte=MAX_AMOUNT_FEN), name="deal_line_amount_within_limit"
            ),
            models.CheckConstraint(
                condition=Q(sessions__lte=MAX_SESSIONS), name="deal_line_sessions_within_limit"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item} ¥{self.amount_fen / 100:,.2f}"


@audit.register()
class Transaction(ImportTracked):
    """One purchase or session (消费记录), a refund or a gift: the raw data member tiers are
    computed from.

    `amount_fen` is never negative; a refund is a row of kind refund (`reverses` the purchase it
    pays back, `dispute` the dispute it settles); a gift has amount 0 and its cost in `cost_fen`.
    Revenue is credited to the treatment `center`, the performing `doctor`, the selling
    `consultant` and the `channel_owner` (who owned the customer at the sale).
    """

    site = models.ForeignKey("org.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("院区"))
    # No single-column index: txn_customer_idx (customer, occurred_on) starts with it.
    customer = models.ForeignKey(
        "pipeline.Customer",
        on_delete=models.PROTECT,
        related_name="transactions",
        verbose_name=_("客户"),
        db_index=False,
    )
    occurred_on = models.DateField(_("消费日期"))
    month = models.PositiveIntegerField(_("月份"), help_text="yyyymm")
    item = models.CharField(_("项目"), max_length=100)
    category = models.CharField(_("类别"), max_length=20, choices=ItemCategory.choices)
    sessions = models.PositiveSmallIntegerField(
        _("次数"), default=1, validators=[MinValueValidator(1), MaxValueValidator(MAX_SESSIONS)]
    )
    receipt_no = models.CharField(
        _("单号"), max_length=40, blank=True, help_text="receipt / order number from an imported file"
    )
    amount_fen = models.BigIntegerField(
        _("金额(分)"), validators=[MinValueValidator(0), MaxValueValidator(MAX_AMOUNT_FEN)]
    )
    kind = models.CharField(
        _("类型"), max_length=10, choices=TransactionKind.choices, default=TransactionKind.PURCHASE
    )
    # The optional references below are indexed only where set (partial indexes in Meta): most
    # rows (every imported one) have none, and a full index would take a NULL entry per row —
    # each such index cost a bulk import as much as a real one (bench/import_bench.py).
    deal = models.ForeignKey(
        Deal,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="transactions",
        verbose_name=_("成交"),
        db_index=False,
    )
    center = models.ForeignKey(
        "org.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("科室/中心"), db_index=False,
    )  # fmt: skip
    doctor = models.ForeignKey(
        "org.Staff", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("医生"), db_index=False,
    )  # fmt: skip
    consultant = models.ForeignKey(
        "org.Staff", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("成交咨询师"), db_index=False,
    )  # fmt: skip
    channel_owner = models.ForeignKey(
        "org.Staff", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("渠道归属人"), db_index=False,
    )  # fmt: skip
    # db_default: the import engine inserts rows with raw INSERTs naming only the columns it fills.
    cost_fen = models.BigIntegerField(
        _("成本(分)"),
        default=0,
        db_default=0,
        validators=[MinValueValidator(0), MaxValueValidator(MAX_AMOUNT_FEN)],
    )
    reverses = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversals",
        verbose_name=_("冲销对象"), db_index=False,
    )  # fmt: skip
    dispute = models.ForeignKey(
        "pipeline.Dispute", null=True, blank=True, on_delete=models.PROTECT, related_name="transactions",
        verbose_name=_("纠纷"), db_index=False,
    )  # fmt: skip

    class Meta:
        verbose_name = _("消费记录")
        verbose_name_plural = _("消费记录")
        ordering = ["-occurred_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gte=0), name="transaction_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(amount_fen__lte=MAX_AMOUNT_FEN), name="transaction_amount_within_limit"
            ),
            models.CheckConstraint(
                condition=Q(sessions__lte=MAX_SESSIONS), name="transaction_sessions_within_limit"
            ),
            models.CheckConstraint(condition=Q(cost_fen__gte=0), name="transaction_cost_not_negative"),
            models.CheckConstraint(
                condition=~Q(kind="gift") | Q(amount_fen=0), name="transaction_gift_zero_price"
            ),
        ]
        indexes = [
            models.Index(fields=["customer", "occurred_on"], name="txn_customer_idx"),
            models.Index(fields=["month", "site", "category"], name="txn_month_idx"),
            # Credited revenue (clinic.metrics) per center / doctor / consultant and month.
            # They also serve the foreign keys' own lookups (`center_id = …`, `IN (…)`).
            models.Index(
                fields=["center", "month"], name="txn_center_month_idx", condition=Q(center__isnull=False)
            ),
            models.Index(
                fields=["doctor", "month"], name="txn_doctor_month_idx", condition=Q(doctor__isnull=False)
            ),
            models.Index(
                fields=["consultant", "month"],
                name="txn_consultant_month_idx",
                condition=Q(consultant__isnull=False),
            ),
            *(
                models.Index(fields=[name], name=f"txn_{name}_idx", condition=Q(**{f"{name}__isnull": False}))
                for name in ("deal", "dispute", "reverses", "channel_owner")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer} {self.item} {self.occurred_on}"


@audit.register()
class FollowUp(ImportTracked):
    """An after-care contact (回访): scheduled, then done with an outcome and a satisfaction rating.

    `kind` care (关怀, the consultants') or clinical (诊疗: a customer's question during treatment,
    routed to the performing doctor with a `due_at`; the doctor's `answer` shows on the timeline).
    """

    site = models.ForeignKey("org.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("院区"))
    customer = models.ForeignKey(
        "pipeline.Customer", on_delete=models.PROTECT, related_name="followups", verbose_name=_("客户")
    )
    staff = models.ForeignKey(
        "org.Staff",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="followups",
        verbose_name=_("回访人"),
    )
    channel = models.CharField(
        _("回访方式"), max_length=10, choices=FollowUpChannel.choices, default=FollowUpChannel.PHONE
    )
    scheduled_on = models.DateField(_("计划日期"))
    month = models.PositiveIntegerField(_("月份"), help_text="yyyymm of scheduled_on")
    done_on = models.DateField(_("完成日期"), null=True, blank=True)
    outcome = models.CharField(
        _("结果"), max_length=20, choices=FollowUpOutcome.choices, default=FollowUpOutcome.PENDING
    )
    satisfaction = models.PositiveSmallIntegerField(
        _("满意度"), choices=Satisfaction.choices, null=True, blank=True
    )
    note = models.TextField(_("回访记录"), blank=True)
    deal = models.ForeignKey(
        Deal,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="followups",
        verbose_name=_("成交"),
    )
    # db_default: the import engine inserts rows with raw INSERTs naming only the columns it fills.
    kind = models.CharField(
        _("回访类型"),
        max_length=10,
        choices=FollowUpKind.choices,
        default=FollowUpKind.CARE,
        db_default="care",
    )
    question = models.TextField(_("客户问题"), blank=True, default="", db_default="")
    answer = models.TextField(_("医生答复"), blank=True, default="", db_default="")
    due_at = models.DateTimeField(_("答复时限"), null=True, blank=True)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    # What completed it when another app recorded the contact (a 回访 call of the call center):
    # a label people read ("来电 …") and the link to that record.
    done_via = models.CharField(_("完成依据"), max_length=120, blank=True, default="", db_default="")
    done_via_url = models.CharField(_("完成依据链接"), max_length=300, blank=True, default="", db_default="")

    class Meta:
        verbose_name = _("回访")
        verbose_name_plural = _("回访")
        ordering = ["scheduled_on", "id"]
        indexes = [
            models.Index(fields=["site", "done_on", "scheduled_on"], name="followup_due_idx"),
            models.Index(fields=["customer", "done_on"], name="followup_customer_idx"),
            # Follow-up completion targets count by scheduled month (pipeline.selectors.followups).
            models.Index(fields=["month", "site"], name="followup_month_idx"),
            # A doctor's queue of clinical questions (clinic.selectors.clinical_queue).
            models.Index(fields=["staff", "kind", "done_on"], name="followup_queue_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.customer} {self.scheduled_on}"


@audit.register()
class Exit(models.Model):
    """A customer leaving (退出); the reason comes from the editable list and is required."""

    site = models.ForeignKey("org.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("院区"))
    customer = models.ForeignKey(
        "pipeline.Customer", on_delete=models.PROTECT, related_name="exits", verbose_name=_("客户")
    )
    exited_on = models.DateField(_("退出日期"))
    month = models.PositiveIntegerField(_("月份"), help_text="yyyymm")
    reason = models.ForeignKey("pipeline.ExitReason", on_delete=models.PROTECT, verbose_name=_("退出原因"))
    note = models.TextField(_("说明"), blank=True)
    recorded_by = models.ForeignKey(
        "core.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("登记人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    import_job_id = models.BigIntegerField(_("导入批次"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("退出")
        verbose_name_plural = _("退出")
        ordering = ["-exited_on", "-id"]
        indexes = [models.Index(fields=["site", "month"], name="exit_site_month_idx")]

    def __str__(self) -> str:
        return f"{self.customer} {self.exited_on} {self.reason}"
