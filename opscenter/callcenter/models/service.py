"""Surveys (满意度), third-party test calls (第三方拨测) and the knowledge base (知识库)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opscenter.callcenter.choices import TestCallResult
from opscenter.core import audit


class Survey(models.Model):
    """A post-call satisfaction answer (1–5). A low score opens a follow-up work order."""

    site = models.ForeignKey("org.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("院区"))
    call = models.ForeignKey(
        "callcenter.Call", on_delete=models.PROTECT, related_name="surveys", verbose_name=_("来电")
    )
    queue = models.ForeignKey(
        "callcenter.Queue", on_delete=models.PROTECT, related_name="+", verbose_name=_("队列")
    )
    agent = models.ForeignKey(
        "org.Staff", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("坐席")
    )
    score = models.PositiveSmallIntegerField(_("满意度(1–5)"))
    comment = models.CharField(_("意见"), max_length=500, blank=True)
    received_at = models.DateTimeField(_("收到时间"), default=timezone.now)
    local_date = models.DateField(_("日期"))
    work_order_id = models.PositiveIntegerField(_("工单"), null=True, blank=True)
    import_job_id = models.PositiveIntegerField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("满意度调查")
        verbose_name_plural = _("满意度调查")
        ordering = ["-received_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["call"], name="survey_one_per_call")]
        indexes = [models.Index(fields=["site", "local_date", "agent", "score"], name="survey_site_day_idx")]

    def __str__(self) -> str:
        return f"{self.call_id}: {self.score}"


class TestCall(models.Model):
    """A third-party test call (第三方拨测) with its result."""

    __test__ = False  # not a pytest test class

    site = models.ForeignKey("org.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("院区"))
    queue = models.ForeignKey(
        "callcenter.Queue", on_delete=models.PROTECT, related_name="+", verbose_name=_("队列")
    )
    called_at = models.DateTimeField(_("拨测时间"))
    tester = models.CharField(_("拨测机构"), max_length=100)
    result = models.CharField(_("结果"), max_length=12, choices=TestCallResult.choices)
    wait_seconds = models.PositiveIntegerField(_("接通等待(秒)"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("第三方拨测")
        verbose_name_plural = _("第三方拨测")
        ordering = ["-called_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.tester} {self.called_at:%Y-%m-%d}"


@audit.register(exclude=("search_text",))
class KnowledgeArticle(models.Model):
    """A knowledge-base article. Search reads `KnowledgeToken` rows (character bigrams), which
    works for Chinese on SQLite and PostgreSQL alike; `review_on` passed means stale."""

    site = models.ForeignKey("org.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("院区"))
    title = models.CharField(_("标题"), max_length=200)
    category = models.CharField(_("分类"), max_length=60, blank=True)
    body = models.TextField(_("正文"))
    disposition = models.ForeignKey(
        "callcenter.Disposition",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("业务类型"),
    )
    owner_department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("负责部门")
    )
    review_on = models.DateField(_("复审日期"))
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)
    search_text = models.TextField(blank=True, editable=False)

    class Meta:
        verbose_name = _("知识库文章")
        verbose_name_plural = _("知识库文章")
        ordering = ["site", "category", "title"]
        indexes = [models.Index(fields=["site", "review_on"], name="kb_site_review_idx")]

    def __str__(self) -> str:
        return self.title


class KnowledgeToken(models.Model):
    """One distinct bigram (or ASCII word) of an article, with how often it occurs."""

    article = models.ForeignKey(KnowledgeArticle, on_delete=models.CASCADE, related_name="tokens")
    token = models.CharField(max_length=32)
    weight = models.PositiveSmallIntegerField(default=1)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["article", "token"], name="kb_token_unique")]
        indexes = [models.Index(fields=["token", "article"], name="kb_token_lookup_idx")]

    def __str__(self) -> str:
        return self.token
