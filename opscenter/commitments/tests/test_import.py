"""`opscenter import measurements`: outside-process events in, rows with bad moments named."""

from __future__ import annotations

import csv
import io

import pytest

from opscenter.commitments.models import Measurement
from opscenter.commitments.tests.factories import delivery_tree
from opscenter.imports import services as import_services
from opscenter.imports.engine import ImportOptions

pytestmark = pytest.mark.django_db


def _csv(rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["承诺编码", "单号", "下单时间", "录单完成时间", "发货时间", "送达时间"])
    writer.writerows(rows)
    return out.getvalue().encode()


def _job(personas, data):
    return import_services.import_job_create(
        actor=personas.ops_a, kind="measurements", site_id=personas.site_a.pk, source=data,
        filename="测量.csv", options=ImportOptions(),
    )  # fmt: skip


def test_import_records_measurements_and_undo_removes_them(personas):
    delivery_tree(personas.site_a)
    job = _job(personas, _csv([
        ["delivery", "SO-1", "2026-11-02 09:00", "2026-11-02 10:00", "2026-11-03 10:00", "2026-11-04 16:30"],
        ["delivery", "SO-2", "2026-11-02 09:00", "2026-11-02 09:30", "2026-11-02 11:00", "2026-11-03 09:00"],
    ]))  # fmt: skip
    import_services.import_job_commit(job=job, actor=personas.ops_a)
    job.refresh_from_db()
    assert job.status == "committed", job.message
    statuses = dict(Measurement.objects.values_list("subject_ref", "status"))
    assert statuses == {"SO-1": "breached", "SO-2": "on_time"}
    import_services.import_job_undo(job=job, actor=personas.ops_a)
    assert not Measurement.objects.exists()


def test_a_row_whose_end_is_before_its_start_is_rejected_and_named(personas):
    delivery_tree(personas.site_a)
    job = _job(personas, _csv([
        ["delivery", "SO-1", "2026-11-02 09:00", "2026-11-02 10:00", "", ""],
        ["delivery", "SO-2", "2026-11-02 10:00", "2026-11-02 09:00", "", ""],
    ]))  # fmt: skip
    import_services.import_job_validate(job=job, actor=personas.ops_a)
    errors = list(job.row_errors.values_list("row_no", "column", "message"))
    assert len(errors) == 1
    row_no, column, message = errors[0]
    assert row_no == 3 and column == "录单完成时间"  # the header is row 1
    assert message.startswith("「录单」的结束时间")
    import_services.import_job_commit(job=job, actor=personas.ops_a)
    assert not Measurement.objects.exists()  # validated first, nothing half-written


def test_the_import_template_of_measurements_downloads(client, personas):
    client.force_login(personas.ops_a)
    response = client.get("/imports/templates/measurements.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
