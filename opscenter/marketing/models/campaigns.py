"""Campaigns and events (市场活动), invitations (集中邀约) and the touches attribution reads."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from opscenter.core import audit
from opscenter.marketing.choices import CampaignKind, InvitationStatus, TouchMethod


@audit.register()
class Campaign(models.Model):
    """A campaign or event of one site: type, channel, dates, budget, owner and audience.

    `code` is its source code (来源码): a consultation recorded with it, a landing form carrying it,
    or a WeChat article's link credits the customer to this campaign (a `Touch`).
    """

    site = models.ForeignKey("org.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("院区"))
    name = models.CharField(_("活动名称"), max_length=100)
    code = models.SlugField(_("来源码"), max_length=40, help_text=_("咨询登记或落地页链接中的来源码"))
    kind = models.CharField(_("活动类型"), max_length=20, choices=CampaignKind.choices)
    channel = models.ForeignKey(
        "pipeline.Channel",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("渠道"),
    )
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    budget_fen = models.BigIntegerField(_("预算(分)"), default=0)
    owner = models.ForeignKey(
        "org.Staff",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("负责人"),
    )
    audience = models.CharField(_("目标人群"), max_length=200, blank=True)
    notes = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("市场活动")
        verbose_name_plural = _("市场活动")
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["site", "code"], name="campaign_unique_code_per_site"),
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="campaign_period_order"),
            models.CheckConstraint(condition=Q(budget_fen__gte=0), name="campaign_budget_not_negative"),
        ]
        indexes = [models.Index(fields=["site", "starts_on"], name="campaign_site_start_idx")]

    def __str__(self) -> str:
        return self.name


@audit.register()
class Invitation(models.Model):
    """A customer or prospect invited to a campaign's event (集中邀约), with confirmation and attendance."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, related_name="invitations", verbose_name=_("市场活动")
    )
    customer = models.ForeignKey(
        "pipeline.Customer", on_delete=models.PROTECT, related_name="+", verbose_name=_("客户")
    )
    invited_by = models.ForeignKey(
        "org.Staff",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("邀约人"),
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=InvitationStatus.choices, default=InvitationStatus.INVITED
    )
    invited_at = models.DateTimeField(_("邀约时间"))
    status_changed_at = models.DateTimeField(_("状态变更时间"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("活动邀约")
        verbose_name_plural = _("活动邀约")
        ordering = ["campaign", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "customer"], name="invitation_unique_per_campaign")
        ]
        indexes = [models.Index(fields=["campaign", "status"], name="invitation_status_idx")]

    def __str__(self) -> str:
        return f"{self.campaign} · {self.customer}"


@audit.register()
class Touch(models.Model):
    """One contact of a customer with a campaign (触达), dated; the attribution reads these.

    First touch credits an event (consultation, visit, deal) to the earliest campaign that touched
    the customer on or before the event's date, last touch to the latest. Touches are never edited:
    a wrong one is withdrawn (`withdrawn_at`) and the withdrawal is audited.
    """

    site = models.ForeignKey("org.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("院区"))
    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, related_name="touches", verbose_name=_("市场活动")
    )
    customer = models.ForeignKey(
        "pipeline.Customer", on_delete=models.PROTECT, related_name="+", verbose_name=_("客户")
    )
    touched_on = models.DateField(_("触达日期"))
    method = models.CharField(_("归因方式"), max_length=20, choices=TouchMethod.choices)
    consultation = models.ForeignKey(
        "pipeline.Consultation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("咨询"),
    )
    deal = models.ForeignKey(
        "pipeline.Deal",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("成交"),
    )
    created_by = models.ForeignKey(
        "core.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("登记人"),
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("活动触达")
        verbose_name_plural = _("活动触达")
        ordering = ["touched_on", "pk"]
        indexes = [
            models.Index(fields=["customer", "touched_on"], name="touch_customer_day_idx"),
            models.Index(fields=["campaign", "touched_on"], name="touch_campaign_day_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.customer} ← {self.campaign} {self.touched_on}"
