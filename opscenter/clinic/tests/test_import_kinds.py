"""Importing the clinic's package and session ledgers: rows checked like the services (bad rows
named by row and column, nothing written on "stop"), sessions consuming the right package, undo."""

import csv
import io

import pytest

from opscenter.clinic.models import Package, SessionUse
from opscenter.imports import services as import_services
from opscenter.imports.engine import ImportOptions
from opscenter.imports.models import ImportJob

pytestmark = pytest.mark.django_db


def _csv(header, *rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


def run(personas, kind, data, **options):
    job = import_services.import_job_create(
        actor=personas.ops_b, kind=kind, site_id=personas.site_b.pk, source=data, filename=f"{kind}.csv",
        options=ImportOptions(**options),
    )  # fmt: skip
    import_services.import_job_commit(job=job, actor=personas.ops_b)
    job.refresh_from_db()
    return job


PACKAGE_HEADER = [
    "电话",
    "套餐名称",
    "科室",
    "医生",
    "总次数",
    "已用次数",
    "实收金额",
    "开单日期",
    "有效期至",
]


def test_packages_then_sessions_then_undo(personas, clinic, customer):
    a, b = customer(name="甲"), customer(name="乙")
    bad = _csv(PACKAGE_HEADER, [a.phone, "皮肤管理套餐", "不存在的科室", "李医生", 6, 0, "6800", "2026-03-01", "2026-09-01"],
               [b.phone, "皮肤管理套餐", "皮肤中心", "", 6, 7, "6800", "2026-03-01", "2026-09-01"])  # fmt: skip
    job = run(personas, "packages", bad)
    assert job.status == "failed" and not Package.objects.exists()
    errors = sorted((e.row_no, e.message) for e in job.row_errors.all())
    assert errors == [(2, "本院区没有科室/中心“不存在的科室”"), (3, "已用次数不能超过总次数")]

    good = _csv(PACKAGE_HEADER, [a.phone, "皮肤管理套餐", "皮肤中心", "李医生", 6, 4, "6800", "2026-03-01", "2026-09-01"],
                [b.phone, "洁牙套餐", "口腔中心", "", 2, 0, "600", "2026-01-01", "2026-02-01"])  # fmt: skip
    job = run(personas, "packages", good)
    assert job.status == "committed", job.message
    skin = Package.objects.get(customer=a)
    assert (skin.sessions_used, skin.amount_fen, skin.doctor_id) == (4, 680_000, clinic.doctor.pk)

    sessions = _csv(["电话", "项目", "治疗时间", "治疗人"], [a.phone, "皮肤管理套餐", "2026-04-02 10:00", "李医生"],
                    [a.phone, "皮肤管理套餐", "2026-04-16 10:00", "周医生"])  # fmt: skip
    job = run(personas, "sessions", sessions)
    assert job.status == "committed", job.message
    skin.refresh_from_db()
    assert (skin.sessions_used, skin.status) == (6, "finished")
    assert list(SessionUse.objects.order_by("number").values_list("number", flat=True)) == [5, 6]

    rejected = _csv(["电话", "项目", "治疗时间", "治疗人"], [a.phone, "皮肤管理套餐", "2026-05-01 10:00", "李医生"],
                    [b.phone, "洁牙套餐", "2026-03-01 10:00", "王医生"])  # fmt: skip
    job = run(personas, "sessions", rejected, on_error="skip")
    messages = sorted(e.message for e in job.row_errors.all())
    assert messages == ["“洁牙套餐”已过期，不能再消耗", "该客户没有“皮肤管理套餐”的疗程套餐"]
    assert SessionUse.objects.count() == 2

    last = ImportJob.objects.filter(kind="sessions", status="committed").order_by("pk").first()
    import_services.import_job_undo(job=last, actor=personas.ops_b)
    skin.refresh_from_db()
    assert (skin.sessions_used, skin.status, SessionUse.objects.count()) == (4, "active", 0)
