"""`opscenter export`: Chinese headers, safe cells, and the round trip — importing a file,
exporting, and importing the export again changes nothing."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from opscenter.imports.exports import write_export
from opscenter.imports.tests.files import csv_bytes
from opscenter.pipeline.models import Customer, Transaction

pytestmark = pytest.mark.django_db

names = st.text(alphabet="张王李赵刘陈=+-@ 甲乙", min_size=1, max_size=6).map(str.strip).filter(bool)
customer_rows = st.lists(
    st.tuples(names, st.integers(0, 10**8 - 1), st.one_of(st.none(), st.integers(0, 120))),
    min_size=1,
    max_size=6,
    unique_by=lambda r: r[1],
)
txn_rows = st.lists(
    st.tuples(
        st.integers(0, 5),
        st.dates(dt.date(2020, 1, 1), dt.date(2024, 12, 31)),
        st.sampled_from(["热玛吉", "洁牙", "=HYPERLINK(x)", "床位费"]),
        st.integers(0, 10**8),
        st.sampled_from(["", "皮肤", "口腔"]),
        st.sampled_from(["", "消费", "退款"]),
    ),
    max_size=8,
)


def snapshot():
    return (
        sorted(Customer.objects.values_list("phone", "name", "age", "gender", "note", "tags")),
        sorted(
            Transaction.objects.values_list(
                "customer__phone", "occurred_on", "item", "category", "amount_fen", "kind"
            )
        ),
    )


def export_bytes(kind: str, site) -> bytes:
    buffer = io.BytesIO()
    write_export(kind, buffer, site_id=site.pk)
    return buffer.getvalue()


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(customers=customer_rows, txns=txn_rows)
def test_import_export_import_changes_nothing(run_import_file, site, customers, txns):
    # Examples share the test's database transaction: start each from an empty pipeline.
    Transaction.objects.all().delete()
    Customer.objects.all().delete()
    phones = [f"139{n:08d}" for _name, n, _age in customers]
    run_import_file(
        "customers",
        csv_bytes(
            [
                ["姓名", "电话", "年龄"],
                *([name, phone, age] for (name, _n, age), phone in zip(customers, phones, strict=True)),
            ]
        ),
        "c.csv",
    )
    rows = [
        [phones[i % len(phones)], day.isoformat(), item, category, f"{fen // 100}.{fen % 100:02d}", kind]
        for i, day, item, fen, category, kind in txns
    ]
    run_import_file(
        "transactions",
        csv_bytes([["电话", "日期", "项目", "类别", "金额", "类型"], *rows]),
        "t.csv",
        on_error="skip",
    )
    before = snapshot()
    for kind in ("customers", "transactions"):
        _job, report = run_import_file(kind, export_bytes(kind, site), f"{kind}.xlsx")
        assert report.rows_error == 0, report.errors[:3]
        assert (report.created, report.updated) == (0, 0), kind
    assert snapshot() == before


def test_the_export_command_writes_chinese_headers_and_neutralises_formulas(run_import_file, site, tmp_path):
    run_import_file(
        "customers", csv_bytes([["姓名", "电话", "备注"], ["甲", "13800001001", "=1+1"]]), "c.csv"
    )
    path = tmp_path / "customers.xlsx"
    call_command("export", "customers", str(path), "--site", site.code, stdout=io.StringIO())
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    assert rows[0][:3] == ["姓名", "电话", "性别"] and rows[1][0] == "甲" and rows[1][-1] == "'=1+1"
