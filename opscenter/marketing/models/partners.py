"""Marketing's extensions of the partner register (appraisal.Partner): contacts, commission rules,
monthly commission statements with their lines, and group-tour receptions (团队参观)."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from opscenter.core import audit
from opscenter.marketing.choices import CommissionKind, StatementStatus


@audit.register()
class PartnerContact(models.Model):
    """A person at a partner organisation (e.g. an insurer's team leader)."""

    partner = models.ForeignKey(
        "appraisal.Partner", on_delete=models.PROTECT, related_name="+", verbose_name=_("合作机构")
    )
    name = models.CharField(_("姓名"), max_length=50)
    role = models.CharField(_("职务"), max_length=50, blank=True)
    phone = models.CharField(_("电话"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("机构联系人")
        verbose_name_plural = _("机构联系人")
        ordering = ["partner", "name"]

    def __str__(self) -> str:
        return self.name


@audit.register()
class CommissionRule(models.Model):
    """How a partner is paid (佣金规则), valid over [valid_from, valid_to]:

    * percent_first_year: `rate_pct` % of the revenue of referred customers' deals signed within
      twelve months of their first deal;
    * fixed_per_admission: `fixed_fen` per new customer's first deal (每成交一人);
    * tiered: per new customer's first deal, the `tiers` row matching the month's count of such
      deals — `tiers` = [{"from": 1, "to": 5, "fen": 100000}, {"from": 6, "to": null, "fen": 150000}],
      whole-count mode (every admission of the month at the matched tier's amount); tiers may not overlap;
    * tour_fee: `fixed_fen` per group-tour reception (讲解费).
    """

    partner = models.ForeignKey(
        "appraisal.Partner", on_delete=models.PROTECT, related_name="+", verbose_name=_("合作机构")
    )
    kind = models.CharField(_("规则类型"), max_length=24, choices=CommissionKind.choices)
    rate_pct = models.DecimalField(_("提成比例(%)"), max_digits=6, decimal_places=2, null=True, blank=True)
    fixed_fen = models.BigIntegerField(_("固定金额(分)"), null=True, blank=True)
    tiers = models.JSONField(_("阶梯"), default=list, blank=True)
    valid_from = models.DateField(_("生效日期"))
    valid_to = models.DateField(_("失效日期"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("佣金规则")
        verbose_name_plural = _("佣金规则")
        ordering = ["partner", "-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="commissionrule_period",
            ),
            models.CheckConstraint(
                condition=Q(fixed_fen__isnull=True) | Q(fixed_fen__gte=0),
                name="commissionrule_fixed_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(rate_pct__isnull=True) | Q(rate_pct__gte=0),
                name="commissionrule_rate_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partner} {self.get_kind_display()}"


@audit.register()
class CommissionStatement(models.Model):
    """A partner's commission for one month (佣金结算单). Regenerating supersedes the old statement
    (kept, status superseded) rather than rewriting it."""

    partner = models.ForeignKey(
        "appraisal.Partner", on_delete=models.PROTECT, related_name="+", verbose_name=_("合作机构")
    )
    month = models.PositiveIntegerField(_("结算月份"), help_text="yyyymm")
    status = models.CharField(
        _("状态"), max_length=12, choices=StatementStatus.choices, default=StatementStatus.DRAFT
    )
    total_fen = models.BigIntegerField(_("佣金合计(分)"), default=0)
    generated_at = models.DateTimeField(_("生成时间"))
    generated_by = models.ForeignKey(
        "core.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("生成人"),
    )

    class Meta:
        verbose_name = _("佣金结算单")
        verbose_name_plural = _("佣金结算单")
        ordering = ["-month", "partner"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "month"],
                condition=~Q(status=StatementStatus.SUPERSEDED),
                name="statement_one_current_per_month",
            )
        ]

    def __str__(self) -> str:
        return f"{self.partner} {self.month}"


class CommissionLine(models.Model):
    """One line of a statement: the deal or tour it pays for, the rule, base and amount."""

    statement = models.ForeignKey(
        CommissionStatement, on_delete=models.CASCADE, related_name="lines", verbose_name=_("结算单")
    )
    rule = models.ForeignKey(
        CommissionRule, on_delete=models.PROTECT, related_name="+", verbose_name=_("规则")
    )
    deal = models.ForeignKey(
        "pipeline.Deal",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("成交"),
    )
    tour = models.ForeignKey(
        "marketing.GroupTour",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("团队参观"),
    )
    base_fen = models.BigIntegerField(_("计提基数(分)"), default=0)
    amount_fen = models.BigIntegerField(_("佣金(分)"))
    explanation = models.CharField(_("计算说明"), max_length=200)

    class Meta:
        verbose_name = _("佣金明细")
        verbose_name_plural = _("佣金明细")
        ordering = ["statement", "pk"]

    def __str__(self) -> str:
        return self.explanation


@audit.register()
class GroupTour(models.Model):
    """A partner team's group tour received at the site (团队参观接待), e.g. an insurer's sales team."""

    site = models.ForeignKey("org.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("院区"))
    partner = models.ForeignKey(
        "appraisal.Partner", on_delete=models.PROTECT, related_name="+", verbose_name=_("合作机构")
    )
    team_name = models.CharField(_("来访团队"), max_length=100)
    toured_on = models.DateField(_("参观日期"))
    headcount = models.PositiveIntegerField(_("人数"))
    guide = models.ForeignKey(
        "org.Staff",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("讲解员"),
    )
    campaign = models.ForeignKey(
        "marketing.Campaign",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tours",
        verbose_name=_("对应活动"),
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("团队参观")
        verbose_name_plural = _("团队参观")
        ordering = ["-toured_on", "-pk"]
        indexes = [models.Index(fields=["partner", "toured_on"], name="grouptour_partner_day_idx")]

    def __str__(self) -> str:
        return f"{self.partner} {self.team_name} {self.toured_on}"
