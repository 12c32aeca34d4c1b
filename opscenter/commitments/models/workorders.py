"""Work orders (协同工单): the one closed loop, and their event history."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opscenter.commitments.choices import Priority, Source, WorkOrderStatus
from opscenter.core import audit


@audit.register(exclude=("version",))
class WorkOrder(models.Model):
    """A work order: opened by hand or by a complaint, a breach, an anomaly (or another app through
    `work_order_open(source=…)`), dispatched to the liaison of the owning department, worked,
    resolved and verified by the requester, or reopened. `due_at` is on business time;
    `version` is the optimistic lock two people acting at once compare against."""

    site = models.ForeignKey("org.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("院区"))
    department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("责任部门")
    )
    title = models.CharField(_("标题"), max_length=200)
    description = models.TextField(_("描述"), blank=True)
    source = models.CharField(_("来源"), max_length=20, choices=Source.choices, default=Source.MANUAL)
    source_ref = models.CharField(
        _("来源编号"), max_length=60, blank=True, help_text="e.g. complaint id, stage id"
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=WorkOrderStatus.choices, default=WorkOrderStatus.OPENED
    )
    priority = models.CharField(_("优先级"), max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("提出人"),
    )
    assignee = models.ForeignKey(
        "org.Staff",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="work_orders",
        verbose_name=_("处理人"),
    )
    opened_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    due_at = models.DateTimeField(_("协商时限"))
    dispatched_at = models.DateTimeField(_("派发时间"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("处理完成"), null=True, blank=True)
    verified_at = models.DateTimeField(_("验证关闭"), null=True, blank=True)
    resolution = models.TextField(_("处理结果"), blank=True)
    satisfaction = models.PositiveSmallIntegerField(_("满意度(1-5)"), null=True, blank=True)
    feedback = models.TextField(_("提出人反馈"), blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("升级级别"), default=0)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("协同工单")
        verbose_name_plural = _("协同工单")
        ordering = ["-opened_at", "-pk"]
        constraints = [
            # One work order per breach / anomaly episode / complaint, however many monitors run.
            models.UniqueConstraint(
                fields=["source", "source_ref"],
                condition=~Q(source="manual") & ~Q(source_ref=""),
                name="work_order_one_per_source",
            ),
        ]
        indexes = [
            models.Index(fields=["site", "status", "due_at"], name="work_order_site_status_idx"),
            models.Index(fields=["department", "status"], name="work_order_dept_status_idx"),
            models.Index(fields=["status", "due_at", "escalation_level"], name="work_order_overdue_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    @property
    def is_open(self) -> bool:
        from opscenter.commitments.choices import OPEN_WORK_ORDER_STATUSES

        return self.status in OPEN_WORK_ORDER_STATUSES

    def is_overdue(self, now=None) -> bool:
        return self.is_open and self.due_at <= (now or timezone.now())


class WorkOrderEvent(models.Model):
    """One step of a work order's history: a transition, a comment, a due-time change, an escalation."""

    class Kind(models.TextChoices):
        TRANSITION = "transition", _("状态变更")
        COMMENT = "comment", _("备注")
        DUE_CHANGE = "due_change", _("协商时限变更")
        ESCALATION = "escalation", _("超期升级")

    work_order = models.ForeignKey(
        WorkOrder, on_delete=models.CASCADE, related_name="events", verbose_name=_("工单")
    )
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    from_status = models.CharField(_("原状态"), max_length=12, choices=WorkOrderStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=12, choices=WorkOrderStatus.choices, blank=True)
    note = models.TextField(_("说明"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("操作人"),
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("工单记录")
        verbose_name_plural = _("工单记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.work_order_id} {self.get_kind_display()}"


class WorkOrderAttachment(models.Model):
    """A file attached to a work order, stored under MEDIA_ROOT and served only through the scoped
    download view (never a public /media/ URL). Size and type are checked by the service."""

    work_order = models.ForeignKey(
        WorkOrder, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("工单")
    )
    file = models.FileField(_("文件"), upload_to="work_orders/%Y/%m/", max_length=255)
    name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小(字节)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("上传人"),
    )
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    class Meta:
        verbose_name = _("工单附件")
        verbose_name_plural = _("工单附件")
        ordering = ["work_order", "uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.name
