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


def test_import_reads_measured_values_and_names_a_bad_one(personas):
    from opscenter.commitments import services
    from opscenter.commitments.choices import AllowanceKind, Event, ValueComparison
    from opscenter.commitments.models import StageMeasurement

    tree = delivery_tree(personas.site_a)
    services.commitment_add(
        actor=None,
        parent_id=tree.commitments.get(level=1).pk,
        node=services.NodeSpec(
            name="送达温度", start_event=Event.SHIPPED, end_event=Event.DELIVERED, allowance_minutes=0,
            allowance_kind=AllowanceKind.VALUE, value_key="temperature",
            value_comparison=ValueComparison.AT_MOST, value_bound=8,
        ),
    )  # fmt: skip
    draft = tree.commitments.model.objects.get(name="送达温度").tree
    services.commitment_tree_transition(actor=None, tree_id=draft.pk, to_status="active")
    header = ["承诺编码", "单号", "下单时间", "发货时间", "送达时间", "测量值"]
    times = ["2026-11-02 09:00", "2026-11-02 11:00", "2026-11-03 09:00"]

    def table(*rows):
        out = io.StringIO()
        csv.writer(out).writerows([header, *rows])
        return out.getvalue().encode()

    bad = _job(
        personas,
        table(
            ["delivery", "SO-1", *times, "temperature=9.5"], ["delivery", "SO-2", *times, "temperature=冷"]
        ),
    )
    import_services.import_job_validate(job=bad, actor=personas.ops_a)
    errors = list(bad.row_errors.values_list("row_no", "column", "message"))
    assert errors == [(3, "测量值", "测量值应写成“测量项=数字”，以分号分隔：temperature=冷")]
    job = _job(personas, table(["delivery", "SO-1", *times, "temperature=9.5; other=1"]))
    import_services.import_job_commit(job=job, actor=personas.ops_a)
    job.refresh_from_db()
    assert job.status == "committed", job.message
    stage = StageMeasurement.objects.get(commitment__name="送达温度", measurement__subject_ref="SO-1")
    assert stage.status == "breached" and stage.measured_value == 9.5
