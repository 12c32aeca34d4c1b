"""Agent states (坐席状态) as ACD systems export them, and their split into 15-minute slots."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from opscenter.callcenter.choices import AgentStateKind


class AgentState(models.Model):
    """One state of one agent from `started_at` to `ended_at` (就绪, 通话, 话后处理, 小休…).

    Unique per (source, agent, started_at): an agent is in one state at a time, so a re-sent log
    line is recognised. `local_date` is the local day the state started on; the per-interval
    figures read `AgentStateSlot`, where each state is cut at the 15-minute boundaries it spans.
    """

    site = models.ForeignKey("org.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("院区"))
    agent = models.ForeignKey("org.Staff", on_delete=models.PROTECT, related_name="+", verbose_name=_("坐席"))
    state = models.CharField(_("状态"), max_length=8, choices=AgentStateKind.choices)
    reason = models.CharField(_("原因码"), max_length=40, blank=True)
    started_at = models.DateTimeField(_("开始时间"))
    ended_at = models.DateTimeField(_("结束时间"))
    seconds = models.PositiveIntegerField(_("时长(秒)"))
    local_date = models.DateField(_("日期"))
    source = models.CharField(_("来源系统"), max_length=40, default="", blank=True)
    import_job_id = models.PositiveIntegerField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("坐席状态")
        verbose_name_plural = _("坐席状态")
        ordering = ["agent", "started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "agent", "started_at"], name="agent_state_unique_start"
            ),
            models.CheckConstraint(
                condition=models.Q(ended_at__gt=models.F("started_at")), name="agent_state_positive"
            ),
        ]
        indexes = [
            models.Index(fields=["agent", "started_at"], name="agent_state_agent_idx"),
            models.Index(fields=["site", "local_date"], name="agent_state_site_day_idx"),
            models.Index(fields=["import_job_id"], name="agent_state_import_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.agent_id} {self.state} {self.started_at:%Y-%m-%d %H:%M}"


class AgentStateSlot(models.Model):
    """The part of an `AgentState` inside one 15-minute slot (local date × slot 0–95): the
    interval keys the occupancy aggregations group by, from covering indexes."""

    state = models.ForeignKey(AgentState, on_delete=models.CASCADE, related_name="slots")
    site = models.ForeignKey("org.Site", on_delete=models.PROTECT, related_name="+")
    agent = models.ForeignKey("org.Staff", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=8, choices=AgentStateKind.choices)
    local_date = models.DateField()
    slot = models.PositiveSmallIntegerField()
    seconds = models.PositiveIntegerField()

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(slot__lt=96), name="agent_slot_in_day")]
        indexes = [
            models.Index(
                fields=["site", "local_date", "slot", "agent", "kind", "seconds"],
                name="agent_slot_site_cover",
            ),
            models.Index(
                fields=["agent", "local_date", "slot", "kind", "seconds"], name="agent_slot_agent_cover"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agent_id} {self.local_date} {self.slot} {self.kind}"
