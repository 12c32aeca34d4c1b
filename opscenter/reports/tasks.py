"""Scheduled report delivery (django-tasks); `opscenter reports deliver` runs the same pass."""

from __future__ import annotations

from django_tasks import task

from opscenter.reports.services import report_deliver_due


@task()
def delivery_task() -> int:
    return report_deliver_due()
