"""Target plans (指标分解): a site's yearly metrics split by month and unit, versioned."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from opscenter.core import audit
from opscenter.targets.choices import PlanStatus, SplitMethod, UnitKind
from opscenter.targets.constants import DEFAULT_ALERT_SHARE


@audit.register()
class TargetPlan(models.Model):
    """One version of a site's plan for a year. One active version per site and year; a revision
    is a new draft version (`revised_from`), the old one is kept for comparison."""

    site = models.ForeignKey("org.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("院区"))
    year = models.PositiveSmallIntegerField(_("年度"))
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    name = models.CharField(_("名称"), max_length=100, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    revised_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("修订自")
    )
    alert_share = models.DecimalField(
        _("预警比例"), max_digits=5, decimal_places=4, default=DEFAULT_ALERT_SHARE,
        help_text="run-rate projection below this share of target alerts the unit's manager",
    )  # fmt: skip
    note = models.TextField(_("说明"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("创建人"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    activated_at = models.DateTimeField(_("启用时间"), null=True, blank=True)
    superseded_at = models.DateTimeField(_("替代时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("目标计划")
        verbose_name_plural = _("目标计划")
        ordering = ["-year", "site__code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["site", "year", "version"], name="targetplan_unique_version"),
            models.UniqueConstraint(
                fields=["site", "year"], condition=Q(status="active"), name="targetplan_one_active"
            ),
            models.CheckConstraint(condition=Q(year__gte=2000, year__lte=2100), name="targetplan_year_range"),
            models.CheckConstraint(
                condition=Q(alert_share__gte=0, alert_share__lte=1), name="targetplan_alert_share_range"
            ),
        ]

    def __str__(self) -> str:
        return gettext("%(year)s 年目标 v%(version)s") % {"year": self.year, "version": self.version}

    def clean(self) -> None:
        if self.alert_share is not None and not (Decimal(0) <= self.alert_share <= Decimal(1)):
            raise ValidationError({"alert_share": gettext("预警比例应在 0 到 100% 之间")})

    @property
    def title(self) -> str:
        return self.name or gettext("%(year)s 年经营目标") % {"year": self.year}


@audit.register()
class PlanMetric(models.Model):
    """A metric of a plan with its yearly target (money in fen) and how it was split by month."""

    plan = models.ForeignKey(
        TargetPlan, on_delete=models.CASCADE, related_name="metrics", verbose_name=_("计划")
    )
    metric = models.CharField(_("指标"), max_length=60)
    annual_target = models.BigIntegerField(_("年度目标"))
    month_split = models.CharField(
        _("按月分解"), max_length=12, choices=SplitMethod.choices, default=SplitMethod.EVEN
    )
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("计划指标")
        verbose_name_plural = _("计划指标")
        ordering = ["plan", "sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "metric"], name="planmetric_unique_metric"),
            models.CheckConstraint(condition=Q(annual_target__gte=0), name="planmetric_target_not_negative"),
        ]

    def __str__(self) -> str:
        from opscenter.targets.metrics import metric_label

        return f"{self.plan} · {metric_label(self.metric)}"


def unit_key(kind: str, pk: int | None = None) -> str:
    """ "site", "department:3", "team:5", "staff:9": one string per unit of a plan."""
    return kind if kind == UnitKind.SITE else f"{kind}:{pk}"


@audit.register(exclude=("alert_sent_at",))
class Allocation(models.Model):
    """The target of one metric for one month and one unit. `parent` is the allocation it was
    split from (the site's month, a department's month for its teams, or a team's month for its
    staff); children should add up to it.
    """

    plan_metric = models.ForeignKey(
        PlanMetric, on_delete=models.CASCADE, related_name="allocations", verbose_name=_("计划指标")
    )
    month = models.PositiveIntegerField(_("月份"), help_text="yyyymm")
    unit_kind = models.CharField(_("单位类型"), max_length=12, choices=UnitKind.choices)
    unit_key = models.CharField(_("单位"), max_length=40)
    department = models.ForeignKey(
        "org.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("部门"),
    )  # fmt: skip
    team = models.ForeignKey(
        "org.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("小组")
    )
    staff = models.ForeignKey(
        "org.Staff", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("员工")
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
        verbose_name=_("上级"),
    )
    target = models.BigIntegerField(_("目标值"))
    alert_sent_at = models.DateTimeField(_("预警时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("目标分解")
        verbose_name_plural = _("目标分解")
        ordering = ["plan_metric", "month", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan_metric", "month", "unit_key"], name="allocation_unique_cell"
            ),
            models.CheckConstraint(condition=Q(target__gte=0), name="allocation_target_not_negative"),
        ]
        indexes = [models.Index(fields=["month", "alert_sent_at"], name="allocation_alert_idx")]

    def __str__(self) -> str:
        return f"{self.month} {self.unit_key}: {self.target}"

    def clean(self) -> None:
        needed = {
            UnitKind.SITE: set(),
            UnitKind.DEPARTMENT: {"department"},
            UnitKind.TEAM: {"team"},
            UnitKind.STAFF: {"staff"},
        }[self.unit_kind]
        present = {name for name in ("department", "team", "staff") if getattr(self, f"{name}_id")}
        if present != needed:
            raise ValidationError(gettext("分解单位与单位类型不一致"))


@audit.register()
class RateOverride(models.Model):
    """A funnel rate set by hand for a unit of a plan, instead of its trailing actual: for the
    unit's funnel as a whole (`channel` empty) or for one source channel of it (the by-channel
    back-solve)."""

    plan = models.ForeignKey(
        TargetPlan, on_delete=models.CASCADE, related_name="rate_overrides", verbose_name=_("计划")
    )
    unit_key = models.CharField(_("单位"), max_length=40)
    channel = models.ForeignKey(
        "pipeline.Channel", null=True, blank=True, on_delete=models.CASCADE, related_name="+",
        verbose_name=_("渠道"), help_text="empty = the unit's rates across all channels",
    )  # fmt: skip
    rate = models.CharField(_("转化率"), max_length=40)
    value = models.DecimalField(_("取值"), max_digits=16, decimal_places=4)

    class Meta:
        verbose_name = _("转化率设定")
        verbose_name_plural = _("转化率设定")
        # Two partial constraints: NULLs are distinct in a plain unique constraint (SQLite, and
        # PostgreSQL before NULLS NOT DISTINCT), so "the unit's aggregate rate" needs its own.
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "unit_key", "rate"],
                condition=Q(channel__isnull=True),
                name="rateoverride_unique",
            ),
            models.UniqueConstraint(
                fields=["plan", "unit_key", "channel", "rate"],
                condition=Q(channel__isnull=False),
                name="rateoverride_unique_channel",
            ),
            models.CheckConstraint(condition=Q(value__gte=0), name="rateoverride_not_negative"),
        ]

    def __str__(self) -> str:
        where = f"{self.unit_key}/{self.channel_id}" if self.channel_id else self.unit_key
        return f"{where} {self.rate}={self.value}"


class Notification(models.Model):
    """An in-app notice to one user (e.g. a target at risk). Not audited: it is itself a record."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("接收人"),
    )
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    link = models.CharField(_("链接"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread_idx")]

    def __str__(self) -> str:
        return self.title


@audit.register()
class RateTarget(models.Model):
    """A funnel rate set for one month of a unit (seed 004's 指标分解 table sets 电话预约率, 上门率,
    成交率 month by month). It is both that month's assumption in the solver (before the unit's
    plan-wide `RateOverride`) and the month's rate target, shown against the actual rate."""

    plan = models.ForeignKey(
        TargetPlan, on_delete=models.CASCADE, related_name="rate_targets", verbose_name=_("计划")
    )
    unit_key = models.CharField(_("单位"), max_length=40)
    month = models.PositiveIntegerField(_("月份"), help_text="yyyymm")
    rate = models.CharField(_("转化率"), max_length=40)
    value = models.DecimalField(_("目标值"), max_digits=16, decimal_places=4)

    class Meta:
        verbose_name = _("月度转化率目标")
        verbose_name_plural = _("月度转化率目标")
        ordering = ["plan", "unit_key", "month", "rate"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "unit_key", "month", "rate"], name="ratetarget_unique"),
            models.CheckConstraint(condition=Q(value__gte=0), name="ratetarget_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_key} {self.month} {self.rate}={self.value}"
