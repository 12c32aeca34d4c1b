"""The one scheduler (DESIGN.md, cross-app pieces): periodic jobs as data, each tick run once.

Why an app of its own: the jobs are rows (`ScheduledJob`: cadence, enabled, last run, next due)
that operations staff see and edit on a page, and each run leaves a row (`ScheduledRun`) whose
unique key (job, due time) is the claim — however many scheduler processes tick, the INSERT of
that row succeeds for exactly one of them (on SQLite and on PostgreSQL alike), and only the winner
runs the job. Nothing here knows the apps: each app declares its jobs from its own `AppConfig.ready`:

    from opscenter.scheduler import Cadence, register

    register(
        code="members.tiers_nightly",                 # unique, stable: the row's key
        label=_("会员等级夜间评估"),                  # what staff read (translated)
        target="opscenter.members.tasks.evaluate_all_sites_task",  # dotted path
        cadence=Cadence.daily("02:00"),               # or Cadence.every(minutes=15) / Cadence.workdays("08:30")
    )

`target` is either a django-tasks task (enqueued: the worker runs it, with its own retries and
progress) or a plain callable taking no arguments (run by the scheduler process itself: keep it
short). The registered cadence is the default; once the row exists, the stored cadence and the
enabled flag are what count (edited on /scheduler/ or in the admin). `opscenter scheduler
list | run-due | run CODE | loop` is the CLI; `opscenter serve` runs `loop` beside the web
server and the task worker.
"""

from opscenter.scheduler.cadence import Cadence
from opscenter.scheduler.registry import register

__all__ = ["Cadence", "register"]
