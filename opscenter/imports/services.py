"""Writes of the imports app: create a job from an upload, validate (dry run), commit, undo.

Each import is one `ImportJob`: the original file is kept under MEDIA_ROOT/imports/, with its
sha256, the mapping used, the options and the counts; the commit records one audit event for the
whole job (bulk writes bypass the per-row audit signals on purpose). Undo removes every row the
job wrote, as a whole, and is refused while later records depend on them.
"""

from __future__ import annotations

import hashlib
import io
import logging
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from django.core.files.base import ContentFile, File
from django.db import DEFAULT_DB_ALIAS, OperationalError, connection, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from opscenter.core import audit
from opscenter.core.exceptions import DomainError, NotFound, ValidationError
from opscenter.imports import hooks
from opscenter.imports.choices import DELETABLE, RUNNING, TRANSITIONS, JobStatus
from opscenter.imports.engine import DryRunReport, ImportContext, ImportOptions, RowError, run_import
from opscenter.imports.exceptions import ImportFailed, ImportRefused
from opscenter.imports.filetypes import Limits, detect_format, open_source
from opscenter.imports.followups import followups_create, followups_enqueue
from opscenter.imports.kinds import get_kind
from opscenter.imports.models import ColumnMapping, ImportJob, ImportRowError
from opscenter.imports.reading import Table, read_table
from opscenter.org.models import Site
from opscenter.scheduler.worker import process_identity, process_is_dead, with_db_retry

log = logging.getLogger(__name__)
MAX_STORED_ERRORS = 100_000


def _check_access(actor, kind, site_id: int | None) -> None:
    """The actor needs the kind's permission and write access to the site; None = system/CLI."""
    if actor is None:
        return
    from opscenter.org.selectors import scope_for

    scope = scope_for(actor)
    if kind.permission:
        scope.require(kind.permission)
    if site_id is not None:
        scope.require_site(site_id, write=True)


def check_access(actor, job: ImportJob) -> None:
    """The actor may run this job (the kind's permission, write access to its site)."""
    _check_access(actor, get_kind(job.kind), job.site_id)


def _transition(job: ImportJob, to_status: str, **fields: Any) -> None:
    """Move the job along TRANSITIONS with a claim (`UPDATE … WHERE status = old`): two workers
    never run the same step."""
    if to_status not in TRANSITIONS.get(job.status, set()):
        raise ImportRefused(
            _("导入批次当前状态为“%(get_status_display)s”，不能执行该操作")
            % {"get_status_display": job.get_status_display()},
            log_message=f"job {job.pk}: {job.status} -> {to_status} refused",
        )
    if to_status in RUNNING:
        fields.setdefault("queued", "")
        fields.setdefault("claimed_by", process_identity())
        fields.setdefault("claimed_at", timezone.now())
    claimed = ImportJob.objects.filter(pk=job.pk, status=job.status).update(status=to_status, **fields)
    if claimed != 1:
        raise ImportRefused(
            _("导入批次正在被其他操作处理，请稍后刷新"), log_message=f"job {job.pk} claim lost"
        )
    job.status = to_status
    for name, value in fields.items():
        setattr(job, name, value)


def import_job_create(
    *,
    actor,
    kind: str,
    site_id: int | None,
    source: str | Path | bytes | IO[bytes],
    filename: str,
    options: ImportOptions | None = None,
) -> ImportJob:
    """Keep the uploaded file and open a pending job. Unreadable or unsafe files are refused here
    (`UnreadableFile`), before anything is stored."""
    import_kind = get_kind(kind)
    options = options or ImportOptions()
    if import_kind.needs_site and site_id is None:
        raise ValidationError(_("请选择院区"), field="site")
    if site_id is not None and not Site.objects.filter(pk=site_id).exists():
        raise NotFound(_("院区不存在"))
    _check_access(actor, import_kind, site_id)
    handle = open_source(source)
    try:
        detect_format(handle, filename, Limits.from_settings())
        digest, size = hashlib.sha256(), 0
        handle.seek(0)
        while chunk := handle.read(1024 * 1024):
            digest.update(chunk)
            size += len(chunk)
        handle.seek(0)
        mapping = options.mapping
        if mapping is None:
            saved = _saved_mapping(kind, site_id)
            mapping = saved.mapping if saved else None
        job = ImportJob(
            kind=kind,
            site_id=site_id,
            original_filename=Path(filename).name[:255],
            sha256=digest.hexdigest(),
            file_size=size,
            sheet=options.sheet or "",
            mapping=dict(mapping or {}),
            options=options.as_json(),
            on_error=options.on_error,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        safe_name = f"{digest.hexdigest()[:16]}{Path(filename).suffix.lower()}"
        job.file.save(
            safe_name,
            File(handle) if not isinstance(handle, io.BytesIO) else ContentFile(handle.getvalue()),
            save=False,
        )
        job.save()
    finally:
        if handle is not source:
            handle.close()
    return job


def _saved_mapping(kind: str, site_id: int | None) -> ColumnMapping | None:
    return (
        ColumnMapping.objects.filter(kind=kind, site_id=site_id).first()
        or ColumnMapping.objects.filter(kind=kind, site__isnull=True).first()
    )


def _options(job: ImportJob) -> ImportOptions:
    opts = dict(job.options or {})
    return ImportOptions(
        on_error=job.on_error,
        create_missing_channels=bool(opts.get("create_missing_channels")),
        create_missing_customers=bool(opts.get("create_missing_customers")),
        default_year=opts.get("default_year"),
        sheet=job.sheet or None,
        mapping=job.mapping or None,
    )


def open_job_table(job: ImportJob) -> Table:
    kind = get_kind(job.kind)
    return read_table(
        job.file.path,
        filename=job.original_filename,
        sheet=job.sheet or None,
        header_hints=kind.header_hints(),
        limits=Limits.from_settings(),
    )


class _Progress:
    """Progress rows of a running job, visible to the UI's poll from other connections.

    A dry run runs in autocommit: each update commits at once. A commit writes the data in one
    transaction, so its progress cannot go through that connection (other connections would see
    nothing until the end): on PostgreSQL it goes through a second connection of its own; on
    SQLite, where the commit holds the only write lock, the job shows its phase (导入中, with the
    total from the dry run) and the counts when the transaction ends.
    """

    def __init__(self, job: ImportJob, *, in_transaction: bool):
        self.job_id = job.pk
        self.side = None
        self.enabled = True
        if in_transaction:
            if connection.vendor == "postgresql":
                self.side = connections.create_connection(DEFAULT_DB_ALIAS)
            else:
                self.enabled = False

    def __call__(self, done: int, total: int | None) -> None:
        if not self.enabled:
            return
        if self.side is None:
            ImportJob.objects.filter(pk=self.job_id).update(processed_rows=done, total_rows=total)
            return
        with self.side.cursor() as cursor:
            cursor.execute(
                f"UPDATE {ImportJob._meta.db_table} SET processed_rows = %s, total_rows = %s WHERE id = %s",
                [done, total, self.job_id],
            )

    def close(self) -> None:
        if self.side is not None:
            self.side.close()


def _run(job: ImportJob, *, actor, dry_run: bool, progress: Callable[[int, int | None], None] | None):
    kind = get_kind(job.kind)
    table = open_job_table(job)
    ctx = ImportContext(
        kind=kind, options=_options(job), site=job.site, actor=actor, job_id=job.pk, dry_run=dry_run
    )
    stored: list[RowError] = []

    def keep(errors: list[RowError]) -> None:
        stored.extend(errors[: max(MAX_STORED_ERRORS - len(stored), 0)])

    record = _Progress(job, in_transaction=not dry_run)

    def report_progress(done: int, total: int | None) -> None:
        record(done, total)
        if progress:
            progress(done, total)

    try:
        report = run_import(kind, table, ctx, on_errors=keep, progress=report_progress)
    finally:
        record.close()
    ImportRowError.objects.filter(job=job).delete()
    ImportRowError.objects.bulk_create(
        [
            ImportRowError(
                job=job, row_no=e.row_no, column=e.column[:100], value=e.value[:200], message=e.message[:300]
            )
            for e in stored
        ],
        batch_size=5000,
    )
    return report


def _counts(report: DryRunReport) -> dict[str, Any]:
    return {
        "rows_total": report.rows_total,
        "rows_ok": report.rows_ok,
        "rows_error": report.rows_error,
        "rows_created": report.created,
        "rows_updated": report.updated,
        "rows_unchanged": report.unchanged,
        "mapping": report.mapping,
        "report": {k: v for k, v in report.as_json().items() if k != "errors"},
    }


def _fatal_message(report: DryRunReport) -> str:
    return _("缺少必填列：%(join)s") % {"join": _("、").join(report.missing_columns)} if report.fatal else ""


def import_job_validate(*, job: ImportJob, actor=None, progress=None) -> DryRunReport:
    """Dry run: parse and check every row, store the row errors; nothing is written."""
    _check_access(actor, get_kind(job.kind), job.site_id)
    _transition(job, JobStatus.VALIDATING)
    try:
        report = _run(job, actor=actor, dry_run=True, progress=progress)
    except Exception as exc:
        _fail(job, exc, step=_("校验"))
        if isinstance(exc, DomainError):
            raise
        raise ImportFailed(job.message, log_message=f"job {job.pk} validate failed: {exc!r}") from exc
    status = JobStatus.FAILED if report.fatal else JobStatus.VALIDATED
    _transition(
        job,
        status,
        validated_at=timezone.now(),
        message=_fatal_message(report),
        total_rows=report.rows_total,
        **_counts(report),
    )
    return report


def import_job_commit(*, job: ImportJob, actor=None, progress=None) -> DryRunReport:
    """Write the rows in one transaction (all valid rows, or nothing when on_error="stop" and any
    row is bad). Records one audit event with the counts."""
    _check_access(actor, get_kind(job.kind), job.site_id)
    _transition(job, JobStatus.COMMITTING, processed_rows=0)
    try:
        with audit.audit_context(actor, "import", _("导入批次 #%(pk)s") % {"pk": job.pk}):
            report = _run(job, actor=actor, dry_run=False, progress=progress)
    except Exception as exc:
        _fail(job, exc, step=_("导入"))
        if isinstance(exc, DomainError):
            raise
        raise ImportFailed(job.message, log_message=f"job {job.pk} commit failed: {exc!r}") from exc
    if not report.committed:
        message = _fatal_message(report) or _(
            "有 %(rows_error)s 行错误，按“有错误则全部不导入”未写入任何数据"
        ) % {"rows_error": report.rows_error}
        _transition(job, JobStatus.FAILED, message=message, **_counts(report))
        return report
    with transaction.atomic():
        _transition(
            job,
            JobStatus.COMMITTED,
            committed_at=timezone.now(),
            message="",
            processed_rows=report.rows_total,
            total_rows=report.rows_total,
            **_counts(report),
        )
        # Derived bookkeeping (members' aggregates and tiers) runs after, in the background.
        followups = followups_create(job=job) if report.created or report.updated else []
    followups_enqueue(followups)
    with audit.audit_context(actor, "import", _("导入批次 #%(pk)s") % {"pk": job.pk}):
        audit.record_event(
            job,
            gettext_noop(
                "导入%(label_zh)s：新增 %(created)s，更新 %(updated)s，未变化 %(unchanged)s，错误 %(rows_error)s（文件 %(original_filename)s）"
            )
            % {
                "label_zh": get_kind(job.kind).label_zh,
                "created": report.created,
                "updated": report.updated,
                "unchanged": report.unchanged,
                "rows_error": report.rows_error,
                "original_filename": job.original_filename,
            },
            {
                "rows_created": [None, report.created],
                "rows_updated": [None, report.updated],
                "rows_error": [None, report.rows_error],
            },
        )
    return report


def failure_message(job: ImportJob, exc: BaseException, *, step: str) -> str:
    """What the user reads when a step stopped on an exception (the traceback goes to the log)."""
    if isinstance(exc, DomainError):
        return exc.message
    if isinstance(exc, OperationalError) and "locked" in str(exc).lower():
        return _("数据库正忙（其他写入长时间占用），本次%(step)s未完成，数据未写入。请稍后重新%(step)s") % {
            "step": step
        }
    return _(
        "%(step)s时程序出错（%(error)s），数据未写入。错误详情已记入服务器日志（导入批次 #%(pk)s），请联系管理员"
    ) % {"step": step, "error": type(exc).__name__, "pk": job.pk}


def _fail(job: ImportJob, exc: BaseException, *, step: str) -> None:
    """Mark a running job failed with a readable message, whatever happened (retrying while the
    database is locked): a job never stays "校验中" or "导入中" because its step raised."""
    if not isinstance(exc, DomainError):
        log.exception("import job %s: %s failed", job.pk, step, exc_info=exc)
    message = failure_message(job, exc, step=step)
    with_db_retry(
        lambda: ImportJob.objects.filter(pk=job.pk, status__in=RUNNING).update(
            status=JobStatus.FAILED, message=message, queued=""
        ),
        what=f"import job {job.pk}",
    )
    job.status, job.message = JobStatus.FAILED, message


def claim_is_dead(job: ImportJob) -> bool:
    """A running job whose worker process is gone (same host): nobody will ever finish it."""
    return job.status in RUNNING and process_is_dead(job.claimed_by)


def import_job_reclaim(*, job: ImportJob) -> bool:
    """Fail a running job whose worker died, so it can be run again, cancelled or deleted."""
    if not claim_is_dead(job):
        return False
    message = _("处理该批次的后台进程已中断，数据未写入；可重新执行或取消")
    if ImportJob.objects.filter(pk=job.pk, status=job.status, claimed_by=job.claimed_by).update(
        status=JobStatus.FAILED, message=message, queued=""
    ):
        log.warning(
            "import job %s: worker %s died during %s; failed for a re-run", job.pk, job.claimed_by, job.status
        )
        job.status, job.message, job.queued = JobStatus.FAILED, message, ""
        return True
    job.refresh_from_db()
    return False


def import_job_cancel(*, job: ImportJob, actor=None) -> ImportJob:
    """Cancel a job that has not committed (queued, validated or failed; or running in a worker
    that died). A task still queued for it then finds it cancelled and does nothing."""
    check_access(actor, job)
    import_job_reclaim(job=job)
    if job.status not in DELETABLE:
        raise ImportRefused(
            _("导入批次当前状态为“%(status)s”，不能取消") % {"status": job.get_status_display()}
        )
    with audit.audit_context(actor, "import", _("取消导入批次 #%(pk)s") % {"pk": job.pk}):
        _transition(job, JobStatus.CANCELLED, queued="", message=_("已取消"))
    return job


def import_job_delete(*, job: ImportJob, actor=None) -> None:
    """Delete a job that wrote nothing, with its row errors and its stored file (audited)."""
    check_access(actor, job)
    import_job_reclaim(job=job)
    if job.status not in DELETABLE:
        raise ImportRefused(
            _("导入批次当前状态为“%(status)s”，不能删除（已导入的批次请撤销）")
            % {"status": job.get_status_display()}
        )
    with (
        transaction.atomic(),
        audit.audit_context(actor, "import", _("删除导入批次 #%(pk)s") % {"pk": job.pk}),
    ):
        if not ImportJob.objects.filter(pk=job.pk, status=job.status).exists():
            raise ImportRefused(_("导入批次正在被其他操作处理，请稍后刷新"))
        audit.record_event(
            job,
            _("删除导入批次 #%(pk)s（%(original_filename)s）")
            % {"pk": job.pk, "original_filename": job.original_filename},
        )
        name = job.file.name
        job.delete()
        if name:
            transaction.on_commit(lambda: job.file.storage.delete(name))


def import_job_undo(*, job: ImportJob, actor=None) -> int:
    """Remove every row the job created, as a whole; refused while later records depend on them."""
    kind = get_kind(job.kind)
    _check_access(actor, kind, job.site_id)
    if job.status != JobStatus.COMMITTED:
        raise ImportRefused(
            _("只有已导入的批次可以撤销（当前：%(get_status_display)s）")
            % {"get_status_display": job.get_status_display()}
        )
    blockers = kind.undo_blockers(job.pk)
    if blockers:
        raise ImportRefused(
            _("不能撤销：") + _("；").join(blockers) + _("。请先处理这些记录"),
            log_message=f"undo of job {job.pk} blocked: {len(blockers)} dependents",
        )
    with (
        transaction.atomic(),
        audit.audit_context(actor, "import", _("撤销导入批次 #%(pk)s") % {"pk": job.pk}),
        hooks.undoing(kind=kind.name, job_id=job.pk),
    ):
        removed = kind.undo(job.pk)
        _transition(job, JobStatus.UNDONE, undone_at=timezone.now())
        audit.record_event(
            job,
            gettext_noop("撤销导入：删除 %(removed)s 条%(label_zh)s记录")
            % {"removed": removed, "label_zh": kind.label_zh},
        )
    return removed


@transaction.atomic
def column_mapping_save(*, actor, kind: str, site_id: int | None, mapping: dict[str, str]) -> ColumnMapping:
    """Save the header → field mapping for next time (per kind, per site or shared)."""
    import_kind = get_kind(kind)
    _check_access(actor, import_kind, site_id)
    known = {f.name for f in import_kind.fields}
    bad = [f for f in mapping.values() if f and f not in known]
    if bad:
        raise ValidationError(_("未知的字段：%(join)s") % {"join": _("、").join(bad)}, field="mapping")
    record, _created = ColumnMapping.objects.update_or_create(
        kind=kind,
        site_id=site_id,
        defaults={"mapping": dict(mapping), "updated_by": actor if getattr(actor, "pk", None) else None},
    )
    return record


def import_job_set_mapping(*, job: ImportJob, actor, mapping: dict[str, str]) -> ImportJob:
    """Use an edited header → field mapping for this job (validate again afterwards) and keep it
    for the next file of the same kind at the same site."""
    check_access(actor, job)
    if job.status not in (JobStatus.PENDING, JobStatus.VALIDATED, JobStatus.FAILED) or job.queued:
        raise ImportRefused(
            _("导入批次当前状态为“%(get_status_display)s”，不能修改列对应关系")
            % {"get_status_display": job.get_status_display()}
        )
    column_mapping_save(actor=actor, kind=job.kind, site_id=job.site_id, mapping=mapping)
    if ImportJob.objects.filter(pk=job.pk, status=job.status, queued="").update(mapping=dict(mapping)) != 1:
        raise ImportRefused(_("导入批次正在被其他操作处理，请稍后刷新"))
    job.mapping = dict(mapping)
    return job
