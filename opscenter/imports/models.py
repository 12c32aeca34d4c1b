"""Import jobs (one audited event per import), their row errors, and saved column mappings."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from opscenter.core import audit
from opscenter.imports.choices import FollowUpStatus, JobStatus, OnError


@audit.register(exclude=("processed_rows", "total_rows", "queued", "queued_at", "claimed_by", "claimed_at"))
class ImportJob(models.Model):
    """One upload of one file as one kind: the original file is kept, with its sha256, the mapping
    used, the options, the counts and the status. Every row it writes carries `import_job_id`.
    `processed_rows` / `total_rows` drive the progress bar while a background task runs.
    """

    kind = models.CharField(_("导入类型"), max_length=40)
    site = models.ForeignKey(
        "org.Site", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("院区")
    )
    file = models.FileField(_("原始文件"), upload_to="imports/%Y/%m/", max_length=255)
    original_filename = models.CharField(_("文件名"), max_length=255)
    sha256 = models.CharField(_("文件摘要"), max_length=64, db_index=True)
    file_size = models.BigIntegerField(_("文件大小"), default=0)
    sheet = models.CharField(_("工作表"), max_length=100, blank=True)
    mapping = models.JSONField(_("列对应关系"), default=dict, blank=True)
    options = models.JSONField(_("选项"), default=dict, blank=True)
    on_error = models.CharField(_("错误处理"), max_length=10, choices=OnError.choices, default=OnError.STOP)
    status = models.CharField(_("状态"), max_length=20, choices=JobStatus.choices, default=JobStatus.PENDING)
    message = models.TextField(_("说明"), blank=True)
    report = models.JSONField(_("校验报告"), default=dict, blank=True)
    rows_total = models.PositiveIntegerField(_("总行数"), default=0)
    rows_ok = models.PositiveIntegerField(_("有效行数"), default=0)
    rows_error = models.PositiveIntegerField(_("错误行数"), default=0)
    rows_created = models.PositiveIntegerField(_("新增"), default=0)
    rows_updated = models.PositiveIntegerField(_("更新"), default=0)
    rows_unchanged = models.PositiveIntegerField(_("未变化"), default=0)
    queued = models.CharField(
        _("排队中的操作"), max_length=10, blank=True, help_text="validate / commit: enqueued, not started yet"
    )
    queued_at = models.DateTimeField(_("排队时间"), null=True, blank=True)
    claimed_by = models.CharField(
        _("处理进程"), max_length=100, blank=True, help_text="host:pid of the worker running the current step"
    )
    claimed_at = models.DateTimeField(_("开始处理时间"), null=True, blank=True)
    processed_rows = models.PositiveIntegerField(_("已处理行数"), default=0)
    total_rows = models.PositiveIntegerField(_("预计行数"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("导入人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    validated_at = models.DateTimeField(_("校验时间"), null=True, blank=True)
    committed_at = models.DateTimeField(_("导入时间"), null=True, blank=True)
    undone_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("导入批次")
        verbose_name_plural = _("导入批次")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["kind", "site", "status"], name="importjob_kind_site_idx")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind} {self.original_filename}"


class ImportRowError(models.Model):
    """One problem with one cell (or row) of an import: what the user sees in the dry-run report."""

    job = models.ForeignKey(
        ImportJob, on_delete=models.CASCADE, related_name="row_errors", verbose_name=_("导入批次")
    )
    row_no = models.PositiveIntegerField(_("行号"))
    column = models.CharField(_("列"), max_length=100, blank=True)
    value = models.CharField(_("内容"), max_length=200, blank=True)
    message = models.CharField(_("错误"), max_length=300)

    class Meta:
        verbose_name = _("导入错误")
        verbose_name_plural = _("导入错误")
        ordering = ["job", "row_no", "id"]
        indexes = [models.Index(fields=["job", "row_no"], name="importrowerror_job_row_idx")]

    def __str__(self) -> str:
        return gettext("第%(row_no)s行 %(column)s: %(message)s") % {
            "row_no": self.row_no,
            "column": self.column,
            "message": self.message,
        }


@audit.register()
class ColumnMapping(models.Model):
    """The header → field mapping last used for a kind (at a site, or for every site): offered again."""

    kind = models.CharField(_("导入类型"), max_length=40)
    site = models.ForeignKey(
        "org.Site", null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("院区")
    )
    mapping = models.JSONField(_("列对应关系"), default=dict)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("修改人"),
    )
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("列对应关系")
        verbose_name_plural = _("列对应关系")
        constraints = [
            models.UniqueConstraint(fields=["kind", "site"], name="columnmapping_unique_kind_site"),
            models.UniqueConstraint(
                fields=["kind"], condition=Q(site__isnull=True), name="columnmapping_unique_kind_shared"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} @ {self.site or _('全部院区')}"


class ImportChange(models.Model):
    """A change an import made to a row it did not create (or to a row that carries no
    `import_job_id`): the values before and after, so undo can restore them exactly — and
    refuse when someone changed the row again since (current values ≠ `after`)."""

    job = models.ForeignKey(
        ImportJob, on_delete=models.CASCADE, related_name="changes", verbose_name=_("导入批次")
    )
    model = models.CharField(_("数据表"), max_length=60, help_text="app_label.model")
    object_id = models.BigIntegerField(_("记录ID"))
    created = models.BooleanField(_("新建"), default=False, help_text="the import created this row")
    before = models.JSONField(_("修改前"), default=dict, blank=True)
    after = models.JSONField(_("修改后"), default=dict, blank=True)

    class Meta:
        verbose_name = _("导入修改记录")
        verbose_name_plural = _("导入修改记录")
        ordering = ["job", "id"]
        indexes = [models.Index(fields=["job", "model", "object_id"], name="importchange_job_obj_idx")]

    def __str__(self) -> str:
        return f"#{self.job_id} {self.model}:{self.object_id}"


class ImportFollowUp(models.Model):
    """Work another app does after a job's commit, in a background task (`imports.hooks`
    `register_followup`): e.g. members' aggregates and tiers of the customers the job touched.
    Created in the same transaction as the job's move to 已导入, so a crash between the two can
    lose neither; `status` is claimed with `UPDATE … WHERE status = old` (one worker runs it).
    The job's page shows it while it is queued or running, and offers a re-run when it failed."""

    job = models.ForeignKey(
        ImportJob, on_delete=models.CASCADE, related_name="followups", verbose_name=_("导入批次")
    )
    name = models.CharField(_("后续处理"), max_length=60, help_text="registered follow-up name")
    status = models.CharField(
        _("状态"), max_length=10, choices=FollowUpStatus.choices, default=FollowUpStatus.QUEUED
    )
    message = models.TextField(_("说明"), blank=True)
    claimed_by = models.CharField(_("处理进程"), max_length=100, blank=True)
    queued_at = models.DateTimeField(_("排队时间"), default=timezone.now)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("导入后续处理")
        verbose_name_plural = _("导入后续处理")
        ordering = ["job", "id"]
        constraints = [models.UniqueConstraint(fields=["job", "name"], name="importfollowup_unique_job_name")]

    def __str__(self) -> str:
        return f"#{self.job_id} {self.name} {self.status}"

    @property
    def label(self) -> str:
        from opscenter.imports.hooks import followup

        registered = followup(self.name)
        return gettext(registered.label) if registered else self.name
