"""Member tiers: rule-set versions, each member's current tier and its history, evaluation runs,
the per-member monthly running aggregates that evaluation reads, and care tasks."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from opscenter.core import audit
from opscenter.members.choices import (
    CareTaskKind,
    CareTaskStatus,
    ChangeSource,
    NightlyRunStatus,
    RuleSetStatus,
)
from opscenter.members.reference import yuan
from opscenter.members.rules import discount_label


@audit.register()
class TierRuleSet(models.Model):
    """A version of a site's tier rules (会员分级规则). Edits never change a version that has been
    active: saving creates a new draft version; activating it retires the previous active one.
    `definition` is validated by `members.rules.validate_rule_set` (criteria, levels, tiers and
    their benefits); an invalid definition can be saved as a draft but never activated."""

    site = models.ForeignKey("org.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("院区"))
    name = models.CharField(_("名称"), max_length=100)
    version = models.PositiveIntegerField(_("版本"))
    status = models.CharField(
        _("状态"), max_length=10, choices=RuleSetStatus.choices, default=RuleSetStatus.DRAFT
    )
    definition = models.JSONField(_("规则定义"), default=dict)
    based_on = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("基于版本")
    )
    note = models.CharField(_("修改说明"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        "core.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("创建人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    activated_at = models.DateTimeField(_("生效时间"), null=True, blank=True)
    retired_at = models.DateTimeField(_("停用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("会员分级规则")
        verbose_name_plural = _("会员分级规则")
        ordering = ["site", "name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["site", "name", "version"], name="ruleset_unique_version"),
            models.UniqueConstraint(
                fields=["site"], condition=Q(status="active"), name="ruleset_one_active_per_site"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class TierRuleSetEvent(models.Model):
    """One move of a rule-set version along RULE_SET_TRANSITIONS (who, when, from → to)."""

    rule_set = models.ForeignKey(
        TierRuleSet, on_delete=models.CASCADE, related_name="events", verbose_name=_("规则")
    )
    from_status = models.CharField(_("原状态"), max_length=10, choices=RuleSetStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=10, choices=RuleSetStatus.choices)
    actor = models.ForeignKey(
        "core.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("操作人"),
    )
    at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("规则状态变更")
        verbose_name_plural = _("规则状态变更")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.rule_set} {self.from_status} → {self.to_status}"


class TierEvaluation(models.Model):
    """One set-based evaluation of a site's members (nightly, on demand, or on activation)."""

    site = models.ForeignKey("org.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("院区"))
    rule_set = models.ForeignKey(
        TierRuleSet, on_delete=models.PROTECT, related_name="evaluations", verbose_name=_("规则")
    )
    as_of = models.DateField(_("评定日期"))
    members = models.PositiveIntegerField(_("会员数"), default=0)
    changes = models.PositiveIntegerField(_("变动数"), default=0)
    counts = models.JSONField(_("各等级人数"), default=dict)
    started_at = models.DateTimeField(_("开始时间"))
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    actor = models.ForeignKey(
        "core.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("操作人"),
    )

    class Meta:
        verbose_name = _("会员评定批次")
        verbose_name_plural = _("会员评定批次")
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["site", "started_at"], name="tier_eval_site_idx")]

    def __str__(self) -> str:
        return f"{self.site} {self.as_of} {self.rule_set}"


class MemberTier(models.Model):
    """A member's current tier under the site's active rule set (written only by evaluation)."""

    customer = models.OneToOneField(
        "pipeline.Customer", on_delete=models.CASCADE, related_name="member_tier", verbose_name=_("客户")
    )
    # No single-column FK indexes where a composite one leads with the column or nothing filters
    # on it alone: a first evaluation writes a row per member, and every index is paid per row.
    site = models.ForeignKey(
        "org.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("院区"), db_index=False
    )
    tier = models.CharField(_("会员等级"), max_length=20)
    rule_set = models.ForeignKey(
        TierRuleSet, on_delete=models.PROTECT, related_name="+", verbose_name=_("规则版本")
    )
    since = models.DateField(_("等级起始日期"))

    class Meta:
        verbose_name = _("会员等级")
        verbose_name_plural = _("会员等级")
        indexes = [models.Index(fields=["site", "tier"], name="member_tier_site_idx")]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.tier}"


class TierChange(models.Model):
    """History: a member's tier changed (upgrade, downgrade, or first tier), under which version."""

    # Indexed through tier_change_customer_idx / tier_change_eval_idx; site and rule set are never
    # filtered on alone (see MemberTier).
    customer = models.ForeignKey(
        "pipeline.Customer",
        on_delete=models.CASCADE,
        related_name="tier_changes",
        verbose_name=_("客户"),
        db_index=False,
    )
    site = models.ForeignKey(
        "org.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("院区"), db_index=False
    )
    from_tier = models.CharField(_("原等级"), max_length=20, blank=True)
    to_tier = models.CharField(_("新等级"), max_length=20)
    rule_set = models.ForeignKey(
        TierRuleSet, on_delete=models.PROTECT, related_name="+", verbose_name=_("规则版本"), db_index=False
    )
    evaluation = models.ForeignKey(
        TierEvaluation,
        db_index=False,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="tier_changes",
        verbose_name=_("评定批次"),
    )
    source = models.CharField(_("来源"), max_length=12, choices=ChangeSource.choices)
    as_of = models.DateField(_("评定日期"))
    changed_at = models.DateTimeField(_("变更时间"))

    class Meta:
        verbose_name = _("会员等级变动")
        verbose_name_plural = _("会员等级变动")
        ordering = ["-changed_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "changed_at"], name="tier_change_customer_idx"),
            models.Index(fields=["evaluation"], name="tier_change_eval_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.from_tier or '—'} → {self.to_tier}"


class MemberMonth(models.Model):
    """Running aggregates of one member × site × month (yyyymm), kept exact on every write path
    (services via the bookkeeping signal, bulk imports via `aggregates.refresh_customers`).
    `month = 0` holds the member's all-time totals. Evaluation reads these rows, never the raw
    transactions. Refunds are kept apart: they never count as purchase days or sessions, and net
    spend subtracts them. `sat_latest_key` encodes the latest rated follow-up as
    ((yyyymmdd × 10⁹ + follow-up id) × 10 + satisfaction), so MAX() finds it and % 10 reads it."""

    customer = models.ForeignKey(
        "pipeline.Customer", on_delete=models.CASCADE, related_name="+", verbose_name=_("客户")
    )
    site = models.ForeignKey("org.Site", on_delete=models.CASCADE, related_name="+", verbose_name=_("院区"))
    month = models.PositiveIntegerField(_("月份"), help_text="yyyymm; 0 = all-time totals")
    purchase_days = models.IntegerField(_("消费天数"), default=0)
    purchase_count = models.IntegerField(_("消费笔数"), default=0)
    purchase_fen = models.BigIntegerField(_("消费金额(分)"), default=0)
    refund_fen = models.BigIntegerField(_("退款金额(分)"), default=0)
    refund_count = models.IntegerField(_("退款笔数"), default=0)
    sessions_skin = models.IntegerField(_("皮肤美容次数"), default=0)
    sessions_skin_package = models.IntegerField(_("皮肤套餐次数"), default=0)
    sessions_non_invasive = models.IntegerField(_("无创/微整次数"), default=0)
    sessions_plastic = models.IntegerField(_("整形美容次数"), default=0)
    sessions_dental = models.IntegerField(_("口腔美容次数"), default=0)
    sessions_accommodation = models.IntegerField(_("入住/床位次数"), default=0)
    sessions_care = models.IntegerField(_("护理服务次数"), default=0)
    sessions_other = models.IntegerField(_("其他次数"), default=0)
    net_fen_skin = models.BigIntegerField(_("皮肤美容净消费(分)"), default=0)
    net_fen_skin_package = models.BigIntegerField(_("皮肤套餐净消费(分)"), default=0)
    net_fen_non_invasive = models.BigIntegerField(_("无创/微整净消费(分)"), default=0)
    net_fen_plastic = models.BigIntegerField(_("整形美容净消费(分)"), default=0)
    net_fen_dental = models.BigIntegerField(_("口腔美容净消费(分)"), default=0)
    net_fen_accommodation = models.BigIntegerField(_("入住/床位净消费(分)"), default=0)
    net_fen_care = models.BigIntegerField(_("护理服务净消费(分)"), default=0)
    net_fen_other = models.BigIntegerField(_("其他净消费(分)"), default=0)
    sat_sum = models.IntegerField(_("满意度合计"), default=0)
    sat_count = models.IntegerField(_("满意度次数"), default=0)
    sat_latest_key = models.BigIntegerField(_("最近满意度键"), null=True, blank=True)

    class Meta:
        verbose_name = _("会员月度汇总")
        verbose_name_plural = _("会员月度汇总")
        constraints = [
            models.UniqueConstraint(fields=["customer", "site", "month"], name="member_month_unique"),
        ]
        indexes = [models.Index(fields=["site", "month", "customer"], name="member_month_site_idx")]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.month}"


@audit.register()
class CareTask(models.Model):
    """A care task (关怀任务) generated from the benefits of a member's tier, due on a date and
    assigned to the consultant who owns the customer. `key` makes generation idempotent. The
    benefit's value is copied from the rule set at generation, so a later edit of the rules does
    not change a task already handed out: the coupon amount (birthday coupon), the discount rate
    (birthday-month discount, 0.88 = 8.8折) and what is given (coupon name, gift description)."""

    site = models.ForeignKey("org.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("院区"))
    customer = models.ForeignKey(
        "pipeline.Customer", on_delete=models.CASCADE, related_name="care_tasks", verbose_name=_("客户")
    )
    assignee = models.ForeignKey(
        "org.Staff",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="care_tasks",
        verbose_name=_("负责人"),
    )
    kind = models.CharField(_("任务类型"), max_length=20, choices=CareTaskKind.choices)
    tier = models.CharField(_("会员等级"), max_length=20)
    due_on = models.DateField(_("到期日期"))
    amount_fen = models.BigIntegerField(_("礼券金额(分)"), null=True, blank=True)
    discount_rate = models.DecimalField(
        _("折扣率"), max_digits=4, decimal_places=3, null=True, blank=True, help_text=_("0.88 = 8.8折")
    )
    detail = models.CharField(_("权益内容"), max_length=100, blank=True, help_text=_("礼券名称、礼品说明等"))
    key = models.CharField(_("去重键"), max_length=60, help_text="kind + period, unique per customer")
    status = models.CharField(
        _("状态"), max_length=10, choices=CareTaskStatus.choices, default=CareTaskStatus.OPEN
    )
    note = models.CharField(_("备注"), max_length=300, blank=True)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    done_by = models.ForeignKey(
        "core.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("完成人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("关怀任务")
        verbose_name_plural = _("关怀任务")
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "key"], name="care_task_unique_key"),
            models.CheckConstraint(
                condition=Q(status="open") | Q(done_at__isnull=False), name="care_task_closed_has_time"
            ),
            models.CheckConstraint(
                condition=Q(amount_fen__isnull=True) | Q(amount_fen__gte=0),
                name="care_task_amount_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(discount_rate__isnull=True) | Q(discount_rate__gt=0, discount_rate__lt=1),
                name="care_task_discount_rate_in_0_1",
            ),
        ]
        indexes = [
            models.Index(fields=["assignee", "status", "due_on"], name="care_task_assignee_idx"),
            models.Index(fields=["site", "status", "due_on"], name="care_task_site_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.get_kind_display()} {self.due_on}"

    @property
    def discount_label(self) -> str:
        """The discount as staff say it ("8.8折"); "" when the task carries none."""
        return discount_label(self.discount_rate)

    @property
    def benefit(self) -> str:
        """The benefit in words for lists and exports: "¥260 元祖消费券", "8.8折", a gift's
        description; "" for tasks that carry no value (follow-ups, greetings)."""
        parts = []
        if self.amount_fen is not None:
            parts.append(yuan(self.amount_fen))
        if self.discount_rate is not None:
            parts.append(self.discount_label)
        if self.detail:
            parts.append(self.detail)
        return " ".join(parts)


class NightlyRun(models.Model):
    """The nightly job of one site for one day (评定 + 关怀任务). The unique (site, day) row is
    claimed with a conditional UPDATE before any work, so a second run the same day — a cron retry,
    a task delivered twice, two workers — does nothing. A failed run may be claimed again; a run
    still "running" long after its claim (the worker died) is marked failed as stale first.
    `attempts` counts the claims; `error` keeps the reason the last attempt failed."""

    site = models.ForeignKey("org.Site", on_delete=models.CASCADE, related_name="+", verbose_name=_("院区"))
    day = models.DateField(_("日期"))
    status = models.CharField(_("状态"), max_length=10, choices=NightlyRunStatus.choices)
    attempts = models.PositiveSmallIntegerField(_("运行次数"), default=0)
    evaluation = models.ForeignKey(
        TierEvaluation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("评定批次"),
    )
    care_tasks = models.PositiveIntegerField(_("新建关怀任务数"), default=0)
    error = models.CharField(
        _("最近一次错误"),
        max_length=300,
        blank=True,
        help_text=_("重试成功后仍保留：上一次失败的原因"),
    )
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("夜间任务")
        verbose_name_plural = _("夜间任务")
        ordering = ["-day", "site"]
        constraints = [models.UniqueConstraint(fields=["site", "day"], name="nightly_run_unique_day")]

    def __str__(self) -> str:
        return f"{self.site} {self.day} {self.status}"
