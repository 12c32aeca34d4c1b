"""QA (质检): versioned scorecards, reproducible samples, scores with acknowledgement and dispute."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opscenter.callcenter.choices import ScoreStatus
from opscenter.core import audit


@audit.register()
class QaScorecard(models.Model):
    """A QA scorecard version of a site. Scores keep the version they were given under; editing
    makes a new version (`family` stays, `version` + 1) and the old one stays readable."""

    site = models.ForeignKey("org.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("院区"))
    family = models.SlugField(_("编码"), max_length=40)
    version = models.PositiveIntegerField(_("版本"), default=1)
    name = models.CharField(_("名称"), max_length=100)
    is_active = models.BooleanField(_("生效"), default=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        verbose_name = _("质检评分表")
        verbose_name_plural = _("质检评分表")
        ordering = ["site", "family", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["site", "family", "version"], name="qa_scorecard_unique_version"),
            models.UniqueConstraint(
                fields=["site", "family"], condition=Q(is_active=True), name="qa_scorecard_one_active"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class QaItem(models.Model):
    """One scored item (问候语, 身份核实 …) with its weight in points; a fatal item failed makes the
    whole score 0 (致命错误)."""

    scorecard = models.ForeignKey(
        QaScorecard, on_delete=models.CASCADE, related_name="items", verbose_name=_("评分表")
    )
    name = models.CharField(_("项目"), max_length=60)
    weight = models.PositiveSmallIntegerField(_("分值"))
    is_fatal = models.BooleanField(_("致命项"), default=False)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("质检项目")
        verbose_name_plural = _("质检项目")
        ordering = ["scorecard", "position", "pk"]

    def __str__(self) -> str:
        return self.name


class QaSample(models.Model):
    """A drawn sample: `per_agent` calls per agent answered in [start, end], stratified by
    disposition, calls shorter than `min_seconds` excluded, reproducible from `seed`."""

    site = models.ForeignKey("org.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("院区"))
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"))
    per_agent = models.PositiveSmallIntegerField(_("每人抽样数"))
    min_seconds = models.PositiveIntegerField(_("最短通话(秒)"), default=30)
    seed = models.PositiveIntegerField(_("随机种子"))
    created_by = models.ForeignKey(
        "core.User", null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("抽样人")
    )
    created_at = models.DateTimeField(_("抽样时间"), default=timezone.now)

    class Meta:
        verbose_name = _("质检抽样")
        verbose_name_plural = _("质检抽样")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.start} – {self.end}"


class QaSampleCall(models.Model):
    sample = models.ForeignKey(
        QaSample, on_delete=models.CASCADE, related_name="calls", verbose_name=_("抽样")
    )
    call = models.ForeignKey(
        "callcenter.Call", on_delete=models.PROTECT, related_name="+", verbose_name=_("来电")
    )

    class Meta:
        verbose_name = _("抽样来电")
        verbose_name_plural = _("抽样来电")
        constraints = [models.UniqueConstraint(fields=["sample", "call"], name="qa_sample_call_unique")]

    def __str__(self) -> str:
        return f"{self.sample_id}:{self.call_id}"


@audit.register()
class QaScore(models.Model):
    """A reviewer's score of one call under one scorecard version. Several reviewers may score the
    same call (calibration); a dispute is settled by a second reviewer's score (`review_of`)."""

    call = models.ForeignKey(
        "callcenter.Call", on_delete=models.PROTECT, related_name="qa_scores", verbose_name=_("来电")
    )
    scorecard = models.ForeignKey(
        QaScorecard, on_delete=models.PROTECT, related_name="+", verbose_name=_("评分表")
    )
    agent = models.ForeignKey("org.Staff", on_delete=models.PROTECT, related_name="+", verbose_name=_("坐席"))
    reviewer = models.ForeignKey(
        "org.Staff", on_delete=models.PROTECT, related_name="+", verbose_name=_("质检员")
    )
    total = models.DecimalField(_("得分"), max_digits=6, decimal_places=2)
    fatal = models.BooleanField(_("致命错误"), default=False)
    comment = models.TextField(_("评语"), blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=ScoreStatus.choices, default=ScoreStatus.SCORED
    )
    dispute_reason = models.TextField(_("申诉理由"), blank=True)
    review_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reviews",
        verbose_name=_("复核对象"),
    )
    counts = models.BooleanField(_("计入均分"), default=True)
    local_date = models.DateField(_("评分日期"))
    scored_at = models.DateTimeField(_("评分时间"), default=timezone.now)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("质检评分")
        verbose_name_plural = _("质检评分")
        ordering = ["-scored_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["call", "reviewer", "review_of"], name="qa_score_once_per_reviewer"
            ),
        ]
        indexes = [models.Index(fields=["agent", "local_date", "counts"], name="qa_score_agent_day_idx")]

    def __str__(self) -> str:
        return f"{self.call} · {self.total}"


class QaItemScore(models.Model):
    """Points given on one item; `missed` when below the item's full weight (what habitual-error
    analysis counts)."""

    score = models.ForeignKey(QaScore, on_delete=models.CASCADE, related_name="items", verbose_name=_("评分"))
    item = models.ForeignKey(QaItem, on_delete=models.PROTECT, related_name="+", verbose_name=_("项目"))
    points = models.PositiveSmallIntegerField(_("得分"))
    missed = models.BooleanField(_("失分"), default=False)

    class Meta:
        verbose_name = _("项目得分")
        verbose_name_plural = _("项目得分")
        constraints = [models.UniqueConstraint(fields=["score", "item"], name="qa_item_score_unique")]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.points}"
