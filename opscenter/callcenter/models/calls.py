"""Queues, dispositions and call detail records (来电记录)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from opscenter.callcenter.choices import Direction, Outcome
from opscenter.core import audit

SLOT_MINUTES = 15  # the finest interval; 30- and 60-minute intervals are slot // 2 and slot // 4


@audit.register()
class Queue(models.Model):
    """A hotline queue (热线/技能组) of a site, with its service-level definition: answered within
    `sl_seconds` counts toward service level, whose target is `sl_target`; callers hanging up before
    `short_abandon_seconds` are short abandons, excluded from SL and abandonment and shown apart."""

    site = models.ForeignKey("org.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("院区"))
    code = models.SlugField(_("编码"), max_length=40)
    name = models.CharField(_("名称"), max_length=100)
    hotline = models.CharField(_("热线号码"), max_length=20, blank=True)
    sl_seconds = models.PositiveIntegerField(_("服务水平时限(秒)"), default=20)
    sl_target = models.DecimalField(_("服务水平目标"), max_digits=5, decimal_places=4, default="0.8000")
    short_abandon_seconds = models.PositiveIntegerField(_("短放弃阈值(秒)"), default=5)
    department = models.ForeignKey(
        "org.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("负责部门"),
    )
    # Service hours (服务时间); both empty = around the clock. Intervals outside are closed in
    # the staffing plan (no agents needed).
    opens_at = models.TimeField(_("开始服务时间"), null=True, blank=True)
    closes_at = models.TimeField(_("结束服务时间"), null=True, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    class Meta:
        verbose_name = _("队列")
        verbose_name_plural = _("队列")
        ordering = ["site", "code"]
        constraints = [models.UniqueConstraint(fields=["site", "code"], name="queue_unique_code_per_site")]

    def __str__(self) -> str:
        return self.name


@audit.register()
class Disposition(models.Model):
    """A business type of a call (报案/调度/咨询/投诉/回访/客户信息查询), an editable list per site."""

    site = models.ForeignKey("org.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("院区"))
    name = models.CharField(_("名称"), max_length=40)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)
    opens_complaint = models.BooleanField(_("可登记投诉"), default=False)
    # An outbound call of this type to a known customer completes the customer's pending
    # follow-up (回访) in the pipeline, carrying its outcome and satisfaction.
    completes_followup = models.BooleanField(_("完成客户回访"), default=False, db_default=False)
    is_active = models.BooleanField(_("启用"), default=True)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    class Meta:
        verbose_name = _("业务类型")
        verbose_name_plural = _("业务类型")
        ordering = ["site", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["site", "name"], name="disposition_unique_name_per_site")
        ]

    def __str__(self) -> str:
        return self.name


class Call(models.Model):
    """One call leg as the telephony system reports it.

    `telephony_id` is unique per `source` (the feeding system), which makes feeds idempotent. A
    transferred call's later legs point at the first leg (`parent`): volume, service level and
    speed of answer count the first leg only, so a transfer counts once; handle time counts every
    leg toward the agent who handled it. `local_date` and `slot` (15-minute index of the arrival
    in Asia/Shanghai, 0–95) are denormalised interval keys: a call counts in the interval it
    arrived, and the interval aggregations read them from covering indexes.
    """

    site = models.ForeignKey("org.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("院区"))
    queue = models.ForeignKey(Queue, on_delete=models.PROTECT, related_name="calls", verbose_name=_("队列"))
    source = models.CharField(_("来源系统"), max_length=40, default="", blank=True)
    telephony_id = models.CharField(_("话单编号"), max_length=64)
    direction = models.CharField(
        _("方向"), max_length=3, choices=Direction.choices, default=Direction.INBOUND
    )
    caller_number = models.CharField(_("主叫号码"), max_length=32, blank=True)
    customer = models.ForeignKey(
        "pipeline.Customer",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("客户"),
    )
    arrived_at = models.DateTimeField(_("进线时间"))
    answered_at = models.DateTimeField(_("接听时间"), null=True, blank=True)
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    outcome = models.PositiveSmallIntegerField(_("结果"), choices=Outcome.choices, default=Outcome.WAITING)
    wait_seconds = models.PositiveIntegerField(_("等待(秒)"), default=0)
    talk_seconds = models.PositiveIntegerField(_("通话(秒)"), default=0)
    hold_seconds = models.PositiveIntegerField(_("保持(秒)"), default=0)
    wrap_seconds = models.PositiveIntegerField(_("话后处理(秒)"), default=0)
    handle_seconds = models.PositiveIntegerField(_("处理时长(秒)"), default=0)  # talk + hold + wrap
    agent = models.ForeignKey(
        "org.Staff", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("坐席")
    )
    disposition = models.ForeignKey(
        Disposition,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("业务类型"),
    )
    recording_ref = models.CharField(_("录音"), max_length=300, blank=True)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transfers",
        verbose_name=_("转接自"),
    )
    fcr = models.BooleanField(_("首次解决"), null=True, blank=True)
    local_date = models.DateField(_("日期"))
    slot = models.PositiveSmallIntegerField(_("时段(15分钟)"))
    complaint_id = models.PositiveIntegerField(_("投诉编号"), null=True, blank=True)
    # A follow-up call (回访): the result the agent recorded (a pipeline FollowUpOutcome value; empty
    # = from the call: answered → 已回访, not answered → 未接通), the customer's satisfaction (1–5,
    # the pipeline's scale) and the pipeline follow-up the call completed.
    followup_outcome = models.CharField(_("回访结果"), max_length=20, blank=True, default="", db_default="")
    satisfaction = models.PositiveSmallIntegerField(_("回访满意度"), null=True, blank=True)
    followup_id = models.PositiveIntegerField(_("回访记录"), null=True, blank=True)
    import_job_id = models.PositiveIntegerField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("来电记录")
        verbose_name_plural = _("来电记录")
        ordering = ["-arrived_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["source", "telephony_id"], name="call_unique_telephony_id"),
            models.CheckConstraint(condition=Q(slot__lt=96), name="call_slot_in_day"),
        ]
        indexes = [
            # Interval profile (day × slot, any queues): every column the aggregation reads, in
            # grouping order, so the index alone answers it (a covering index on both databases).
            models.Index(
                fields=[
                    "local_date",
                    "slot",
                    "queue",
                    "parent",
                    "outcome",
                    "wait_seconds",
                    "handle_seconds",
                    "agent",
                    "fcr",
                ],
                name="call_interval_cover_idx",
            ),
            # Agent table and per-agent metrics (agent × day), covering the same aggregates.
            models.Index(
                fields=[
                    "agent",
                    "local_date",
                    "queue",
                    "parent",
                    "outcome",
                    "wait_seconds",
                    "handle_seconds",
                    "fcr",
                ],
                name="call_agent_cover_idx",
            ),
            models.Index(fields=["site", "local_date", "slot"], name="call_site_day_idx"),
            models.Index(fields=["site", "outcome", "arrived_at"], name="call_site_waiting_idx"),
            models.Index(fields=["import_job_id"], name="call_import_job_idx"),
        ]

    def __str__(self) -> str:
        return self.telephony_id

    @property
    def interval_label(self) -> str:
        minutes = self.slot * SLOT_MINUTES
        return f"{minutes // 60:02d}:{minutes % 60:02d}"
