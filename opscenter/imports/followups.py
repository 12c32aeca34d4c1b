"""Follow-up work after an import's commit (`hooks.register_followup`): queue, run, re-run.

The commit does not wait for derived bookkeeping such as members' aggregates and tiers: that
would lengthen the one import transaction (holding SQLite's write lock) by as much as the write
itself. Instead the job's move to 已导入 creates one `ImportFollowUp` per registered follow-up,
in the same transaction, and a background task runs each. A follow-up is idempotent (recomputed
from the rows as stored), claimed before it runs (`UPDATE … WHERE status = 'queued'`), failed
with a readable message on any exception (the traceback in the log) and re-runnable from the
job's page; one claimed by a worker that died is queued again.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from opscenter.core import audit
from opscenter.imports import hooks
from opscenter.imports.choices import FollowUpStatus
from opscenter.imports.exceptions import ImportRefused
from opscenter.imports.models import ImportFollowUp, ImportJob
from opscenter.scheduler.worker import process_identity, process_is_dead, with_db_retry

log = logging.getLogger(__name__)
QUEUED, RUNNING, DONE, FAILED = (
    FollowUpStatus.QUEUED,
    FollowUpStatus.RUNNING,
    FollowUpStatus.DONE,
    FollowUpStatus.FAILED,
)
PENDING = (QUEUED, RUNNING)


def followups_create(*, job: ImportJob) -> list[ImportFollowUp]:
    """Queue the follow-ups registered for the job's kind. Call inside the transaction that marks
    the job committed; enqueue the tasks (`followups_enqueue`) once it has committed."""
    return [ImportFollowUp.objects.create(job=job, name=f.name) for f in hooks.followups_for(job.kind)]


def followups_enqueue(followups: list[ImportFollowUp]) -> None:
    from opscenter.imports.tasks import import_followup_task

    for followup in followups:
        import_followup_task.enqueue(followup.pk)


def _reclaim(followup: ImportFollowUp) -> None:
    """A follow-up left running by a worker process that died goes back to the queue."""
    if followup.status != RUNNING or not process_is_dead(followup.claimed_by):
        return
    if ImportFollowUp.objects.filter(pk=followup.pk, status=RUNNING, claimed_by=followup.claimed_by).update(
        status=QUEUED, claimed_by="", queued_at=timezone.now()
    ):
        log.warning("import follow-up %s: worker %s died; queued again", followup.pk, followup.claimed_by)
        followup.status = QUEUED


def followup_run(*, followup_id: int) -> str:
    """Claim a queued follow-up and run it; returns its status afterwards ("missing" if gone).
    A follow-up someone else claimed (a task delivered twice) is left alone."""
    followup = ImportFollowUp.objects.select_related("job").filter(pk=followup_id).first()
    if followup is None:
        return "missing"
    _reclaim(followup)
    claimed = with_db_retry(
        lambda: ImportFollowUp.objects.filter(pk=followup.pk, status=QUEUED).update(
            status=RUNNING, claimed_by=process_identity(), started_at=timezone.now(), message=""
        ),
        what=f"import follow-up {followup.pk}",
    )
    if claimed != 1:
        return (
            ImportFollowUp.objects.filter(pk=followup.pk).values_list("status", flat=True).first()
            or "missing"
        )
    registered = hooks.followup(followup.name)
    job = followup.job
    try:
        if registered is None:
            raise LookupError(f"no follow-up registered as {followup.name!r}")
        registered.run(job_id=job.pk, kind=job.kind, site_id=job.site_id)
    except Exception as exc:
        log.exception("import follow-up %s (%s of job %s) failed", followup.pk, followup.name, job.pk)
        message = _(
            "%(label)s出错（%(error)s），导入的数据不受影响；可重新执行。错误详情已记入服务器日志"
        ) % {"label": followup.label, "error": type(exc).__name__}
        _finish(followup, FAILED, message)
        return FAILED
    _finish(followup, DONE, "")
    return DONE


def _finish(followup: ImportFollowUp, status: str, message: str) -> None:
    with_db_retry(
        lambda: ImportFollowUp.objects.filter(pk=followup.pk, status=RUNNING).update(
            status=status, message=message, finished_at=timezone.now()
        ),
        what=f"import follow-up {followup.pk}",
    )


def followup_retry(*, followup: ImportFollowUp, actor=None) -> ImportFollowUp:
    """Queue a failed follow-up again (or one whose worker died) and enqueue its task (audited)."""
    from opscenter.imports.services import check_access

    check_access(actor, followup.job)
    _reclaim(followup)
    if followup.status != FAILED and followup.status != QUEUED:
        raise ImportRefused(
            _("后续处理当前状态为“%(status)s”，不能重新执行") % {"status": followup.get_status_display()}
        )
    with (
        transaction.atomic(),
        audit.audit_context(actor, "import", _("导入批次 #%(pk)s") % {"pk": followup.job_id}),
    ):
        if not ImportFollowUp.objects.filter(pk=followup.pk, status=followup.status).update(
            status=QUEUED, message="", claimed_by="", queued_at=timezone.now(), finished_at=None
        ):
            raise ImportRefused(_("导入批次正在被其他操作处理，请稍后刷新"))
        registered = hooks.followup(followup.name)
        audit.record_event(
            followup.job,
            gettext_noop("重新执行后续处理：%(label)s")
            % {"label": registered.label if registered else followup.name},
        )
    followup.refresh_from_db()
    followups_enqueue([followup])
    followup.refresh_from_db()
    return followup


def pending_followups(job: ImportJob) -> list[ImportFollowUp]:
    return [f for f in job.followups.all() if f.status in PENDING]
