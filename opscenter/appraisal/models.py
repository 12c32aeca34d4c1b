"""The partner register (合作机构) and its contracts.

Appraisal grades partners (目标医院等级评价) and pays the year-end contract bonus by the class at
signing (seed 003); marketing adds contacts, commission rules and group tours on top of the same
rows (seed 000 渠道分级). One register, so a partner is never two rows in two apps.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from opscenter.appraisal.choices import PartnerGrade, PartnerKind
from opscenter.core import audit


@audit.register()
class Partner(models.Model):
    """An organisation a site works with: a target hospital, a referral clinic, an insurer's team."""

    site = models.ForeignKey("org.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("院区"))
    name = models.CharField(_("机构名称"), max_length=100)
    kind = models.CharField(_("机构类型"), max_length=20, choices=PartnerKind.choices)
    grade = models.CharField(
        _("当前等级"),
        max_length=1,
        choices=PartnerGrade.choices,
        blank=True,
        help_text=_("由合作机构评分卡评定"),
    )
    channel = models.ForeignKey(
        "pipeline.Channel",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("对应渠道"),
        help_text=_("客户经此渠道转介时归属该机构"),
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    notes = models.TextField(_("备注"), blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("合作机构")
        verbose_name_plural = _("合作机构")
        ordering = ["site", "name"]
        constraints = [models.UniqueConstraint(fields=["site", "name"], name="partner_unique_name_per_site")]
        indexes = [models.Index(fields=["site", "kind"], name="partner_site_kind_idx")]

    def __str__(self) -> str:
        return self.name


@audit.register()
class PartnerContract(models.Model):
    """A signed cooperation contract; the class at signing decides the year-end contract bonus."""

    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="contracts", verbose_name=_("合作机构")
    )
    number = models.CharField(_("合同编号"), max_length=50, blank=True)
    signed_on = models.DateField(_("签约日期"))
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    grade_at_signing = models.CharField(_("签约时等级"), max_length=1, choices=PartnerGrade.choices)
    notes = models.TextField(_("备注"), blank=True)

    class Meta:
        verbose_name = _("合作合同")
        verbose_name_plural = _("合作合同")
        ordering = ["-signed_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="partnercontract_period_order"
            )
        ]
        indexes = [models.Index(fields=["partner", "signed_on"], name="partnercontract_signed_idx")]

    def __str__(self) -> str:
        return f"{self.partner} {self.signed_on:%Y-%m-%d}"


# The scoring engine, runs and pay live in their own modules (this one stays the partner register
# marketing also builds on); imported here so Django registers them under `appraisal`.
from opscenter.appraisal.models_incentives import (  # noqa: E402,F401
    BonusAllocation,
    BonusAllocationEntry,
    LeaveSettlement,
    LeaveSettlementLine,
    PriceStage,
    SalesContest,
)
from opscenter.appraisal.models_pay import (  # noqa: E402,F401
    IncentivePlan,
    Instalment,
    PayBase,
    Payout,
    PayoutLine,
    PlanBracket,
)
from opscenter.appraisal.models_runs import (  # noqa: E402,F401
    Appeal,
    Appraisal,
    AppraisalRun,
    Interview,
    ItemScore,
    Period,
    PeriodPublication,
    Referral,
    RuleEvent,
)
from opscenter.appraisal.models_scoring import GradeBand, Rule, Scorecard, ScoreItem  # noqa: E402,F401
