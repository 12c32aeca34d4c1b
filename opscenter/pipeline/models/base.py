"""Fields shared by the funnel's event rows, denormalized so the funnel is a few index scans."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opscenter.pipeline.choices import ChannelKind


class ImportTracked(models.Model):
    """`import_job_id` (the imports app bulk-inserts with a job id; no FK yet) and `created_at`."""

    import_job_id = models.BigIntegerField(_("导入批次"), null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        abstract = True


class FunnelEvent(ImportTracked):
    """An event the funnel counts: consultation, appointment, visit, deal.

    Copied from the customer when the row is written (services keep them in step):
    `month` the event's own yyyymm (local time) for the event view, `cohort_month` the customer's
    first-contact month for the cohort view, the source channel and its kind, `is_local` (本市,
    for the online visit rate) and the owner and owner's team *at the time of the event* — credit
    stays with whoever owned the customer then, a later reassignment does not move history.
    """

    site = models.ForeignKey("org.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("院区"))
    customer = models.ForeignKey(
        "pipeline.Customer", on_delete=models.PROTECT, related_name="%(class)ss", verbose_name=_("客户")
    )
    month = models.PositiveIntegerField(_("发生月份"), help_text="yyyymm, local time")
    cohort_month = models.PositiveIntegerField(
        _("首次咨询月份"), help_text="yyyymm of the customer's first contact"
    )
    channel = models.ForeignKey(
        "pipeline.Channel",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("来源渠道"),
    )
    channel_kind = models.CharField(
        _("渠道类型"), max_length=20, choices=ChannelKind.choices, default=ChannelKind.OTHER
    )
    is_local = models.BooleanField(_("本市"), default=True)
    owner = models.ForeignKey(
        "org.Staff",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("归属咨询师"),
    )
    team = models.ForeignKey(
        "org.Team",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("归属小组"),
    )

    class Meta:
        abstract = True
