"""Background work of appraisal (django-tasks): the run wraps the same function the CLI calls;
`run_execute` claims the queued run first, so a task delivered twice runs once."""

from __future__ import annotations

from django_tasks import task


@task()
def appraisal_run_task(run_id: int) -> str:
    from opscenter.appraisal.services.runs import run_execute

    return run_execute(run_id)


@task()
def instalments_pay_due_task() -> int:
    """Year-end bonus instalments due today or earlier are marked paid (a conditional UPDATE:
    running twice pays nothing twice; forfeited and settled rows are never touched)."""
    from django.utils import timezone

    from opscenter.appraisal.services.pay import instalments_pay_due

    return instalments_pay_due(today=timezone.localdate())
