"""Scheduled work of target decomposition (django-tasks). The task wraps the same function the
`opscenter targets check-alerts` command calls; it is idempotent (see `alerts.check_alerts`)."""

from __future__ import annotations

from django_tasks import task

from opscenter.targets.alerts import check_alerts


@task()
def check_alerts_task() -> int:
    return check_alerts()
