"""Funnel events before the sale: consultations, appointments, visits, and elder-care assessments."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from opscenter.core import audit
from opscenter.pipeline.choices import (
    AppointmentMode,
    AppointmentStatus,
    AssessorRole,
    CareZone,
    ConsultationMode,
    IntentLevel,
    VisitKind,
    VisitOutcome,
    VisitSource,
)
from opscenter.pipeline.models.base import FunnelEvent


def _funnel_indexes(prefix: str, *columns: str) -> list[models.Index]:
    """The two covering indexes of an event table: event view (month) and cohort view (cohort_month)."""
    return [
        models.Index(fields=["month", "site", *columns], name=f"{prefix}_event_idx"),
        models.Index(fields=["cohort_month", "site", *columns], name=f"{prefix}_cohort_idx"),
    ]


@audit.register()
class Consultation(FunnelEvent):
    """A conversation with a prospect (咨询) by phone, online or on site.

    `is_first` marks the customer's first consultation (the one that defines the cohort).
    """

    mode = models.CharField(_("咨询方式"), max_length=10, choices=ConsultationMode.choices)
    staff = models.ForeignKey(
        "org.Staff", on_delete=models.PROTECT, related_name="consultations", verbose_name=_("接待咨询师")
    )
    occurred_at = models.DateTimeField(_("咨询时间"))
    content = models.TextField(_("咨询内容"), blank=True)
    intent = models.CharField(
        _("意向程度"), max_length=10, choices=IntentLevel.choices, default=IntentLevel.MEDIUM
    )
    next_step = models.CharField(_("下一步"), max_length=200, blank=True)
    next_step_on = models.DateField(_("下一步日期"), null=True, blank=True)
    is_first = models.BooleanField(_("首次咨询"), default=False)

    class Meta:
        verbose_name = _("咨询")
        verbose_name_plural = _("咨询")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            *_funnel_indexes("consult", "mode", "is_local"),
            models.Index(fields=["customer", "occurred_at"], name="consult_customer_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.customer} {self.get_mode_display()} {self.occurred_at:%Y-%m-%d}"


@audit.register()
class Appointment(FunnelEvent):
    """A booked visit (预约). `month` is the booking month; a reschedule closes this row and books anew."""

    mode = models.CharField(_("预约方式"), max_length=10, choices=AppointmentMode.choices)
    booked_by = models.ForeignKey(
        "org.Staff", on_delete=models.PROTECT, related_name="appointments_booked", verbose_name=_("预约人")
    )
    booked_at = models.DateTimeField(_("预约时间"))
    scheduled_for = models.DateTimeField(_("预约到院时间"))
    status = models.CharField(
        _("状态"), max_length=12, choices=AppointmentStatus.choices, default=AppointmentStatus.BOOKED
    )
    status_changed_at = models.DateTimeField(_("状态变更时间"), null=True, blank=True)
    consultation = models.ForeignKey(
        Consultation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("来源咨询"),
    )
    rescheduled_from = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="rescheduled_to",
        verbose_name=_("改期自"),
    )
    note = models.CharField(_("备注"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("预约")
        verbose_name_plural = _("预约")
        ordering = ["-scheduled_for", "-id"]
        indexes = [
            *_funnel_indexes("appt", "mode", "is_local", "status"),
            models.Index(fields=["site", "status", "scheduled_for"], name="appt_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.customer} {self.get_mode_display()} {self.scheduled_for:%Y-%m-%d %H:%M}"


@audit.register()
class Visit(FunnelEvent):
    """An arrival on site (上门/到院/参观).

    `source` says how it came about: the mode of the appointment it fulfils, else the mode of the
    customer's first consultation (phone/online), else walk-in (自然上门). `is_new_customer` is true
    while the customer has no signed deal yet. Arrival triage (分诊) sets `onsite_consultant`.
    """

    arrived_at = models.DateTimeField(_("到院时间"))
    source = models.CharField(_("上门来源"), max_length=10, choices=VisitSource.choices)
    kind = models.CharField(
        _("类型"), max_length=20, choices=VisitKind.choices, default=VisitKind.CONSULTATION
    )
    appointment = models.OneToOneField(
        Appointment,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="visit",
        verbose_name=_("预约"),
    )
    is_new_customer = models.BooleanField(_("新顾客"), default=True)
    onsite_consultant = models.ForeignKey(
        "org.Staff",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="visits_served",
        verbose_name=_("现场咨询师"),
    )
    triaged_by = models.ForeignKey(
        "core.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("分诊人"),
    )
    triaged_at = models.DateTimeField(_("分诊时间"), null=True, blank=True)
    outcome = models.CharField(
        _("结果"), max_length=20, choices=VisitOutcome.choices, default=VisitOutcome.PENDING
    )
    note = models.CharField(_("备注"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("上门")
        verbose_name_plural = _("上门")
        ordering = ["-arrived_at", "-id"]
        indexes = [
            *_funnel_indexes("visit", "source", "is_local", "is_new_customer"),
            models.Index(fields=["customer", "arrived_at"], name="visit_customer_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.customer} {self.get_source_display()} {self.arrived_at:%Y-%m-%d}"


@audit.register()
class Assessment(models.Model):
    """An admission assessment (评估) of an elder-care applicant: which care zone they need.

    Opinions are never overwritten. A disagreeing assessor (e.g. nursing vs marketing) records a
    second opinion: a new row whose `second_opinion_of` points at the opinion it disputes. The
    dispute is settled on the second-opinion row (`resolved_zone`, `resolution`, who and when),
    leaving both opinions as they were given.
    """

    site = models.ForeignKey("org.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("院区"))
    customer = models.ForeignKey(
        "pipeline.Customer", on_delete=models.PROTECT, related_name="assessments", verbose_name=_("客户")
    )
    assessor = models.ForeignKey(
        "org.Staff", on_delete=models.PROTECT, related_name="assessments", verbose_name=_("评估人")
    )
    assessor_role = models.CharField(_("评估方"), max_length=20, choices=AssessorRole.choices)
    assessed_at = models.DateTimeField(_("评估时间"))
    zone = models.CharField(_("评估结果"), max_length=20, choices=CareZone.choices)
    notes = models.TextField(_("评估说明"), blank=True)
    second_opinion_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="second_opinions",
        verbose_name=_("异议对象"),
    )
    resolved_zone = models.CharField(_("裁定结果"), max_length=20, choices=CareZone.choices, blank=True)
    resolution = models.TextField(_("裁定说明"), blank=True)
    resolved_by = models.ForeignKey(
        "core.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("裁定人"),
    )
    resolved_at = models.DateTimeField(_("裁定时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("入住评估")
        verbose_name_plural = _("入住评估")
        ordering = ["-assessed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(resolved_zone="") | Q(second_opinion_of__isnull=False),
                name="assessment_only_second_opinion_resolved",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer} {self.get_zone_display()}"

    @property
    def is_disputed(self) -> bool:
        return self.second_opinion_of_id is not None and not self.resolved_zone
