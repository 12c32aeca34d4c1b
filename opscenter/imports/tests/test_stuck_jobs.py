"""Issue 10 §4: no job is ever stuck — "create missing customers" works for every event kind, any
exception fails the job with a readable message, uncommitted jobs can be cancelled and deleted,
and a job claimed by a worker that died can be claimed again."""

import subprocess
import sys

import pytest
from django.urls import reverse

from opscenter.imports import services, tasks
from opscenter.imports.choices import JobStatus
from opscenter.imports.engine import ImportOptions
from opscenter.imports.models import ImportJob
from opscenter.imports.tests.files import csv_bytes
from opscenter.pipeline.models import Customer, Deal, FollowUp, Transaction, Visit

pytestmark = pytest.mark.django_db

KIND_ROWS = {
    "deals": (["签约日期", "客户姓名", "电话", "成交金额", "成交咨询师"], ["2024-03-10", "新客甲", "13900000001", "3800", "咨询甲"]),
    "visits": (["到院时间", "客户姓名", "电话"], ["2024-03-10 10:00", "新客甲", "13900000001"]),
    "followups": (["计划日期", "客户姓名", "电话"], ["2024-03-10", "新客甲", "13900000001"]),
    "transactions": (["消费日期", "客户姓名", "电话", "项目", "金额"], ["2024-03-10", "新客甲", "13900000001", "护理", "200"]),
    "disputes": (["发生日期", "客户姓名", "电话", "类别", "描述"], ["2024-03-10", "新客甲", "13900000001", "服务", "等待太久"]),
}  # fmt: skip
MODELS = {"deals": Deal, "visits": Visit, "followups": FollowUp, "transactions": Transaction}


@pytest.mark.parametrize("kind", sorted(KIND_ROWS))
def test_create_missing_customers_registers_the_customer_for_every_event_kind(kind, run_import_file):
    header, row = KIND_ROWS[kind]
    data = csv_bytes([header, row])
    job, report = run_import_file(kind, data, f"{kind}.csv", dry_run=True, create_missing_customers=True)
    assert job.status == JobStatus.VALIDATED, job.message
    assert (report.rows_ok, report.rows_error) == (1, 0), report.errors
    job, report = run_import_file(kind, data, f"{kind}.csv", create_missing_customers=True)
    assert job.status == JobStatus.COMMITTED, job.message
    customer = Customer.objects.get(phone="13900000001")
    assert customer.name == "新客甲" and customer.import_job_id == job.pk
    if kind in MODELS:
        assert MODELS[kind].objects.filter(customer=customer, import_job_id=job.pk).count() == 1
    services.import_job_undo(job=job)
    assert not Customer.objects.filter(phone="13900000001").exists()


def _job(personas, site, kind="deals"):
    header, row = KIND_ROWS[kind]
    return services.import_job_create(
        actor=personas.ops_a, kind=kind, site_id=site.pk, source=csv_bytes([header, row]), filename="x.csv",
        options=ImportOptions(create_missing_customers=True),
    )  # fmt: skip


def test_an_exception_in_a_step_fails_the_job_with_a_readable_message(personas, site, monkeypatch, caplog):
    job = _job(personas, site)

    def crash(*args, **kwargs):
        raise KeyError("customer")

    monkeypatch.setattr(services, "run_import", crash)
    assert tasks.run_job_step(job.pk, tasks.VALIDATE, personas.ops_a.pk) == JobStatus.FAILED
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and not job.queued
    assert "程序出错" in job.message and f"#{job.pk}" in job.message
    assert "KeyError" in caplog.text  # the traceback is in the log


def test_an_uncommitted_job_can_be_cancelled_and_deleted(client, personas, site):
    job = _job(personas, site)
    client.force_login(personas.ops_a)
    assert client.post(reverse("imports:job_cancel", args=[job.pk])).status_code == 302
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED
    assert client.post(reverse("imports:job_delete", args=[job.pk])).status_code == 302
    assert not ImportJob.objects.filter(pk=job.pk).exists()


def test_a_committed_job_cannot_be_deleted(personas, site, run_import_file):
    job, _report = run_import_file(
        "deals", csv_bytes(list(KIND_ROWS["deals"])), "d.csv", create_missing_customers=True
    )
    with pytest.raises(services.ImportRefused):
        services.import_job_delete(job=job, actor=personas.ops_a)


def _dead_claim() -> str:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    from opscenter.scheduler.worker import process_identity

    return f"{process_identity().split(':')[0]}:{process.pid}"


def test_a_job_claimed_by_a_worker_that_died_is_claimed_again(personas, site):
    job = _job(personas, site)
    ImportJob.objects.filter(pk=job.pk).update(
        status=JobStatus.VALIDATING, claimed_by=_dead_claim(), processed_rows=60
    )
    # The task is delivered again (the worker requeued it): it runs the step instead of skipping.
    assert tasks.run_job_step(job.pk, tasks.VALIDATE, personas.ops_a.pk) == JobStatus.VALIDATED


def test_a_job_whose_worker_died_can_be_cancelled(personas, site):
    job = _job(personas, site)
    ImportJob.objects.filter(pk=job.pk).update(status=JobStatus.COMMITTING, claimed_by=_dead_claim())
    job.refresh_from_db()
    services.import_job_cancel(job=job, actor=personas.ops_a)
    assert job.status == JobStatus.CANCELLED


def test_the_page_says_when_no_worker_picked_the_job_up_within_a_minute(client, personas, site):
    import datetime as dt

    from django.utils import timezone

    job = _job(personas, site)
    client.force_login(personas.ops_a)
    ImportJob.objects.filter(pk=job.pk).update(
        queued="validate", queued_at=timezone.now() - dt.timedelta(seconds=20)
    )
    assert 'id="no-worker"' not in client.get(reverse("imports:job_detail", args=[job.pk])).content.decode()
    ImportJob.objects.filter(pk=job.pk).update(queued_at=timezone.now() - dt.timedelta(seconds=61))
    page = client.get(reverse("imports:job_progress", args=[job.pk])).content.decode()
    assert 'id="no-worker"' in page and "opscenter serve" in page


def test_a_queued_job_is_never_seen_neither_queued_nor_running(personas, site):
    """The claim clears `queued` in the same UPDATE that makes the job 校验中: a page loaded while
    the worker starts either polls a queued job or a running one, never a silent 待校验."""
    job = _job(personas, site)
    ImportJob.objects.filter(pk=job.pk).update(queued="validate")
    job.refresh_from_db()
    seen = []

    def progress(done, total):
        seen.append(ImportJob.objects.filter(pk=job.pk).values_list("status", "queued").get())

    services.import_job_validate(job=job, actor=personas.ops_a, progress=progress)
    assert seen and all(state == (JobStatus.VALIDATING, "") for state in seen)
    job.refresh_from_db()
    assert (job.status, job.queued) == (JobStatus.VALIDATED, "")
