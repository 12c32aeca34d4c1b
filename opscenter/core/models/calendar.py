import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class BusinessCalendar(models.Model):
    """Business hours and weekly working days; a site points at one (default 08:30–17:30 Mon–Fri).

    Statutory holidays and adjusted workdays come from `chinese-calendar`; CalendarDay rows
    override them (years the library does not know yet, local days off).
    """

    name = models.CharField(_("名称"), max_length=100, unique=True)
    day_start = models.TimeField(_("上班时间"), default=dt.time(8, 30))
    day_end = models.TimeField(_("下班时间"), default=dt.time(17, 30))
    workdays = models.CharField(
        _("每周工作日"), max_length=7, default="12345", help_text="ISO weekdays, 1 = Monday … 7 = Sunday"
    )
    use_statutory_holidays = models.BooleanField(_("采用国家法定节假日与调休"), default=True)

    class Meta:
        verbose_name = _("工作日历")
        verbose_name_plural = _("工作日历")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.day_end <= self.day_start:
            raise ValidationError({"day_end": gettext("下班时间必须晚于上班时间")})
        if not self.workdays or any(c not in "1234567" for c in self.workdays):
            raise ValidationError({"workdays": gettext("工作日只能由 1–7 的数字组成，例如 12345")})


class CalendarDay(models.Model):
    """An admin override for one date: a day off or a working day, for one calendar or all."""

    class Kind(models.TextChoices):
        DAY_OFF = "off", _("休息日")
        WORKDAY = "work", _("工作日")

    calendar = models.ForeignKey(
        BusinessCalendar,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="days",
        verbose_name=_("工作日历"),
        help_text="empty = applies to every calendar",
    )
    date = models.DateField(_("日期"))
    kind = models.CharField(_("类型"), max_length=4, choices=Kind.choices)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("日历例外")
        verbose_name_plural = _("日历例外")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="calendar_day_unique"),
            models.UniqueConstraint(
                fields=["date"], condition=models.Q(calendar__isnull=True), name="calendar_day_global_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.note}".strip()
