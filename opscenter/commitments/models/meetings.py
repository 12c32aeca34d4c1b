"""Review meetings (会商, seed 001 §3.3): weekly and ad-hoc, agenda and decisions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opscenter.core import audit


@audit.register()
class ReviewMeeting(models.Model):
    """A weekly review (周会商) or an ad-hoc meeting (不定期会商). The agenda is generated from the
    week's anomalies, breaches and overdue work orders and frozen on the meeting (`agenda`: list of
    {kind, text, url})."""

    class Kind(models.TextChoices):
        WEEKLY = "weekly", _("周会商")
        ADHOC = "adhoc", _("不定期会商")

    site = models.ForeignKey("org.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("院区"))
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices, default=Kind.WEEKLY)
    title = models.CharField(_("主题"), max_length=200)
    held_on = models.DateField(_("会商日期"))
    period_start = models.DateField(_("议题起始日"))
    period_end = models.DateField(_("议题截止日"))
    agenda = models.JSONField(_("议题"), default=list)
    notes = models.TextField(_("会议记录"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("召集人"),
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        verbose_name = _("会商")
        verbose_name_plural = _("会商")
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return self.title


@audit.register()
class MeetingDecision(models.Model):
    """A decision of a meeting with its owner and due date; it may open a work order."""

    meeting = models.ForeignKey(
        ReviewMeeting, on_delete=models.CASCADE, related_name="decisions", verbose_name=_("会商")
    )
    text = models.TextField(_("决定事项"))
    owner = models.ForeignKey(
        "org.Staff", on_delete=models.PROTECT, related_name="+", verbose_name=_("负责人")
    )
    due_on = models.DateField(_("完成期限"))
    work_order = models.ForeignKey(
        "commitments.WorkOrder",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("工单"),
    )

    class Meta:
        verbose_name = _("会商决定")
        verbose_name_plural = _("会商决定")
        ordering = ["meeting", "pk"]

    def __str__(self) -> str:
        return self.text[:50]
