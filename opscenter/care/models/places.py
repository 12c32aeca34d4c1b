"""Where residents live: the site's care settings, zones (区), rooms and beds, and which nurses
work which zone and shift."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from opscenter.care.choices import CognitiveScreen, Shift
from opscenter.core import audit
from opscenter.pipeline.choices import CareZone


@audit.register()
class CareSettings(models.Model):
    """Per-site settings of the care app, edited in the UI: the cognitive screen in use, the
    suggested-zone thresholds and the review interval per risk level."""

    site = models.OneToOneField(
        "org.Site", on_delete=models.CASCADE, related_name="+", verbose_name=_("院区")
    )
    cognitive_screen = models.CharField(
        _("认知筛查量表"), max_length=10, choices=CognitiveScreen.choices, default=CognitiveScreen.MINICOG
    )
    minicog_cutoff = models.PositiveSmallIntegerField(
        _("Mini-Cog 阳性界值(低于)"), default=3, validators=[MaxValueValidator(5)]
    )
    mmse_cutoff = models.PositiveSmallIntegerField(
        _("MMSE 认知障碍界值(低于)"), default=24, validators=[MaxValueValidator(30)]
    )
    barthel_rehab_max = models.PositiveSmallIntegerField(
        _("Barthel 入康复护理区上限(含)"), default=60, validators=[MaxValueValidator(100)]
    )
    review_days_high = models.PositiveSmallIntegerField(
        _("高风险复评间隔(天)"), default=7, validators=[MinValueValidator(1), MaxValueValidator(366)]
    )
    review_days_medium = models.PositiveSmallIntegerField(
        _("中风险复评间隔(天)"), default=30, validators=[MinValueValidator(1), MaxValueValidator(366)]
    )
    review_days_low = models.PositiveSmallIntegerField(
        _("低风险复评间隔(天)"), default=90, validators=[MinValueValidator(1), MaxValueValidator(366)]
    )
    # Only the allowance the site's admission commitment is installed with (admission_commitment):
    # from then on the due time is that commitment's, edited on the commitments screens.
    assessment_due_days = models.PositiveSmallIntegerField(
        _("评估申请到定区时限(工作日)"), default=3, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("照护设置")
        verbose_name_plural = _("照护设置")

    def __str__(self) -> str:
        return f"{self.site_id}"

    def review_days(self, level: str) -> int:
        return {"high": self.review_days_high, "medium": self.review_days_medium}.get(
            level, self.review_days_low
        )


@audit.register()
class Zone(models.Model):
    """A care zone of a site (协助照料区 / 康复护理区 / 失智区, editable). `care_zone` ties it to the
    pipeline's assessment result and deal; the ratio limit is residents per nurse on a shift."""

    site = models.ForeignKey("org.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("院区"))
    care_zone = models.CharField(_("对应评估分区"), max_length=20, choices=CareZone.choices)
    name = models.CharField(_("名称"), max_length=50)
    max_residents_per_nurse_day = models.DecimalField(
        _("白班每名护理员最多照护人数"),
        max_digits=5,
        decimal_places=1,
        default=Decimal("8.0"),
        validators=[MinValueValidator(Decimal("0.1"))],
    )
    max_residents_per_nurse_night = models.DecimalField(
        _("夜班每名护理员最多照护人数"),
        max_digits=5,
        decimal_places=1,
        default=Decimal("15.0"),
        validators=[MinValueValidator(Decimal("0.1"))],
    )
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=100)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("照护分区")
        verbose_name_plural = _("照护分区")
        ordering = ["site", "sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["site", "care_zone"], name="care_zone_one_per_care_zone"),
            models.UniqueConstraint(fields=["site", "name"], name="care_zone_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name

    def ratio_limit(self, shift: str) -> Decimal:
        return (
            self.max_residents_per_nurse_night if shift == Shift.NIGHT else self.max_residents_per_nurse_day
        )


@audit.register()
class Room(models.Model):
    """A room in a zone."""

    site = models.ForeignKey("org.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("院区"))
    zone = models.ForeignKey(Zone, on_delete=models.PROTECT, related_name="rooms", verbose_name=_("分区"))
    number = models.CharField(_("房号"), max_length=20)
    floor = models.CharField(_("楼层"), max_length=20, blank=True)
    import_job_id = models.BigIntegerField(_("导入批次"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("房间")
        verbose_name_plural = _("房间")
        ordering = ["zone", "number"]
        constraints = [models.UniqueConstraint(fields=["site", "number"], name="care_room_unique_number")]

    def __str__(self) -> str:
        return self.number


@audit.register()
class Bed(models.Model):
    """A bed in a room; its zone is the room's (copied for set-based census queries)."""

    site = models.ForeignKey("org.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("院区"))
    zone = models.ForeignKey(Zone, on_delete=models.PROTECT, related_name="beds", verbose_name=_("分区"))
    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="beds", verbose_name=_("房间"))
    label = models.CharField(_("床号"), max_length=20)
    is_active = models.BooleanField(_("启用"), default=True)
    import_job_id = models.BigIntegerField(_("导入批次"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("床位")
        verbose_name_plural = _("床位")
        ordering = ["room__number", "label"]
        constraints = [models.UniqueConstraint(fields=["room", "label"], name="care_bed_unique_label")]

    def __str__(self) -> str:
        return f"{self.room.number}-{self.label}"


@audit.register()
class NurseAssignment(models.Model):
    """A nursing staff member working a zone on a shift (the basis of the nurse-to-resident ratio)."""

    site = models.ForeignKey("org.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("院区"))
    zone = models.ForeignKey(Zone, on_delete=models.PROTECT, related_name="nurses", verbose_name=_("分区"))
    staff = models.ForeignKey(
        "org.Staff", on_delete=models.PROTECT, related_name="+", verbose_name=_("护理员")
    )
    shift = models.CharField(_("班次"), max_length=10, choices=Shift.choices)

    class Meta:
        verbose_name = _("护理排班")
        verbose_name_plural = _("护理排班")
        constraints = [
            models.UniqueConstraint(fields=["staff", "shift"], name="care_nurse_one_zone_per_shift"),
        ]

    def __str__(self) -> str:
        return f"{self.staff_id} {self.shift}"
