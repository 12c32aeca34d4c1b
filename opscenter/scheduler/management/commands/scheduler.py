"""`opscenter scheduler list | run-due | tick | run CODE | loop`: the scheduler's CLI.

`run-due` (alias `tick`) claims and runs every due job once and exits (cron-friendly); `loop` does
that every `--interval` seconds until stopped (what `opscenter serve` runs). A database that is
busy ("database is locked" on SQLite) or briefly gone makes one pass fail and be retried on the
next, never the loop stop.
"""

from __future__ import annotations

import logging
import signal
import threading
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import OperationalError, close_old_connections
from django.utils import timezone

from opscenter.scheduler import services
from opscenter.scheduler.models import ScheduledJob

log = logging.getLogger("opscenter.scheduler")


class Command(BaseCommand):
    help = "Periodic jobs: list, run-due (tick), run CODE, loop"

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list", help="every job with its cadence, last run and next due")
        sub.add_parser("run-due", help="claim and run every due job once, then exit")
        sub.add_parser("tick", help="same as run-due")
        run = sub.add_parser("run", help="run one job now, whatever its schedule")
        run.add_argument("code")
        loop = sub.add_parser("loop", help="run-due every --interval seconds until stopped")
        loop.add_argument("--interval", type=float, default=30.0)

    def handle(self, *args, **opts) -> None:
        action = opts["action"]
        if action == "list":
            services.scheduled_jobs_sync()
            for job in ScheduledJob.objects.all():
                due = (
                    timezone.localtime(job.next_due_at).strftime("%Y-%m-%d %H:%M") if job.next_due_at else "-"
                )
                last = (
                    timezone.localtime(job.last_run_at).strftime("%Y-%m-%d %H:%M") if job.last_run_at else "-"
                )
                flag = "on " if job.enabled else "off"
                self.stdout.write(
                    f"{job.code:32} {flag} {job.cadence.describe():16} next {due}  last {last} {job.last_status}"
                )
        elif action in ("run-due", "tick"):
            self._report(services.scheduler_tick())
        elif action == "run":
            job = ScheduledJob.objects.filter(code=opts["code"]).first()
            if job is None:
                services.scheduled_jobs_sync()
                job = ScheduledJob.objects.filter(code=opts["code"]).first()
            if job is None:
                known = ", ".join(ScheduledJob.objects.values_list("code", flat=True))
                self.stderr.write(f"unknown job {opts['code']!r}; known: {known}")
                raise SystemExit(2)
            self._report([services.scheduled_job_run_now(job=job)])
        else:
            self._loop(opts["interval"])

    def _report(self, outcomes) -> None:
        for outcome in outcomes:
            self.stdout.write(f"{outcome.code}: {outcome.status} {outcome.message}".rstrip())
        if any(o.status == "failed" for o in outcomes):
            raise CommandError("some jobs failed")

    def _loop(self, interval: float) -> None:
        stop = threading.Event()

        def _stop(signum, _frame):
            log.info("scheduler: %s, stopping", signal.Signals(signum).name)
            stop.set()

        signal.signal(signal.SIGINT, _stop)
        signal.signal(signal.SIGTERM, _stop)
        self.stdout.write(f"scheduler: ticking every {interval:g}s as {services.worker_name()}")
        self.stdout.flush()
        while not stop.is_set():
            close_old_connections()
            try:
                for outcome in services.scheduler_tick():
                    self.stdout.write(
                        f"scheduler: {outcome.code}: {outcome.status} {outcome.message}".rstrip()
                    )
                    self.stdout.flush()
            except OperationalError as exc:  # busy or unreachable database: try again next pass
                log.warning("scheduler: tick failed, retrying: %s", exc)
            except Exception:
                log.exception("scheduler: tick failed")
            stop.wait(interval)
        time.sleep(0)
