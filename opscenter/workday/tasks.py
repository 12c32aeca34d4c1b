"""Scheduled work of the workday app: the same idempotent pass `opscenter workday deadlines` runs."""

from __future__ import annotations

from django_tasks import task

from opscenter.workday.services import run_deadlines


@task()
def deadlines_task() -> dict[str, int]:
    return run_deadlines()
