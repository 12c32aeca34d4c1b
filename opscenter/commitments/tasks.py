"""Scheduled work of the commitments app (django-tasks). The task wraps the same idempotent pass
the `opscenter commitments check` command runs (`monitor.run_monitor`); the shared scheduler
calls it every 5 minutes by default."""

from __future__ import annotations

from django_tasks import task

from opscenter.commitments.monitor import run_monitor


@task()
def monitor_task() -> dict[str, int]:
    return run_monitor().as_dict()
