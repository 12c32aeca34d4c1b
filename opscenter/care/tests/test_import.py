"""`care_beds` import: rooms and beds from a sheet, unknown zones named, undo of unused beds."""

from __future__ import annotations

import csv
import io

import pytest

from opscenter.care import services
from opscenter.care.models import Bed, Room
from opscenter.imports import services as import_services
from opscenter.imports.engine import ImportOptions

pytestmark = pytest.mark.django_db


def _job(personas, rows):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["分区", "房号", "楼层", "床号"])
    writer.writerows(rows)
    return import_services.import_job_create(
        actor=personas.ops_a, kind="care_beds", site_id=personas.site_a.pk, source=out.getvalue().encode(),
        filename="床位.csv", options=ImportOptions(),
    )  # fmt: skip


def test_beds_import_creates_rooms_and_beds_and_undo_removes_them(personas):
    services.zones_ensure(site_id=personas.site_a.pk)
    job = _job(
        personas,
        [["协助照料区", "501", "5", "1"], ["协助照料区", "501", "5", "2"], ["失智区", "601", "6", "1"]],
    )
    import_services.import_job_commit(job=job, actor=personas.ops_a)
    job.refresh_from_db()
    assert job.status == "committed", job.message
    assert sorted(Bed.objects.values_list("room__number", "label", "zone__care_zone")) == [
        ("501", "1", "assisted"), ("501", "2", "assisted"), ("601", "1", "dementia"),
    ]  # fmt: skip
    import_services.import_job_undo(job=job, actor=personas.ops_a)
    assert not Bed.objects.exists() and not Room.objects.exists()


def test_unknown_zone_is_named_and_nothing_is_written(personas):
    services.zones_ensure(site_id=personas.site_a.pk)
    job = _job(personas, [["协助照料区", "501", "", "1"], ["养生区", "502", "", "1"]])
    import_services.import_job_commit(job=job, actor=personas.ops_a)
    errors = list(job.row_errors.values_list("row_no", "column", "message"))
    assert errors == [(3, "分区", "院区没有分区「养生区」")]
    assert not Bed.objects.exists()
