"""Periods, runs and appraisals: the computed result per subject, item scores, rule events,
appeals (申诉) and interviews (绩效面谈)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from opscenter.appraisal.choices import (
    AppealStatus,
    InterviewStatus,
    PeriodKind,
    PeriodStatus,
    ScoreStatus,
    SubjectKind,
)
from opscenter.core import audit


class Period(models.Model):
    """A month, quarter or year of appraisal (one row per kind and start, across sites)."""

    kind = models.CharField(_("周期类型"), max_length=10, choices=PeriodKind.choices)
    label = models.CharField(_("周期"), max_length=10, help_text="2026-10 / 2026-Q4 / 2026")
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"))
    status = models.CharField(
        _("状态"), max_length=10, choices=PeriodStatus.choices, default=PeriodStatus.OPEN
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("考核周期")
        verbose_name_plural = _("考核周期")
        ordering = ["-start", "kind"]
        constraints = [models.UniqueConstraint(fields=["label"], name="period_unique_label")]

    def __str__(self) -> str:
        return self.label


class AppraisalRun(models.Model):
    """One computation of a period (all scorecards or one), with progress for the page's bar."""

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="runs")
    scorecard_name = models.CharField(_("方案"), max_length=100, blank=True)
    status = models.CharField(_("状态"), max_length=10, default="queued")  # queued/running/done/failed
    done = models.PositiveIntegerField(_("已完成"), default=0)
    total = models.PositiveIntegerField(_("总数"), default=0)
    queries = models.PositiveIntegerField(_("指标查询次数"), default=0)
    message = models.TextField(_("结果"), blank=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("考核计算")
        verbose_name_plural = _("考核计算")
        ordering = ["-pk"]

    def __str__(self) -> str:
        return f"{self.period} {self.status}"


@audit.register(internal=("explanation",))
class Appraisal(models.Model):
    """The appraisal of one subject for one period with one scorecard version."""

    period = models.ForeignKey(
        Period, on_delete=models.PROTECT, related_name="appraisals", verbose_name=_("考核周期")
    )
    scorecard = models.ForeignKey(
        "appraisal.Scorecard", on_delete=models.PROTECT, related_name="appraisals", verbose_name=_("考核方案")
    )
    site = models.ForeignKey("org.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("院区"))
    department = models.ForeignKey(
        "org.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("部门"),
    )
    subject_kind = models.CharField(_("考核对象"), max_length=12, choices=SubjectKind.choices)
    subject_id = models.PositiveIntegerField(_("对象编号"))
    subject_name = models.CharField(_("对象"), max_length=100)
    staff = models.ForeignKey(
        "org.Staff", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("员工")
    )
    team = models.ForeignKey(
        "org.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("小组")
    )
    weighted_score = models.DecimalField(_("加权得分"), max_digits=6, decimal_places=2, null=True)
    final_score = models.DecimalField(_("最终得分"), max_digits=6, decimal_places=2, null=True)
    grade = models.CharField(_("等级"), max_length=20, blank=True)
    individual_coefficient = models.DecimalField(_("个人系数"), max_digits=5, decimal_places=2, default=1)
    team_coefficient = models.DecimalField(_("团队系数"), max_digits=5, decimal_places=2, default=1)
    coefficient = models.DecimalField(_("绩效系数"), max_digits=6, decimal_places=4, default=1)
    explanation = models.JSONField(_("计算说明"), default=dict, blank=True)
    pending_items = models.PositiveSmallIntegerField(_("待打分项"), default=0)
    version = models.PositiveIntegerField(_("版本"), default=1)
    computed_at = models.DateTimeField(_("计算时间"), null=True)

    class Meta:
        verbose_name = _("考核结果")
        verbose_name_plural = _("考核结果")
        ordering = ["period", "site", "subject_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "scorecard", "subject_kind", "subject_id"], name="appraisal_unique_subject"
            )
        ]
        indexes = [
            models.Index(fields=["period", "site"], name="appraisal_period_site_idx"),
            models.Index(fields=["staff", "period"], name="appraisal_staff_period_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.subject_name}"


class ItemScore(models.Model):
    """One item of one appraisal: the metric value behind it (numerator/denominator; the drill-down
    URL is asked from the metric when the statement is shown), the score, or the manual/checklist entry."""

    # No index of its own: the unique (appraisal, item) index starts with it (one index less to
    # maintain per row; a run writes 200,000 of these).
    appraisal = models.ForeignKey(Appraisal, on_delete=models.CASCADE, related_name="scores", db_index=False)
    item = models.ForeignKey("appraisal.ScoreItem", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("状态"), max_length=10, choices=ScoreStatus.choices, default=ScoreStatus.AUTO)
    numerator = models.BigIntegerField(null=True, blank=True)
    denominator = models.BigIntegerField(null=True, blank=True)
    value = models.DecimalField(_("指标值"), max_digits=18, decimal_places=4, null=True, blank=True)
    score = models.DecimalField(_("得分"), max_digits=6, decimal_places=2, null=True, blank=True)
    checked = models.JSONField(_("已勾选检查项"), default=list, blank=True)
    note = models.TextField(_("说明"), blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    entered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("项目得分")
        verbose_name_plural = _("项目得分")
        ordering = ["appraisal", "item__order", "item_id"]
        constraints = [models.UniqueConstraint(fields=["appraisal", "item"], name="itemscore_unique_item")]
        # Only the rows waiting for someone (the appraiser queue) are indexed by status.
        indexes = [
            models.Index(
                fields=["status"],
                name="itemscore_waiting_idx",
                condition=Q(status__in=["pending", "reopened"]),
            )
        ]

    def __str__(self) -> str:
        return f"{self.appraisal_id}/{self.item_id}"


@audit.register()
class RuleEvent(models.Model):
    """An event making a rule fire for one appraisal (a head-office complaint → deduction of 2;
    an outage > 24 h → downgrade by 2; a fabricated report → veto). Deductions link their complaint."""

    appraisal = models.ForeignKey(
        Appraisal, on_delete=models.CASCADE, related_name="events", verbose_name=_("考核结果")
    )
    rule = models.ForeignKey(
        "appraisal.Rule", on_delete=models.PROTECT, related_name="+", verbose_name=_("规则")
    )
    points = models.DecimalField(_("扣分"), max_digits=6, decimal_places=2, default=0)
    complaint = models.ForeignKey(
        "commitments.Complaint",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("关联投诉"),
    )
    reason = models.CharField(_("事由"), max_length=300)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("登记人"),
    )
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("规则事件")
        verbose_name_plural = _("规则事件")
        ordering = ["appraisal", "rule__order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["appraisal", "complaint"],
                condition=Q(complaint__isnull=False),
                name="ruleevent_complaint_once",
            )
        ]

    def __str__(self) -> str:
        return self.reason


@audit.register()
class Appeal(models.Model):
    """申诉: reopens one item of a published appraisal with a reason; upheld → the item is
    re-scored and the appraisal recomputed; the old and new scores are kept."""

    appraisal = models.ForeignKey(
        Appraisal, on_delete=models.CASCADE, related_name="appeals", verbose_name=_("考核结果")
    )
    item_score = models.ForeignKey(
        ItemScore, on_delete=models.CASCADE, related_name="appeals", verbose_name=_("项目得分")
    )
    reason = models.TextField(_("申诉理由"))
    status = models.CharField(
        _("状态"), max_length=10, choices=AppealStatus.choices, default=AppealStatus.OPEN
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("申诉人"),
    )
    filed_at = models.DateTimeField(_("申诉时间"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("处理人"),
    )
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    decision = models.TextField(_("处理意见"), blank=True)
    old_score = models.DecimalField(_("原得分"), max_digits=6, decimal_places=2, null=True, blank=True)
    new_score = models.DecimalField(_("新得分"), max_digits=6, decimal_places=2, null=True, blank=True)
    old_final = models.DecimalField(_("原总分"), max_digits=6, decimal_places=2, null=True, blank=True)
    old_grade = models.CharField(_("原等级"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("绩效申诉")
        verbose_name_plural = _("绩效申诉")
        ordering = ["-filed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["item_score"], condition=Q(status="open"), name="appeal_one_open_per_item"
            )
        ]

    def __str__(self) -> str:
        return f"{self.appraisal} · {self.reason[:20]}"


class Interview(models.Model):
    """绩效面谈: due on business days 4–6 of the month after the period (seed 003), tracked."""

    appraisal = models.OneToOneField(Appraisal, on_delete=models.CASCADE, related_name="interview")
    due_from = models.DateField(_("最早面谈日"))
    due_by = models.DateField(_("面谈截止日"))
    status = models.CharField(
        _("状态"), max_length=10, choices=InterviewStatus.choices, default=InterviewStatus.DUE
    )
    held_on = models.DateField(_("面谈日期"), null=True, blank=True)
    notes = models.TextField(_("面谈记录"), blank=True)

    class Meta:
        verbose_name = _("绩效面谈")
        verbose_name_plural = _("绩效面谈")
        indexes = [models.Index(fields=["status", "due_by"], name="interview_status_due_idx")]

    def __str__(self) -> str:
        return f"{self.appraisal} {self.due_by}"


@audit.register()
class PeriodPublication(models.Model):
    """A period's results published (and frozen) for one site: a site manager publishes their sites,
    a group manager several at once; the period is published when every site with results is."""

    period = models.ForeignKey(
        Period, on_delete=models.PROTECT, related_name="publications", verbose_name=_("考核周期")
    )
    site = models.ForeignKey("org.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("院区"))
    appraisals = models.PositiveIntegerField(_("考核份数"), default=0)
    published_at = models.DateTimeField(_("发布时间"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("发布人"),
    )

    class Meta:
        verbose_name = _("考核结果发布")
        verbose_name_plural = _("考核结果发布")
        ordering = ["period", "site"]
        constraints = [models.UniqueConstraint(fields=["period", "site"], name="publication_unique_site")]

    def __str__(self) -> str:
        return f"{self.period} · {self.site.name}"


@audit.register()
class Referral(models.Model):
    """全员营销 (seed 001): a customer referred by an employee, attributed to that employee for the
    month of `referred_on`. One referring employee per customer; a wrong attribution is withdrawn
    with a reason (kept), never deleted."""

    site = models.ForeignKey("org.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("院区"))
    staff = models.ForeignKey(
        "org.Staff", on_delete=models.PROTECT, related_name="+", verbose_name=_("推荐员工")
    )
    customer = models.ForeignKey(
        "pipeline.Customer", on_delete=models.PROTECT, related_name="+", verbose_name=_("被推荐客户")
    )
    referred_on = models.DateField(_("推荐日期"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    withdrawn_reason = models.CharField(_("撤销原因"), max_length=200, blank=True)
    is_withdrawn = models.BooleanField(_("已撤销"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("登记人"),
    )
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("全员营销推荐")
        verbose_name_plural = _("全员营销推荐")
        ordering = ["-referred_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer"], condition=Q(is_withdrawn=False), name="referral_one_referrer"
            )
        ]
        indexes = [models.Index(fields=["staff", "referred_on"], name="referral_staff_day_idx")]

    def __str__(self) -> str:
        return f"{self.staff.name} → {self.customer.name}"
