"""Incidents (护理事件) of residents; each opens a work order through the commitments app."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from opscenter.care.choices import IncidentKind, Severity
from opscenter.core import audit


@audit.register()
class Incident(models.Model):
    """Fall, pressure sore, illness, 送医 (and the care after return), death, wandering, conflict or a
    family complaint: when and where, who, severity, the immediate action, when and by whom the
    family was told, follow-up; the zone at the time, the risk assessment known then, the work order."""

    site = models.ForeignKey("org.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("院区"))
    residency = models.ForeignKey(
        "care.Residency", on_delete=models.PROTECT, related_name="incidents", verbose_name=_("入住")
    )
    zone = models.ForeignKey("care.Zone", on_delete=models.PROTECT, related_name="+", verbose_name=_("分区"))
    kind = models.CharField(_("事件类型"), max_length=12, choices=IncidentKind.choices)
    occurred_at = models.DateTimeField(_("发生时间"))
    day = models.IntegerField(_("发生日(序数)"))
    place = models.CharField(_("地点"), max_length=100)
    people = models.CharField(_("相关人员"), max_length=200, blank=True)
    severity = models.CharField(_("严重程度"), max_length=10, choices=Severity.choices)
    immediate_action = models.TextField(_("现场处置"))
    family_informed_at = models.DateTimeField(_("通知家属时间"), null=True, blank=True)
    family_informed_by = models.ForeignKey(
        "org.Staff",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("通知人"),
    )
    follow_up = models.TextField(_("后续跟进"), blank=True)
    after_return_care = models.TextField(_("返院后照护"), blank=True)
    department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("责任部门")
    )
    risk_assessment = models.ForeignKey(
        "care.RiskAssessment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="incidents",
        verbose_name=_("当时的风险评估"),
    )
    work_order = models.ForeignKey(
        "commitments.WorkOrder",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("工单"),
    )
    recorded_by = models.ForeignKey(
        "core.User", null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("登记人")
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    import_job_id = models.BigIntegerField(_("导入批次"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("护理事件")
        verbose_name_plural = _("护理事件")
        ordering = ["-occurred_at", "-pk"]
        indexes = [models.Index(fields=["site", "day"], name="care_incident_site_day")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_at:%Y-%m-%d}"
