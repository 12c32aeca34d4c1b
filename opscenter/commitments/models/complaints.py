"""Complaints (投诉) from any channel; each opens a work order."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opscenter.commitments.choices import Channel, Severity
from opscenter.core import audit


@audit.register()
class Complaint(models.Model):
    """A complaint: who, about what, how serious, whether escalated (投诉升级) or from head office."""

    site = models.ForeignKey("org.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("院区"))
    department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("被投诉部门")
    )
    customer = models.ForeignKey(
        "pipeline.Customer",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("客户"),
    )
    customer_name = models.CharField(_("投诉人"), max_length=50)
    customer_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    channel = models.CharField(_("渠道"), max_length=20, choices=Channel.choices)
    category = models.CharField(_("类别"), max_length=50)
    content = models.TextField(_("内容"))
    severity = models.CharField(_("严重程度"), max_length=10, choices=Severity.choices, default=Severity.LOW)
    escalated = models.BooleanField(_("投诉升级"), default=False)
    escalated_to = models.CharField(_("升级至"), max_length=100, blank=True)
    dispute = models.ForeignKey(
        "pipeline.Dispute",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("关联纠纷"),
    )
    followup = models.ForeignKey(
        "pipeline.FollowUp",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("来源回访"),
        help_text="the follow-up whose outcome (complaint) opened this complaint",
    )
    received_at = models.DateTimeField(_("受理时间"), default=timezone.now)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("登记人"),
    )

    class Meta:
        verbose_name = _("投诉")
        verbose_name_plural = _("投诉")
        ordering = ["-received_at", "-pk"]
        constraints = [
            # A follow-up opens at most one complaint, however often its hook runs.
            models.UniqueConstraint(
                fields=["followup"], condition=Q(followup__isnull=False), name="complaint_one_per_followup"
            ),
        ]
        indexes = [
            models.Index(fields=["site", "received_at"], name="complaint_site_received_idx"),
            models.Index(fields=["department", "received_at"], name="complaint_dept_received_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_name} · {self.category}"

    @property
    def is_head_office(self) -> bool:
        return self.channel == Channel.HEAD_OFFICE
