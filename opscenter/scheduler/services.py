"""Writes of the scheduler: sync the registrations into rows, tick (claim and run what is due),
run one job now, and staff's edits of a job's cadence.

The claim is the INSERT of `ScheduledRun(job, due_at)` under a unique constraint, each in its own
transaction: two scheduler processes reading the same due row both try it, one wins, the other
gets IntegrityError and moves on. The winner then moves `next_due_at` on (from "now", so a long
outage runs a job once rather than once per missed tick) and runs the target.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from opscenter.core import audit
from opscenter.core.exceptions import ValidationError
from opscenter.scheduler.cadence import Cadence
from opscenter.scheduler.choices import CadenceKind, RunStatus
from opscenter.scheduler.models import ScheduledJob, ScheduledRun
from opscenter.scheduler.registry import registered

log = logging.getLogger(__name__)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


def _calendar():
    from opscenter.core.calendars import default_work_calendar

    return default_work_calendar()


def next_due(cadence: Cadence, after: dt.datetime) -> dt.datetime:
    calendar = _calendar() if cadence.kind == CadenceKind.WORKDAYS else None
    return cadence.next_after(after, calendar=calendar)


def scheduled_jobs_sync(*, now: dt.datetime | None = None) -> int:
    """Create a row for each registered job not stored yet (with its default cadence), refresh the
    label and target of the others, and flag rows nobody registers any more. Returns rows created."""
    now = now or timezone.now()
    entries = registered()
    existing = {job.code: job for job in ScheduledJob.objects.all()}
    created = 0
    for code, entry in entries.items():
        job = existing.get(code)
        if job is None:
            cadence = entry.cadence
            try:
                with transaction.atomic():
                    ScheduledJob.objects.create(
                        code=code,
                        label=str(entry.label)[:120],
                        target=entry.target,
                        enabled=entry.enabled,
                        cadence_kind=cadence.kind,
                        interval_minutes=cadence.minutes,
                        at_time=cadence.at,
                        next_due_at=next_due(cadence, now),
                    )
                created += 1
            except IntegrityError:  # another process synced it first
                pass
        elif job.label != str(entry.label)[:120] or job.target != entry.target or not job.registered:
            ScheduledJob.objects.filter(pk=job.pk).update(
                label=str(entry.label)[:120], target=entry.target, registered=True
            )
    ScheduledJob.objects.exclude(code__in=list(entries)).filter(registered=True).update(registered=False)
    return created


def sync_after_migrate(**_kwargs: Any) -> None:
    """post_migrate: the jobs exist as rows as soon as the database does."""
    try:
        scheduled_jobs_sync()
    except Exception:  # a half-migrated database must not break `migrate`
        log.exception("scheduler sync after migrate failed")


@dataclass
class RunOutcome:
    code: str
    status: str
    message: str


def _execute(job: ScheduledJob) -> tuple[str, str]:
    """Run or enqueue the job's target: (status, message)."""
    from django_tasks.base import Task

    target = import_string(job.target)
    if isinstance(target, Task):
        result = target.enqueue()
        return RunStatus.ENQUEUED.value, f"task {result.id}"
    value = target()
    return RunStatus.DONE.value, "" if value is None else str(value)[:500]


def _run_claimed(job: ScheduledJob, run: ScheduledRun) -> RunOutcome:
    try:
        status, message = _execute(job)
    except Exception as exc:  # recorded on the run; the scheduler keeps ticking
        log.exception("scheduled job %s failed", job.code)
        status, message = RunStatus.FAILED.value, f"{type(exc).__name__}: {exc}"[:500]
    finished = timezone.now()
    ScheduledRun.objects.filter(pk=run.pk).update(status=status, message=message, finished_at=finished)
    ScheduledJob.objects.filter(pk=job.pk).update(last_status=status, last_message=message)
    return RunOutcome(job.code, status, message)


def _claim(job: ScheduledJob, due_at: dt.datetime, *, now: dt.datetime, manual: bool) -> ScheduledRun | None:
    try:
        with transaction.atomic():
            run = ScheduledRun.objects.create(
                job=job, due_at=due_at, manual=manual, started_at=now, worker=worker_name()
            )
    except IntegrityError:
        return None
    return run


def scheduler_tick(*, now: dt.datetime | None = None) -> list[RunOutcome]:
    """Claim and run every enabled job that is due (each tick once across all processes)."""
    now = now or timezone.now()
    scheduled_jobs_sync(now=now)
    outcomes = []
    due = ScheduledJob.objects.filter(enabled=True, registered=True, next_due_at__lte=now).order_by(
        "next_due_at"
    )
    for job in list(due):
        due_at = job.next_due_at
        run = _claim(job, due_at, now=now, manual=False)
        if run is None:
            log.info("scheduled job %s at %s claimed elsewhere", job.code, due_at)
            continue
        ScheduledJob.objects.filter(pk=job.pk).update(next_due_at=next_due(job.cadence, now), last_run_at=now)
        outcomes.append(_run_claimed(job, run))
    return outcomes


def scheduled_job_run_now(*, job: ScheduledJob, actor=None) -> RunOutcome:
    """Run one job at once (the page's "立即运行", `opscenter scheduler run CODE`); its cadence is unchanged."""
    now = timezone.now()
    run = _claim(job, now, now=now, manual=True)
    if run is None:
        raise ValidationError(_("该任务刚刚已被运行，请稍后再试"))
    ScheduledJob.objects.filter(pk=job.pk).update(last_run_at=now)
    with audit.audit_context(actor, "scheduler", _("立即运行 %(code)s") % {"code": job.code}):
        return _run_claimed(job, run)


@transaction.atomic
def scheduled_job_update(
    *,
    job: ScheduledJob,
    actor,
    version: int,
    enabled: bool,
    cadence_kind: str,
    interval_minutes: int | None,
    at_time: dt.time | None,
) -> ScheduledJob:
    """Staff edit a job's cadence or turn it on/off (audited; refused if someone saved meanwhile)."""
    try:
        cadence = Cadence(cadence_kind, minutes=interval_minutes, at=at_time)
    except ValueError as exc:
        raise ValidationError(
            _("周期设置无效：间隔须为 1–10080 分钟，定时须填写时间"), log_message=str(exc)
        ) from exc
    with audit.audit_context(actor, "scheduler", _("修改定时任务 %(code)s") % {"code": job.code}):
        fresh = ScheduledJob.objects.select_for_update().get(pk=job.pk)
        if fresh.version != version:
            raise ValidationError(_("该任务已被其他人修改，请刷新后再改"), field="version")
        fresh.enabled = enabled
        fresh.cadence_kind = cadence.kind
        fresh.interval_minutes = cadence.minutes if cadence.kind == CadenceKind.INTERVAL else None
        fresh.at_time = cadence.at if cadence.kind != CadenceKind.INTERVAL else None
        fresh.next_due_at = next_due(cadence, timezone.now())
        fresh.updated_by = actor if getattr(actor, "pk", None) else None
        fresh.version = version + 1
        fresh.save()
    return fresh
