"""The admission assessment workflow around the pipeline's Assessment rows: a request from
marketing with the required materials, a named panel and arbiter, each side's view with its scale
answers (the zone opinion itself is the pipeline Assessment, never overwritten), and the due time
of the decision on business time."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from opscenter.care.choices import AdmissionStatus, ViewRole
from opscenter.core import audit
from opscenter.pipeline.choices import CareZone


@audit.register()
class MaterialItem(models.Model):
    """One document a family provides for admission (slim list, editable per site)."""

    site = models.ForeignKey("org.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("院区"))
    name = models.CharField(_("材料名称"), max_length=100)
    is_required = models.BooleanField(_("必需"), default=True)
    is_active = models.BooleanField(_("启用"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=100)

    class Meta:
        verbose_name = _("入住材料")
        verbose_name_plural = _("入住材料")
        ordering = ["site", "sort_order", "pk"]
        constraints = [models.UniqueConstraint(fields=["site", "name"], name="care_material_unique_name")]

    def __str__(self) -> str:
        return self.name


@audit.register()
class AdmissionRequest(models.Model):
    """Marketing asks for an admission assessment of a customer. Decided when the views agree or
    the named arbiter resolves a disagreement. The wait is a service commitment
    (`care.admission_commitment`): `due_at` copies its stage's due moment; warning, breach and the
    breach's work order are the commitments monitor's."""

    site = models.ForeignKey("org.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("院区"))
    customer = models.ForeignKey(
        "pipeline.Customer",
        on_delete=models.PROTECT,
        related_name="admission_requests",
        verbose_name=_("客户"),
    )
    deal = models.ForeignKey(
        "pipeline.Deal",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("签约"),
    )
    requested_by = models.ForeignKey(
        "org.Staff", on_delete=models.PROTECT, related_name="+", verbose_name=_("申请人")
    )
    requested_at = models.DateTimeField(_("申请时间"))
    due_at = models.DateTimeField(
        _("定区时限"),
        null=True,
        blank=True,
        help_text="the due moment of the admission commitment's stage (care.admission_commitment)",
    )
    panel = models.ManyToManyField("org.Staff", related_name="+", verbose_name=_("评估小组"))
    arbiter = models.ForeignKey(
        "org.Staff", on_delete=models.PROTECT, related_name="+", verbose_name=_("裁定人")
    )
    materials = models.ManyToManyField(MaterialItem, blank=True, related_name="+", verbose_name=_("已收材料"))
    status = models.CharField(
        _("状态"), max_length=12, choices=AdmissionStatus.choices, default=AdmissionStatus.REQUESTED
    )
    disputed = models.BooleanField(_("曾有分歧"), default=False)
    disputed_at = models.DateTimeField(_("出现分歧时间"), null=True, blank=True)
    decided_zone = models.CharField(_("定区结果"), max_length=20, choices=CareZone.choices, blank=True)
    decided_at = models.DateTimeField(_("定区时间"), null=True, blank=True)
    decision_reason = models.TextField(_("裁定理由"), blank=True)
    cycle_minutes = models.IntegerField(_("申请到定区(工作分钟)"), null=True, blank=True)
    lost_reason = models.CharField(_("流失原因"), max_length=300, blank=True)
    note = models.CharField(_("备注"), max_length=300, blank=True)
    import_job_id = models.BigIntegerField(_("导入批次"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("入住评估申请")
        verbose_name_plural = _("入住评估申请")
        ordering = ["-requested_at", "-pk"]
        indexes = [
            models.Index(fields=["site", "requested_at"], name="care_adm_site_requested"),
            models.Index(fields=["site", "decided_at"], name="care_adm_site_decided"),
        ]

    def __str__(self) -> str:
        return str(self.customer)


class AdmissionView(models.Model):
    """One side's view (marketing or nursing) on a request: the scale answers and scores, the
    suggested zone, and the pipeline Assessment holding the zone opinion (never overwritten)."""

    request = models.ForeignKey(
        AdmissionRequest, on_delete=models.PROTECT, related_name="views", verbose_name=_("申请")
    )
    role = models.CharField(_("评估方"), max_length=12, choices=ViewRole.choices)
    assessment = models.OneToOneField(
        "pipeline.Assessment", on_delete=models.PROTECT, related_name="care_view", verbose_name=_("评估意见")
    )
    assessor = models.ForeignKey(
        "org.Staff", on_delete=models.PROTECT, related_name="+", verbose_name=_("评估人")
    )
    department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("部门")
    )
    answers = models.JSONField(_("量表答案"), default=dict)
    barthel = models.PositiveSmallIntegerField(_("Barthel 总分"))
    cognitive_scale = models.CharField(_("认知量表"), max_length=10)
    cognitive = models.PositiveSmallIntegerField(_("认知筛查总分"))
    morse = models.PositiveSmallIntegerField(_("Morse 总分"))
    suggested_zone = models.CharField(_("建议分区"), max_length=20, choices=CareZone.choices)
    zone = models.CharField(_("评估意见分区"), max_length=20, choices=CareZone.choices)
    recorded_at = models.DateTimeField(_("记录时间"))

    class Meta:
        verbose_name = _("评估意见")
        verbose_name_plural = _("评估意见")
        ordering = ["request", "recorded_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["request", "role"], name="care_view_one_per_side")]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.get_zone_display()}"
