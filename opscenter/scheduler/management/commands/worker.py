"""`opscenter worker`: run background tasks (imports, nightly tiers …) and keep running.

Like django-tasks' `db_worker`, but a busy or briefly unreachable database never stops it, a
result is saved once the database is free, and tasks of workers that died are queued again
(see `opscenter.scheduler.worker`). `opscenter serve` runs one beside the web server.
"""

from __future__ import annotations

import logging

from django.core.management.base import BaseCommand
from django_tasks_db.compat import DEFAULT_TASK_BACKEND_ALIAS, DEFAULT_TASK_QUEUE_NAME

from opscenter.scheduler.worker import ResilientWorker, make_worker_id


class Command(BaseCommand):
    help = "Run the background task worker (survives a busy database)"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--queue-name", default=DEFAULT_TASK_QUEUE_NAME)
        parser.add_argument("--interval", type=float, default=1.0)
        parser.add_argument("--batch", action="store_true", help="run what is queued, then exit")
        parser.add_argument("--max-tasks", type=int, default=None)

    def handle(self, *args, **opts) -> None:
        for name in ("opscenter.worker", "django_tasks_db", "django_tasks"):
            logger = logging.getLogger(name)
            logger.setLevel(logging.INFO)
            if not logger.hasHandlers():
                logger.addHandler(logging.StreamHandler(self.stdout))
        worker = ResilientWorker(
            queue_names=opts["queue_name"].split(","),
            interval=opts["interval"],
            batch=opts["batch"],
            backend_name=DEFAULT_TASK_BACKEND_ALIAS,
            startup_delay=False,
            max_tasks=opts["max_tasks"],
            worker_id=make_worker_id(),
            excluded_queue_names=[],
        )
        worker.configure_signals()
        worker.run()
