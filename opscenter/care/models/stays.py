"""Stays: a resident's residency (入住), the bed segments it occupies and transfers between beds
and zones (跨区)."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from opscenter.care.choices import ResidencyStatus
from opscenter.core import audit
from opscenter.pipeline.choices import StayType


@audit.register()
class Residency(models.Model):
    """A stay of a resident (a pipeline customer) from a signed elder-care deal: stay type, dates,
    the current zone and bed, the responsible nurse; discharge links to the pipeline's exit."""

    site = models.ForeignKey("org.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("院区"))
    customer = models.ForeignKey(
        "pipeline.Customer", on_delete=models.PROTECT, related_name="residencies", verbose_name=_("长者")
    )
    deal = models.ForeignKey(
        "pipeline.Deal",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("签约"),
    )
    admission = models.ForeignKey(
        "care.AdmissionRequest",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="residencies",
        verbose_name=_("入住评估申请"),
    )
    stay_type = models.CharField(_("入住类型"), max_length=10, choices=StayType.choices)
    zone = models.ForeignKey(
        "care.Zone", on_delete=models.PROTECT, related_name="+", verbose_name=_("当前分区")
    )
    bed = models.ForeignKey(
        "care.Bed", on_delete=models.PROTECT, related_name="+", verbose_name=_("当前床位")
    )
    nurse = models.ForeignKey(
        "org.Staff",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("责任护理员"),
    )
    started_on = models.DateField(_("入住日期"))
    planned_end_on = models.DateField(_("计划离院日期"), null=True, blank=True)
    ended_on = models.DateField(_("离院日期"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=ResidencyStatus.choices, default=ResidencyStatus.ACTIVE
    )
    exit = models.ForeignKey(
        "pipeline.Exit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("退出记录"),
    )
    discharge_note = models.CharField(_("离院说明"), max_length=300, blank=True)
    id_number = models.CharField(_("身份证号"), max_length=18, blank=True)
    emergency_contact = models.CharField(_("紧急联系人"), max_length=50, blank=True)
    emergency_phone = models.CharField(_("紧急联系电话"), max_length=20, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    import_job_id = models.BigIntegerField(_("导入批次"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("入住")
        verbose_name_plural = _("入住")
        ordering = ["-started_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer"],
                condition=Q(ended_on__isnull=True),
                name="care_one_open_stay_per_resident",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="care_stay_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["site", "status"], name="care_stay_site_status")]

    def __str__(self) -> str:
        return str(self.customer)


class Occupancy(models.Model):
    """One bed held by one stay over days [start_day, end_day) as day ordinals (`date.toordinal()`;
    end NULL = still there). Integers make resident-day arithmetic one portable SQL expression.

    The database holds one open row per bed (`care_bed_one_open_occupancy`); closed intervals are
    checked for overlap by the services under a lock on the bed row."""

    site = models.ForeignKey("org.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("院区"))
    residency = models.ForeignKey(
        Residency, on_delete=models.PROTECT, related_name="occupancies", verbose_name=_("入住")
    )
    bed = models.ForeignKey(
        "care.Bed", on_delete=models.PROTECT, related_name="occupancies", verbose_name=_("床位")
    )
    zone = models.ForeignKey("care.Zone", on_delete=models.PROTECT, related_name="+", verbose_name=_("分区"))
    start_day = models.IntegerField(_("开始日(序数)"))
    end_day = models.IntegerField(_("结束日(序数,不含)"), null=True, blank=True)

    class Meta:
        verbose_name = _("床位占用")
        verbose_name_plural = _("床位占用")
        constraints = [
            models.UniqueConstraint(
                fields=["bed"], condition=Q(end_day__isnull=True), name="care_bed_one_open_occupancy"
            ),
            models.CheckConstraint(
                condition=Q(end_day__isnull=True) | Q(end_day__gt=F("start_day")),
                name="care_occupancy_positive",
            ),
        ]
        indexes = [
            models.Index(fields=["site", "start_day", "end_day"], name="care_occ_site_days"),
            models.Index(fields=["bed", "start_day"], name="care_occ_bed_days"),
        ]

    def __str__(self) -> str:
        return f"{self.bed_id} {self.start_day}-{self.end_day}"


@audit.register()
class Transfer(models.Model):
    """A move to another bed, within a zone or across zones (跨区), with the reason and who decided."""

    site = models.ForeignKey("org.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("院区"))
    residency = models.ForeignKey(
        Residency, on_delete=models.PROTECT, related_name="transfers", verbose_name=_("入住")
    )
    from_bed = models.ForeignKey(
        "care.Bed", on_delete=models.PROTECT, related_name="+", verbose_name=_("原床位")
    )
    to_bed = models.ForeignKey(
        "care.Bed", on_delete=models.PROTECT, related_name="+", verbose_name=_("新床位")
    )
    from_zone = models.ForeignKey(
        "care.Zone", on_delete=models.PROTECT, related_name="+", verbose_name=_("原分区")
    )
    to_zone = models.ForeignKey(
        "care.Zone", on_delete=models.PROTECT, related_name="+", verbose_name=_("新分区")
    )
    moved_on = models.DateField(_("转移日期"))
    reason = models.CharField(_("原因"), max_length=300)
    decided_by = models.ForeignKey(
        "org.Staff", on_delete=models.PROTECT, related_name="+", verbose_name=_("决定人")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("转床/跨区")
        verbose_name_plural = _("转床/跨区")
        ordering = ["-moved_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.from_bed_id}->{self.to_bed_id}"

    @property
    def is_cross_zone(self) -> bool:
        return self.from_zone_id != self.to_zone_id
