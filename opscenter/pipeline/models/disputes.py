"""Disputes (纠纷): a complaint about a treatment or service that the site must settle.

A dispute is opened on a customer and settled with an outcome. Member tiers read them: an open
dispute puts the customer in tier C (seed 004); a settlement by refund or compensation archives
the customer as special. Work orders will link to disputes later.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from opscenter.core import audit
from opscenter.pipeline.choices import DisputeCategory, DisputeOutcome, DisputeStatus
from opscenter.pipeline.models.base import ImportTracked


@audit.register()
class Dispute(ImportTracked):
    """A dispute (纠纷) with a customer: opened on a date, settled later with an outcome."""

    site = models.ForeignKey("org.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("院区"))
    customer = models.ForeignKey(
        "pipeline.Customer", on_delete=models.PROTECT, related_name="disputes", verbose_name=_("客户")
    )
    opened_on = models.DateField(_("发生日期"))
    category = models.CharField(_("纠纷类别"), max_length=20, choices=DisputeCategory.choices)
    description = models.TextField(_("纠纷描述"))
    status = models.CharField(
        _("状态"), max_length=10, choices=DisputeStatus.choices, default=DisputeStatus.OPEN
    )
    outcome = models.CharField(_("处理结果"), max_length=20, choices=DisputeOutcome.choices, blank=True)
    settled_on = models.DateField(_("解决日期"), null=True, blank=True)
    resolution = models.TextField(_("处理说明"), blank=True)
    recorded_by = models.ForeignKey(
        "core.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("登记人"),
    )

    class Meta:
        verbose_name = _("纠纷")
        verbose_name_plural = _("纠纷")
        ordering = ["-opened_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(status="open", settled_on__isnull=True, outcome=""))
                | (Q(status="settled", settled_on__isnull=False) & ~Q(outcome="")),
                name="dispute_settlement_complete",
            ),
            models.CheckConstraint(
                condition=Q(settled_on__isnull=True) | Q(settled_on__gte=models.F("opened_on")),
                name="dispute_settled_after_opened",
            ),
        ]
        indexes = [
            models.Index(fields=["customer", "status"], name="dispute_customer_idx"),
            models.Index(fields=["site", "status", "opened_on"], name="dispute_site_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.customer} {self.get_category_display()} {self.opened_on}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError as DjangoValidationError

        if self.settled_on and self.settled_on < self.opened_on:
            raise DjangoValidationError({"settled_on": gettext("解决日期不能早于发生日期")})
