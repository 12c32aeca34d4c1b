"""The marketing-spend ledger (营销费用) and monthly budgets per channel."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from opscenter.core import audit


@audit.register()
class CostLine(models.Model):
    """One line of marketing spend: item × quantity × unit price, booked to a campaign or a channel.

    `amount_fen` = quantity × unit price (fen). Lines are never deleted or edited: a wrong line is
    reversed by a second line (`reversal_of`) with the opposite amount — the only negative lines.
    `channel` is the campaign's channel when the line is booked to a campaign.
    """

    site = models.ForeignKey("org.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("院区"))
    campaign = models.ForeignKey(
        "marketing.Campaign",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cost_lines",
        verbose_name=_("市场活动"),
    )
    channel = models.ForeignKey(
        "pipeline.Channel",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("渠道"),
    )
    item = models.CharField(_("费用项目"), max_length=100)
    quantity = models.PositiveIntegerField(_("数量"))
    unit_price_fen = models.BigIntegerField(_("单价(分)"))
    amount_fen = models.BigIntegerField(_("金额(分)"))
    supplier = models.CharField(_("供应商"), max_length=100, blank=True)
    invoice_no = models.CharField(_("发票号"), max_length=50, blank=True)
    spent_on = models.DateField(_("费用日期"))
    month = models.PositiveIntegerField(_("费用月份"), help_text="yyyymm of spent_on")
    reversal_of = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
        verbose_name=_("冲销对象"),
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)
    import_job_id = models.BigIntegerField(_("导入批次"), null=True, blank=True, db_index=True)
    created_by = models.ForeignKey(
        "core.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("登记人"),
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("营销费用")
        verbose_name_plural = _("营销费用")
        ordering = ["-spent_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(campaign__isnull=False) | Q(channel__isnull=False),
                name="costline_campaign_or_channel",
            ),
            models.CheckConstraint(
                condition=Q(amount_fen__gte=0, unit_price_fen__gte=0) | Q(reversal_of__isnull=False),
                name="costline_not_negative_unless_reversal",
            ),
        ]
        indexes = [
            models.Index(fields=["site", "month", "channel"], name="costline_month_channel_idx"),
            models.Index(fields=["campaign", "month"], name="costline_campaign_month_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.item} ¥{self.amount_fen / 100:,.2f}"


@audit.register()
class Budget(models.Model):
    """The marketing budget of one channel in one month at one site (预算)."""

    site = models.ForeignKey("org.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("院区"))
    channel = models.ForeignKey(
        "pipeline.Channel", on_delete=models.PROTECT, related_name="+", verbose_name=_("渠道")
    )
    month = models.PositiveIntegerField(_("月份"), help_text="yyyymm")
    amount_fen = models.BigIntegerField(_("预算金额(分)"))

    class Meta:
        verbose_name = _("营销预算")
        verbose_name_plural = _("营销预算")
        ordering = ["site", "month", "channel"]
        constraints = [
            models.UniqueConstraint(fields=["site", "channel", "month"], name="budget_unique_month_channel"),
            models.CheckConstraint(condition=Q(amount_fen__gte=0), name="budget_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.month}"
