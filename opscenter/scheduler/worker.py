"""The task worker `opscenter worker` runs: django-tasks' database worker, made to survive.

django_tasks_db's `db_worker` dies when the database stays busy past SQLite's busy timeout
("database is locked" while claiming, or while saving a result after the task ran), and a task it
was running when it died stays "running" for ever. This worker:

- retries a pass of its loop that hit a busy or unreachable database (backing off) instead of
  exiting;
- retries saving a task's result until the database is free (bounded), so a finished task is
  never recorded as lost;
- puts a task whose body failed on a locked database back in the queue (up to
  `MAX_LOCK_ATTEMPTS` claims, then it is failed with the error recorded);
- gives a task back to the queue when the worker that claimed it has died (same host, process
  gone): worker ids carry host and pid for that.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import os
import socket
import time
from collections.abc import Callable
from typing import Any

from django.db import InterfaceError, OperationalError, close_old_connections, connections
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.compat import TaskContext, task_finished, task_started
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import is_locked_database_exception

log = logging.getLogger("opscenter.worker")
MAX_LOCK_ATTEMPTS = 3
SAVE_RETRY_SECONDS = 120.0
REQUEUE_DELAY = dt.timedelta(seconds=5)
ORPHAN_CHECK_SECONDS = 30.0


def make_worker_id() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{get_random_string(6)}"


def _is_locked(exc: BaseException) -> bool:
    return isinstance(exc, OperationalError) and bool(exc.args) and is_locked_database_exception(exc)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _dead_here(worker_id: str) -> bool:
    """The worker id names this host and a process that no longer exists."""
    host, _, rest = worker_id.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname()[:40] or not pid_text.isdigit():
        return False
    return not _pid_alive(int(pid_text))


def requeue_orphaned_tasks() -> int:
    """Running task results whose worker died on this host go back to the queue. Returns how many."""
    given_back = 0
    for pk, worker_ids in DBTaskResult.objects.running().values_list("pk", "worker_ids"):
        if worker_ids and _dead_here(worker_ids[-1]):
            given_back += DBTaskResult.objects.filter(pk=pk, status="RUNNING", worker_ids=worker_ids).update(
                status="READY", started_at=None, run_after=timezone.now()
            )
            log.warning("task %s: its worker %s died; queued again", pk, worker_ids[-1])
    return given_back


def with_db_retry(action: Callable[[], Any], *, what: str, limit: float = SAVE_RETRY_SECONDS) -> Any:
    """Run `action`, retrying while the database is locked (backing off, at most `limit` seconds)."""
    delay, waited = 0.2, 0.0
    while True:
        try:
            return action()
        except OperationalError as exc:
            if not _is_locked(exc) or waited >= limit:
                raise
            log.warning("%s: database is locked, retrying in %.1fs", what, delay)
            time.sleep(delay)
            waited += delay
            delay = min(delay * 2, 5.0)


class ResilientWorker(Worker):
    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self._next_orphan_check = 0.0

    def run(self) -> None:
        log.info("worker %s started", self.worker_id)
        backoff = 0.5
        while self.running:
            try:
                if time.monotonic() >= self._next_orphan_check:
                    requeue_orphaned_tasks()
                    self._next_orphan_check = time.monotonic() + ORPHAN_CHECK_SECONDS
                finished = self._one_pass()
                backoff = 0.5
            except (OperationalError, InterfaceError) as exc:
                # A busy ("database is locked") or unreachable database: never a reason to exit.
                log.warning(
                    "worker %s: database unavailable (%s); retrying in %.1fs", self.worker_id, exc, backoff
                )
                for conn in connections.all(initialized_only=True):
                    conn.close_if_unusable_or_obsolete()
                time.sleep(backoff)
                backoff = min(backoff * 2, 10.0)
                continue
            if finished:
                return

    def _one_pass(self) -> bool:
        """One claim-and-run; True when the worker should stop (batch done, max tasks reached)."""
        from django_tasks_db.utils import exclusive_transaction

        close_old_connections()
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        if self.excluded_queue_names:
            tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)
        with exclusive_transaction(tasks.db):
            task_result = tasks.get_locked()
            if task_result is not None:
                task_result.claim(self.worker_id)
        if task_result is not None:
            self.run_task(task_result)
        if self.batch and task_result is None:
            return True
        if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
            return True
        close_old_connections()
        if self.running and task_result is None:
            time.sleep(self.interval)
        return False

    def run_task(self, db_task_result: DBTaskResult) -> None:
        try:
            self.running_task = True
            try:
                task = db_task_result.task
                task_result = db_task_result.task_result
                backend_type = task.get_backend()
                task_started.send(sender=backend_type, task_result=task_result)
                if task.takes_context:
                    value = task.call(
                        TaskContext(task_result=task_result), *task_result.args, **task_result.kwargs
                    )
                else:
                    value = task.call(*task_result.args, **task_result.kwargs)
            except (KeyboardInterrupt, SystemExit) as exc:
                with_db_retry(
                    functools.partial(db_task_result.set_failed, exc), what=f"task {db_task_result.pk}"
                )
                raise
            except Exception as exc:
                if _is_locked(exc) and len(db_task_result.worker_ids) < MAX_LOCK_ATTEMPTS:
                    log.warning("task %s hit a locked database; queued again", db_task_result.pk)
                    with_db_retry(
                        lambda: DBTaskResult.objects.filter(pk=db_task_result.pk).update(
                            status="READY", started_at=None, run_after=timezone.now() + REQUEUE_DELAY
                        ),
                        what=f"task {db_task_result.pk}",
                    )
                    return
                log.exception("task %s (%s) failed", db_task_result.pk, db_task_result.task_path)
                with_db_retry(
                    functools.partial(db_task_result.set_failed, exc), what=f"task {db_task_result.pk}"
                )
                self._finished(db_task_result)
                return
            with_db_retry(lambda: db_task_result.set_successful(value), what=f"task {db_task_result.pk}")
            self._finished(db_task_result)
        finally:
            self.running_task = False
            self._run_tasks += 1

    @staticmethod
    def _finished(db_task_result: DBTaskResult) -> None:
        try:
            task_finished.send(
                sender=type(db_task_result.task.get_backend()), task_result=db_task_result.task_result
            )
        except Exception:
            log.exception("task %s: task_finished handlers failed", db_task_result.pk)


def process_identity() -> str:
    """`host:pid` of this process: what a claim records so others can tell whether it died."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}"


def process_is_dead(identity: str) -> bool:
    """The process named by `process_identity()` (or a worker id) is gone from this host."""
    return bool(identity) and _dead_here(identity)
