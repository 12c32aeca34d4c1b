"""`opscenter worker` keeps running when SQLite says "database is locked", and loses no task."""

import os
import subprocess
import sys

import pytest
from django.db import OperationalError
from django_tasks_db.models import DBTaskResult

from opscenter.scheduler import worker as worker_module
from opscenter.scheduler.tests import tasks_for_tests
from opscenter.scheduler.worker import ResilientWorker, make_worker_id, requeue_orphaned_tasks

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def db_backend(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    tasks_for_tests.STATE.update(locked_left=0, runs=0)
    yield


def run_worker(**kwargs):
    worker = ResilientWorker(
        queue_names=["default"], interval=0, batch=True, backend_name="default", startup_delay=False,
        max_tasks=kwargs.get("max_tasks"), worker_id=make_worker_id(), excluded_queue_names=[],
    )  # fmt: skip
    worker.run()
    return worker


def _locked():
    return OperationalError("database is locked")


def test_a_locked_database_while_claiming_does_not_stop_the_worker(db_backend, monkeypatch):
    result = tasks_for_tests.add.enqueue(2, 3)
    calls = {"n": 0}
    original = ResilientWorker._one_pass

    def flaky(self):
        calls["n"] += 1
        if calls["n"] <= 2:
            raise _locked()
        return original(self)

    monkeypatch.setattr(ResilientWorker, "_one_pass", flaky)
    monkeypatch.setattr(worker_module.time, "sleep", lambda s: None)
    run_worker()
    assert DBTaskResult.objects.get(pk=result.id).status == "SUCCESSFUL"


def test_a_locked_database_while_saving_the_result_is_waited_out(db_backend, monkeypatch):
    result = tasks_for_tests.add.enqueue(2, 3)
    failures = {"left": 5}  # more than django-tasks' own 3 quick retries
    original_save = DBTaskResult.save

    def save(self, *args, **kwargs):
        if "return_value" in (kwargs.get("update_fields") or ()) and failures["left"] > 0:
            failures["left"] -= 1
            raise _locked()
        return original_save(self, *args, **kwargs)

    monkeypatch.setattr(DBTaskResult, "save", save)
    monkeypatch.setattr(worker_module.time, "sleep", lambda s: None)
    monkeypatch.setattr("django_tasks_db.utils.time.sleep", lambda s: None)
    run_worker()
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == "SUCCESSFUL" and row.return_value == 5


def test_a_task_that_hit_a_locked_database_is_queued_again_and_then_runs(db_backend, monkeypatch):
    tasks_for_tests.STATE["locked_left"] = 1
    result = tasks_for_tests.locked_then_fine.enqueue()
    monkeypatch.setattr(worker_module, "REQUEUE_DELAY", worker_module.dt.timedelta(0))
    run_worker()
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == "SUCCESSFUL" and row.return_value == "done"
    assert tasks_for_tests.STATE["runs"] == 2 and len(row.worker_ids) == 2


def test_a_task_locked_on_every_attempt_is_failed_with_the_error_not_lost(db_backend, monkeypatch):
    tasks_for_tests.STATE["locked_left"] = 99
    result = tasks_for_tests.locked_then_fine.enqueue()
    monkeypatch.setattr(worker_module, "REQUEUE_DELAY", worker_module.dt.timedelta(0))
    run_worker()
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == "FAILED" and "database is locked" in row.traceback
    assert tasks_for_tests.STATE["runs"] == worker_module.MAX_LOCK_ATTEMPTS


def test_a_task_claimed_by_a_worker_that_died_is_queued_again(db_backend):
    result = tasks_for_tests.add.enqueue(1, 1)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    host = make_worker_id().split(":")[0]
    DBTaskResult.objects.filter(pk=result.id).update(status="RUNNING", worker_ids=[f"{host}:{dead.pid}:abc"])
    alive = tasks_for_tests.add.enqueue(2, 2)
    DBTaskResult.objects.filter(pk=alive.id).update(
        status="RUNNING", worker_ids=[f"{host}:{os.getpid()}:abc"]
    )
    assert requeue_orphaned_tasks() == 1
    assert DBTaskResult.objects.get(pk=result.id).status == "READY"
    assert DBTaskResult.objects.get(pk=alive.id).status == "RUNNING"
