"""Background runs of an import job (django-tasks): the dry run and the commit.

The tasks wrap the same service functions the CLI calls. They are idempotent: the service's
first step claims the job (`UPDATE … WHERE id = … AND status = old`), so a task delivered twice,
or a job validated from two browser tabs, runs once; the loser returns quietly. `queued` marks a
job whose task is enqueued but not started, for the progress bar (`queued_at`: the page says so
when no worker picked it up within a minute). Any exception leaves the job failed with a message
the user can read (the traceback in the log); a job whose worker died is failed and run again.
"""

from __future__ import annotations

import logging

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from opscenter.core.exceptions import DomainError
from opscenter.imports import services
from opscenter.imports.choices import RUNNING, TRANSITIONS, JobStatus
from opscenter.imports.exceptions import ImportRefused
from opscenter.imports.models import ImportJob

log = logging.getLogger(__name__)
VALIDATE, COMMIT = "validate", "commit"
_TARGET = {VALIDATE: JobStatus.VALIDATING, COMMIT: JobStatus.COMMITTING}


def _actor(actor_id: int | None):
    return get_user_model().objects.filter(pk=actor_id).first() if actor_id else None


def run_job_step(job_id: int, step: str, actor_id: int | None) -> str:
    """Run `step` of the job unless someone else already did (claim one); returns the status."""
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None:
        return "missing"
    actor = _actor(actor_id)
    services.import_job_reclaim(job=job)  # a previous worker died mid-step: run it again
    # `queued` is cleared by the claim itself (services._transition), in the same UPDATE that moves
    # the job to 校验中/导入中: a page loaded in between never sees a job neither queued nor running.
    try:
        if step == VALIDATE:
            services.import_job_validate(job=job, actor=actor)
        else:
            services.import_job_commit(job=job, actor=actor)
    except ImportRefused as exc:
        ImportJob.objects.filter(pk=job_id, queued=step).update(queued="")
        log.info("import job %s %s skipped: %s", job_id, step, exc.log_message or exc.message)
    except DomainError as exc:  # recorded on the job (status failed, message) by the service
        log.info("import job %s %s failed: %s", job_id, step, exc.log_message or exc.message)
    except Exception as exc:  # before the service claimed the job (e.g. an unknown kind)
        log.exception("import job %s %s crashed", job_id, step)
        ImportJob.objects.filter(pk=job_id, status__in=[*RUNNING, JobStatus.PENDING]).update(
            status=JobStatus.FAILED, message=services.failure_message(job, exc, step=_("处理")), queued=""
        )
    return ImportJob.objects.filter(pk=job_id).values_list("status", flat=True).first() or "missing"


@task()
def import_job_step_task(job_id: int, step: str, actor_id: int | None = None) -> str:
    return run_job_step(job_id, step, actor_id)


@task()
def import_followup_task(followup_id: int) -> str:
    """Follow-up work after a commit (members' aggregates and tiers…): see `imports.followups`."""
    from opscenter.imports.followups import followup_run

    return followup_run(followup_id=followup_id)


def import_job_enqueue(*, job: ImportJob, step: str, actor) -> ImportJob:
    """Check the move is allowed now, mark the job queued and enqueue the task."""
    if step not in _TARGET:
        raise ValueError(step)
    services.import_job_reclaim(job=job)
    if _TARGET[step] not in TRANSITIONS.get(job.status, set()) or job.queued:
        raise ImportRefused(
            _("导入批次当前状态为“%(get_status_display)s”，不能执行该操作")
            % {"get_status_display": job.get_status_display()},
            log_message=f"job {job.pk}: enqueue {step} refused in {job.status}",
        )
    services.check_access(actor, job)
    if (
        ImportJob.objects.filter(pk=job.pk, status=job.status, queued="").update(
            queued=step, queued_at=timezone.now()
        )
        != 1
    ):
        raise ImportRefused(_("导入批次正在被其他操作处理，请稍后刷新"))
    job.queued = step
    import_job_step_task.enqueue(job.pk, step, getattr(actor, "pk", None))
    job.refresh_from_db()
    return job
