"""Scheduled work of the marketing app (django-tasks): the monthly channel grading, run daily by
the shared scheduler and idempotent (a graded month is skipped); `opscenter marketing grade` is
the command-line equivalent."""

from __future__ import annotations

from django_tasks import task

from opscenter.marketing.services import channels_grade_due


@task()
def grade_channels_task() -> dict[str, int]:
    return {str(site_id): count for site_id, count in channels_grade_due().items()}
