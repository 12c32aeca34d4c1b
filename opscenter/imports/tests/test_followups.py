"""Follow-ups after a commit (`imports.hooks.register_followup`): queued with the commit, run by
a background task, visible on the job's page, failed with a readable message, re-runnable."""

from __future__ import annotations

import pytest
from django.urls import reverse

from opscenter.imports import hooks
from opscenter.imports.followups import followup_retry, followup_run
from opscenter.imports.models import ImportFollowUp
from opscenter.imports.tests.test_stuck_jobs import _dead_claim

pytestmark = pytest.mark.django_db

CALLS: list[tuple[int, str]] = []


def _txn_csv(phone: str) -> bytes:
    return f"电话,日期,项目,金额\n{phone},2026-03-01,洁牙,300\n".encode()


@pytest.fixture
def no_worker(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def flaky_followup():
    """A follow-up for transaction imports that fails while `state["fail"]` is true."""
    state = {"fail": True}

    def run(*, job_id: int, kind: str, site_id: int | None) -> None:
        if state["fail"]:
            raise RuntimeError("boom")
        CALLS.append((job_id, kind))

    hooks.register_followup(name="tests.flaky", label="测试后续处理", kinds={"transactions"}, run=run)
    CALLS.clear()
    yield state
    hooks._followups.pop("tests.flaky", None)


def _committed_job(run_import_file, personas):
    from opscenter.pipeline.models import Customer

    customer = Customer.objects.create(
        site=personas.site_a, name="钱女士", phone="13900001111", cohort_month=202401
    )
    job, report = run_import_file("transactions", _txn_csv(customer.phone), "t.csv")
    assert report.committed and job.status == "committed"
    return job


def test_a_failed_follow_up_says_so_on_the_page_and_can_be_run_again(
    client, personas, run_import_file, no_worker, flaky_followup, caplog
):
    job = _committed_job(run_import_file, personas)
    followup = ImportFollowUp.objects.get(job=job, name="tests.flaky")
    client.force_login(personas.ops_a)
    page = client.get(reverse("imports:job_detail", args=[job.pk])).content.decode()
    assert 'data-followup="tests.flaky" data-followup-status="queued"' in page
    assert 'hx-trigger="every 2s"' in page  # the page keeps polling until it has run

    for other in ImportFollowUp.objects.filter(job=job).exclude(pk=followup.pk):  # members' refresh
        assert followup_run(followup_id=other.pk) == "done"
    assert followup_run(followup_id=followup.pk) == "failed"
    followup.refresh_from_db()
    assert "测试后续处理出错（RuntimeError）" in followup.message and "导入的数据不受影响" in followup.message
    assert "boom" in caplog.text  # the traceback goes to the log
    page = client.get(reverse("imports:job_progress", args=[job.pk])).content.decode()
    assert 'data-followup-status="failed"' in page and 'data-action="retry-followup"' in page
    assert "every 2s" not in page

    flaky_followup["fail"] = False
    response = client.post(reverse("imports:job_followup_retry", args=[job.pk, followup.pk]))
    assert response.status_code == 302
    followup.refresh_from_db()
    assert followup.status == "queued"  # enqueued again for the worker
    assert followup_run(followup_id=followup.pk) == "done"
    assert [(job.pk, "transactions")] == CALLS


def test_a_follow_up_whose_worker_died_is_run_again(personas, run_import_file, no_worker, flaky_followup):
    flaky_followup["fail"] = False
    job = _committed_job(run_import_file, personas)
    followup = ImportFollowUp.objects.get(job=job, name="tests.flaky")
    ImportFollowUp.objects.filter(pk=followup.pk).update(status="running", claimed_by=_dead_claim())
    assert followup_run(followup_id=followup.pk) == "done"
    assert [(job.pk, "transactions")] == CALLS


def test_a_running_follow_up_cannot_be_queued_twice(personas, run_import_file, no_worker, flaky_followup):
    from opscenter.imports.exceptions import ImportRefused
    from opscenter.scheduler.worker import process_identity

    job = _committed_job(run_import_file, personas)
    followup = ImportFollowUp.objects.get(job=job, name="tests.flaky")
    ImportFollowUp.objects.filter(pk=followup.pk).update(status="running", claimed_by=process_identity())
    followup.refresh_from_db()
    with pytest.raises(ImportRefused):
        followup_retry(followup=followup, actor=personas.ops_a)
    assert followup_run(followup_id=followup.pk) == "running"  # claimed by someone alive: left alone


def test_a_dry_run_or_an_import_that_wrote_nothing_queues_no_follow_up(
    personas, run_import_file, flaky_followup
):
    from opscenter.pipeline.models import Customer

    customer = Customer.objects.create(
        site=personas.site_a, name="孙女士", phone="13900002222", cohort_month=202401
    )
    job, _report = run_import_file("transactions", _txn_csv(customer.phone), "t.csv", dry_run=True)
    assert not ImportFollowUp.objects.filter(job=job).exists()
    bad, report = run_import_file("transactions", _txn_csv("13900009999"), "t.csv")  # unknown phone
    assert not report.committed and not ImportFollowUp.objects.filter(job=bad).exists()
