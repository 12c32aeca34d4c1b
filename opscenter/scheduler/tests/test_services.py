"""The scheduler's services: registrations become rows, each tick runs once, staff edit cadence."""

import datetime as dt
import threading

import pytest
from django.core.management import call_command
from django.db import connection

from opscenter.core.businesstime import SHANGHAI
from opscenter.core.exceptions import ValidationError
from opscenter.scheduler import Cadence, register, services
from opscenter.scheduler.models import ScheduledJob, ScheduledRun
from opscenter.scheduler.registry import unregister

pytestmark = pytest.mark.django_db

CALLS: list[str] = []


def record_call():
    CALLS.append("ran")
    return "ok"


def explode():
    raise RuntimeError("boom")


@pytest.fixture
def test_job():
    CALLS.clear()
    register(
        code="tests.record",
        label="测试任务",
        target="opscenter.scheduler.tests.test_services.record_call",
        cadence=Cadence.every(minutes=10),
    )
    yield
    unregister("tests.record")


def at(*args):
    return dt.datetime(*args, tzinfo=SHANGHAI)


def test_the_apps_register_nightly_tiers_and_target_alerts_as_rows():
    services.scheduled_jobs_sync()
    codes = dict(ScheduledJob.objects.values_list("code", "target"))
    assert codes["members.tiers_nightly"] == "opscenter.members.tasks.evaluate_all_sites_task"
    assert codes["targets.check_alerts"] == "opscenter.targets.tasks.check_alerts_task"


def test_a_due_job_runs_once_and_its_next_due_moves_on(test_job):
    services.scheduled_jobs_sync(now=at(2026, 12, 7, 10, 3))
    job = ScheduledJob.objects.get(code="tests.record")
    assert job.next_due_at == at(2026, 12, 7, 10, 10)
    assert services.scheduler_tick(now=at(2026, 12, 7, 10, 5)) == []
    outcomes = services.scheduler_tick(now=at(2026, 12, 7, 10, 11))
    assert [(o.code, o.status, o.message) for o in outcomes if o.code == "tests.record"] == [
        ("tests.record", "done", "ok")
    ]
    assert CALLS == ["ran"]
    job.refresh_from_db()
    assert job.next_due_at == at(2026, 12, 7, 10, 20) and job.last_status == "done"
    services.scheduler_tick(now=at(2026, 12, 7, 10, 12))
    assert CALLS == ["ran"]


def test_a_tick_already_claimed_by_another_process_is_not_run_again(test_job):
    services.scheduled_jobs_sync(now=at(2026, 12, 7, 10, 3))
    job = ScheduledJob.objects.get(code="tests.record")
    # Another scheduler process inserted the claim for this tick a moment ago.
    ScheduledRun.objects.create(job=job, due_at=job.next_due_at, started_at=at(2026, 12, 7, 10, 10))
    assert [o for o in services.scheduler_tick(now=at(2026, 12, 7, 10, 11)) if o.code == "tests.record"] == []
    assert CALLS == []


@pytest.mark.django_db(transaction=True)
def test_concurrent_schedulers_run_each_tick_exactly_once(test_job):
    if connection.vendor == "sqlite":
        pytest.skip("the test database is SQLite in memory: threads need PostgreSQL")
    services.scheduled_jobs_sync(now=at(2026, 12, 7, 10, 3))
    barrier = threading.Barrier(4)

    def tick():
        barrier.wait()
        try:
            services.scheduler_tick(now=at(2026, 12, 7, 10, 11))
        finally:
            connection.close()

    threads = [threading.Thread(target=tick) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert CALLS == ["ran"]
    assert ScheduledRun.objects.filter(job__code="tests.record").count() == 1


def test_a_failing_job_is_recorded_and_the_tick_goes_on(test_job):
    register(code="tests.explode", label="x", target="opscenter.scheduler.tests.test_services.explode",
             cadence=Cadence.every(minutes=10))  # fmt: skip
    try:
        services.scheduled_jobs_sync(now=at(2026, 12, 7, 10, 3))
        outcomes = {o.code: o for o in services.scheduler_tick(now=at(2026, 12, 7, 10, 11))}
        assert outcomes["tests.explode"].status == "failed" and "boom" in outcomes["tests.explode"].message
        assert outcomes["tests.record"].status == "done"
    finally:
        unregister("tests.explode")


def test_a_task_target_is_enqueued_for_the_worker(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    services.scheduled_jobs_sync(now=at(2026, 12, 7, 1, 0))
    ScheduledJob.objects.filter(code="members.tiers_nightly").update(next_due_at=at(2026, 12, 7, 2, 0))
    outcomes = {o.code: o for o in services.scheduler_tick(now=at(2026, 12, 7, 2, 1))}
    assert outcomes["members.tiers_nightly"].status == "enqueued"


def test_a_disabled_job_does_not_run_and_a_stale_edit_is_refused(test_job, personas):
    services.scheduled_jobs_sync(now=at(2026, 12, 7, 10, 3))
    job = ScheduledJob.objects.get(code="tests.record")
    services.scheduled_job_update(job=job, actor=personas.ops_a, version=1, enabled=False,
                                  cadence_kind="daily", interval_minutes=None, at_time=dt.time(3, 0))  # fmt: skip
    services.scheduler_tick(now=at(2026, 12, 9, 4, 0))
    assert CALLS == []
    with pytest.raises(ValidationError):
        services.scheduled_job_update(job=job, actor=personas.ops_a, version=1, enabled=True,
                                      cadence_kind="interval", interval_minutes=5, at_time=None)  # fmt: skip


def test_cli_lists_jobs_and_runs_one_by_code(test_job, capsys):
    call_command("scheduler", "list")
    assert "tests.record" in capsys.readouterr().out
    call_command("scheduler", "run", "tests.record")
    assert CALLS == ["ran"]
    with pytest.raises(SystemExit) as exit_info:
        call_command("scheduler", "run", "nope")
    assert exit_info.value.code == 2
