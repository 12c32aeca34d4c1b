"""The risk register: risk assessments per resident with a level and the next review date, and the
measures taken."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from opscenter.care.choices import RiskKind, RiskLevel
from opscenter.core import audit


@audit.register()
class RiskAssessment(models.Model):
    """A scored risk assessment of a resident. A later one of the same kind supersedes it
    (`superseded_at`); the current one's `next_review_on` drives the due-reviews list."""

    site = models.ForeignKey("org.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("院区"))
    residency = models.ForeignKey(
        "care.Residency", on_delete=models.PROTECT, related_name="risk_assessments", verbose_name=_("入住")
    )
    kind = models.CharField(_("风险类别"), max_length=12, choices=RiskKind.choices)
    answers = models.JSONField(_("量表答案"), default=dict)
    score = models.SmallIntegerField(_("得分"))
    level = models.CharField(_("风险等级"), max_length=8, choices=RiskLevel.choices)
    assessed_on = models.DateField(_("评估日期"))
    assessor = models.ForeignKey(
        "org.Staff", on_delete=models.PROTECT, related_name="+", verbose_name=_("评估人")
    )
    next_review_on = models.DateField(_("下次复评日期"))
    superseded_on = models.DateField(_("被复评日期"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    import_job_id = models.BigIntegerField(_("导入批次"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("风险评估")
        verbose_name_plural = _("风险评估")
        ordering = ["-assessed_on", "-pk"]
        indexes = [
            models.Index(fields=["site", "superseded_on", "next_review_on"], name="care_risk_due"),
            models.Index(fields=["residency", "kind", "assessed_on"], name="care_risk_resident_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.get_level_display()}"


@audit.register()
class RiskMeasure(models.Model):
    """A measure taken against a risk (防范措施), with its owner and due date; the owner (or their
    department's manager) marks it done, with an optimistic `version` check. Overdue: not done by
    `due_on`."""

    risk = models.ForeignKey(
        RiskAssessment, on_delete=models.PROTECT, related_name="measures", verbose_name=_("风险评估")
    )
    description = models.CharField(_("措施"), max_length=300)
    owner = models.ForeignKey(
        "org.Staff", on_delete=models.PROTECT, related_name="+", verbose_name=_("负责人")
    )
    due_on = models.DateField(_("完成期限"))
    done_on = models.DateField(_("完成日期"), null=True, blank=True)
    done_by = models.ForeignKey(
        "org.Staff",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("完成确认人"),
    )
    done_note = models.CharField(_("完成情况"), max_length=300, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("风险措施")
        verbose_name_plural = _("风险措施")
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["done_on", "due_on"], name="care_measure_done_due")]

    def __str__(self) -> str:
        return self.description
