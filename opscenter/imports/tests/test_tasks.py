"""The background step: claim one (a second delivery does nothing), queued marker, refusals."""

from __future__ import annotations

import pytest

from opscenter.imports import services, tasks
from opscenter.imports.choices import JobStatus
from opscenter.imports.exceptions import ImportRefused
from opscenter.imports.models import ImportJob
from opscenter.imports.tests.files import csv_bytes
from opscenter.pipeline.models import Customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def job(personas, site):
    return services.import_job_create(
        actor=personas.ops_a,
        kind="customers",
        site_id=site.pk,
        source=csv_bytes([["姓名", "电话"], ["甲", "13800000901"]]),
        filename="c.csv",
    )


def test_a_step_delivered_twice_runs_once(job, personas):
    assert tasks.run_job_step(job.pk, tasks.VALIDATE, personas.ops_a.pk) == JobStatus.VALIDATED
    assert tasks.run_job_step(job.pk, tasks.COMMIT, personas.ops_a.pk) == JobStatus.COMMITTED
    assert tasks.run_job_step(job.pk, tasks.COMMIT, personas.ops_a.pk) == JobStatus.COMMITTED
    assert Customer.objects.filter(phone="13800000901").count() == 1


def test_enqueue_runs_the_task_and_refuses_a_step_the_status_does_not_allow(job, personas):
    job = tasks.import_job_enqueue(job=job, step=tasks.VALIDATE, actor=personas.ops_a)
    assert job.status == JobStatus.VALIDATED and job.queued == ""  # the test backend runs it inline
    job = tasks.import_job_enqueue(job=job, step=tasks.COMMIT, actor=personas.ops_a)
    assert job.status == JobStatus.COMMITTED and job.processed_rows == job.total_rows == 1
    with pytest.raises(ImportRefused):
        tasks.import_job_enqueue(job=job, step=tasks.COMMIT, actor=personas.ops_a)


def test_a_queued_job_is_not_queued_twice(job, personas):
    ImportJob.objects.filter(pk=job.pk).update(queued=tasks.VALIDATE)
    job.refresh_from_db()
    with pytest.raises(ImportRefused):
        tasks.import_job_enqueue(job=job, step=tasks.VALIDATE, actor=personas.ops_a)
