"""WeChat content reach (微信图文): articles and posts with their reads, shares and new followers."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from opscenter.core import audit


@audit.register()
class ContentPost(models.Model):
    """An article or post on the site's WeChat account. Its `campaign` (kind 微信图文) carries the
    source code its links use, so consultations from the article are attributed like any campaign's."""

    site = models.ForeignKey("org.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("院区"))
    title = models.CharField(_("标题"), max_length=200)
    published_on = models.DateField(_("发布日期"))
    reads = models.PositiveIntegerField(_("阅读数"), default=0)
    shares = models.PositiveIntegerField(_("分享数"), default=0)
    new_followers = models.IntegerField(_("新增关注"), default=0, help_text=_("可为负数(取关多于关注)"))
    campaign = models.ForeignKey(
        "marketing.Campaign",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="posts",
        verbose_name=_("对应活动(来源码)"),
    )
    import_job_id = models.BigIntegerField(_("导入批次"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("微信图文")
        verbose_name_plural = _("微信图文")
        ordering = ["-published_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["site", "published_on", "title"], name="contentpost_unique_per_day"
            ),
            models.CheckConstraint(
                condition=Q(new_followers__gte=-1000000), name="contentpost_followers_sane"
            ),
        ]
        indexes = [models.Index(fields=["site", "published_on"], name="contentpost_site_day_idx")]

    def __str__(self) -> str:
        return self.title
