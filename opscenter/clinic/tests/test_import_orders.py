"""Importing orders with lines (订单明细): one row per line, header cells on the order's first row
only, whole orders or nothing, idempotent by order number, undo — on a messy file."""

import csv
import datetime as dt
import io

import pytest

from opscenter.clinic import services
from opscenter.clinic.models import OrderNumber, Package, PointsEntry, PointsRule
from opscenter.clinic.tests.conftest import at
from opscenter.clinic.tests.test_import_kinds import run
from opscenter.imports import services as import_services
from opscenter.imports.exceptions import ImportRefused
from opscenter.pipeline.models import Deal, DealLine, Transaction

pytestmark = pytest.mark.django_db

HEADER = [" 收费单号 ", "日期", "电话", "客户姓名", "开单咨询师", "项目名称", "项目类别", "科室", "主治医生",
          "实收金额", "疗程次数", "有效天数", "说明"]  # fmt: skip


def _csv(*rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


@pytest.fixture
def messy(clinic, customer):
    a, b = customer(name="甲"), customer(name="乙")
    return a, b, _csv(
        ["A001", "2026/3/5", a.phone, "甲", "咨询乙", "皮肤疗程", "皮肤疗程", "皮肤中心", "李医生", "¥6,000.00", "6", "180", ""],
        ["A001", "", "", "", "", "水光针", "微整", "皮肤中心", "", "1,200", "", "", ""],
        ["A002", "2026-03-06", b.phone, "", "", "洁牙", "口腔", "口腔中心", "王医生", "300", "", "", "洁牙一次"],
        ["A003", "2026-03-07", a.phone, "", "", "项目甲", "", "不存在的科室", "", "100", "", "", ""],
        ["A003", "", "", "", "", "项目乙", "", "皮肤中心", "", "一百", "", "", ""],
        ["A004", "2026-03-08", a.phone, "", "", "项目丙", "", "皮肤中心", "", "100", "", "", ""],
        ["A004", "", b.phone, "", "", "项目丁", "", "皮肤中心", "", "100", "", "", ""],
        ["A005", "2099-01-01", a.phone, "", "", "项目戊", "", "皮肤中心", "", "100", "", "", ""],
        ["", "", "", "", "", "", "", "", "", "", "", "", ""],
        ["A006", "2026-03-09", "13999999999", "", "", "项目己", "", "皮肤中心", "", "100", "", "", ""],
        ["A007", "2026-03-09", a.phone, "", "", "皮肤疗程", "皮肤疗程", "皮肤中心", "", "600", "6", "", ""],
    )  # fmt: skip


EXPECTED_ERRORS = [
    (5, "科室", "本院区没有科室/中心“不存在的科室”"),
    (6, "实收金额", "无法识别的金额“一百”"),
    (7, "收费单号", "本订单第 8 行有错误，整单未导入"),  # row 7 is fine itself: its order is not
    (8, "电话", "与本订单第 7 行的“电话”不一致"),
    (9, "日期", "开单日期不能晚于今天"),
    (11, "电话", "电话“13999999999”在该院区没有登记客户"),
    (12, "有效天数", "疗程套餐（次数大于 1）请填写有效天数"),
]


def _errors(job):
    return sorted((e.row_no, e.column, e.message) for e in job.row_errors.all())


def test_messy_file_imports_whole_orders_only_with_messages_per_row(personas, clinic, messy):
    a, b, data = messy
    job = run(personas, "clinic_orders", data)  # stop on error: nothing at all
    assert job.status == "failed" and not Deal.objects.exists() and not OrderNumber.objects.exists()

    job = run(personas, "clinic_orders", data, on_error="skip")
    assert job.status == "committed", job.message
    assert _errors(job) == EXPECTED_ERRORS
    assert set(OrderNumber.objects.values_list("number", flat=True)) == {"A001", "A002"}
    a001 = OrderNumber.objects.get(number="A001").deal
    assert (a001.customer_id, a001.signed_on, a001.amount_fen, a001.consultant_id) == (
        a.pk, dt.date(2026, 3, 5), 720_000, clinic.consultant.pk)  # fmt: skip
    lines = list(
        DealLine.objects.filter(deal=a001)
        .order_by("pk")
        .values_list("item", "category", "center_id", "doctor_id")
    )
    assert lines == [("皮肤疗程", "skin_package", clinic.skin.pk, clinic.doctor.pk),
                     ("水光针", "non_invasive", clinic.skin.pk, None)]  # fmt: skip
    assert set(Transaction.objects.filter(deal=a001).values_list("receipt_no", "kind")) == {
        ("A001", "purchase")
    }
    package = Package.objects.get(customer=a)
    assert (package.sessions_total, package.valid_until, package.import_job_id) == (
        6,
        dt.date(2026, 9, 1),
        job.pk,
    )
    a002 = OrderNumber.objects.get(number="A002").deal
    assert (a002.customer_id, a002.consultant_id, a002.note) == (b.pk, clinic.consultant.pk, "洁牙一次")

    # The same file again: every imported order is unchanged, nothing new.
    again = run(personas, "clinic_orders", data, on_error="skip")
    assert (again.status, again.rows_created, again.rows_unchanged) == ("committed", 0, 3)
    assert Deal.objects.count() == 2 and Transaction.objects.filter(kind="purchase").count() == 3

    # A001 again with another amount: reported, the imported order is left as it was.
    changed = _csv(
        ["A001", "2026-03-05", a.phone, "", "", "皮肤疗程", "", "皮肤中心", "", "5000", "", "", ""]
    )
    job3 = run(personas, "clinic_orders", changed, on_error="skip")
    [(row, _column, message)] = _errors(job3)
    assert row == 2 and message.startswith(
        "订单号“A001”已导入（2 项，¥7200.00），与本文件的 1 项、¥5000.00 不一致"
    )
    assert Deal.objects.get(pk=a001.pk).amount_fen == 720_000


def test_undo_removes_the_orders_and_is_refused_once_a_session_was_used(personas, clinic, messy):
    a, _b, data = messy
    job = run(personas, "clinic_orders", data, on_error="skip")
    package = Package.objects.get(customer=a)
    services.session_consume(actor=personas.ops_b, package_id=package.pk, performed_by_id=clinic.doctor.pk,
                             used_at=at(dt.date(2026, 3, 10)))  # fmt: skip
    with pytest.raises(ImportRefused, match="本次导入的订单已有 1 次疗程消耗，不能撤销"):
        import_services.import_job_undo(job=job, actor=personas.ops_b)
    assert Deal.objects.count() == 2

    PointsRule.objects.create(site=clinic.site, points_per_yuan=1, valid_from=dt.date(2020, 1, 1))
    fresh = run(personas, "clinic_orders", _csv(
        ["B001", "2026-03-11", a.phone, "", "咨询乙", "光子嫩肤", "皮肤", "皮肤中心", "", "800", "", "", ""]))  # fmt: skip
    assert (
        fresh.status == "committed" and PointsEntry.objects.filter(deal__order_number__number="B001").exists()
    )
    import_services.import_job_undo(job=fresh, actor=personas.ops_b)
    assert not OrderNumber.objects.filter(number="B001").exists()
    assert not Transaction.objects.filter(receipt_no="B001").exists() and Deal.objects.count() == 2
    assert not PointsEntry.objects.filter(note__contains="800").exists()
