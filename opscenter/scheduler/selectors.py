"""Reads of the scheduler. Jobs are organisation-wide (not per site): who holds the scheduler's
view permission (operations, management) sees them all."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from opscenter.core.exceptions import NotFound
from opscenter.org.selectors import scope_for
from opscenter.scheduler.models import ScheduledJob, ScheduledRun


def scheduled_job_list(*, user) -> QuerySet[ScheduledJob]:
    scope_for(user).require("scheduler.view_scheduledjob")
    return ScheduledJob.objects.all()


def scheduled_job_get(*, user, job_id: int) -> ScheduledJob:
    job = scheduled_job_list(user=user).filter(pk=job_id).first()
    if job is None:
        raise NotFound(_("定时任务不存在"), log_message=f"scheduled job {job_id} not found")
    return job


def scheduled_run_list(*, user, job: ScheduledJob | None = None, limit: int = 50) -> list[ScheduledRun]:
    qs = ScheduledRun.objects.select_related("job")
    scope_for(user).require("scheduler.view_scheduledjob")
    if job is not None:
        qs = qs.filter(job=job)
    return list(qs[:limit])
