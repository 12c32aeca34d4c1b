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
from opscenter.imports.kinds import get_kind
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


def _pipeline_file(run_import_file) -> None:
    """A customer with one of each event, imported as a person would (several files)."""
    run_import_file(
        "customers",
        csv_bytes(
            [["姓名", "电话", "性别", "标签", "备注"], ["王阿姨", "13800000101", "女", "高意向、医保", "@x"]]
        ),
        "c.csv",
    )
    files = {
        "consultations": [
            ["咨询时间", "电话", "咨询方式", "接待人", "意向", "咨询内容", "下一步"],
            ["2024-03-05 10:00", "13800000101", "电话", "咨询甲", "高", '=HYPERLINK("x")', "约参观"],
        ],
        "visits": [
            ["到院时间", "电话", "上门来源", "类型", "现场咨询师", "结果", "备注"],
            ["2024-03-08 14:00", "13800000101", "电话", "参观", "咨询甲", "", "+带女儿来"],
        ],
        "deals": [
            ["签约日期", "电话", "成交金额", "成交咨询师", "入住类型", "入住区域"],
            ["2024-03-10", "13800000101", "1.2万", "咨询甲", "长住", "康复护理区"],
        ],
        "followups": [
            ["计划日期", "电话", "回访方式", "回访人", "完成日期", "回访结果", "满意度", "回访记录"],
            ["2024-03-20", "13800000101", "微信", "咨询甲", "2024-03-21", "已回访", "满意", "-满意"],
            ["2024-04-20", "13800000101", "电话", "", "", "", "", ""],
        ],
        "staff": [
            ["工号", "姓名", "手机", "部门", "小组", "入职日期", "离职日期"],
            ["N001", "新员工", "13800000201", "市场部", "一组", "2024-01-02", ""],
        ],
    }
    for kind, rows in files.items():
        _job, report = run_import_file(kind, csv_bytes(rows), f"{kind}.csv")
        assert report.rows_error == 0 and report.created >= 1, (kind, report.errors[:3])


@pytest.mark.parametrize("kind", ["consultations", "visits", "deals", "followups", "staff"])
def test_every_kind_exports_in_its_import_format_and_re_imports_without_changes(run_import_file, site, kind):
    _pipeline_file(run_import_file)
    data = export_bytes(kind, site)
    rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    assert rows[0] == [f.label_zh for f in get_kind(kind).fields]
    assert len(rows) > 1 and not any(str(cell).startswith(("=", "+", "-", "@")) for r in rows for cell in r)
    _job, report = run_import_file(kind, data, f"{kind}.xlsx")
    assert report.rows_error == 0, report.errors[:3]
    assert (report.created, report.updated) == (0, 0)


def test_the_export_command_filters_by_site_and_dates(run_import_file, site, personas, tmp_path):
    _pipeline_file(run_import_file)
    path = tmp_path / "f.xlsx"
    out = io.StringIO()
    call_command("export", "followups", str(path), "--site", site.code, "--from", "2024-04-01", stdout=out)
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    assert [row[0] for row in rows[1:]] == [dt.date(2024, 4, 20)]
    assert "已导出 1 行" in out.getvalue()
    call_command("export", "followups", str(path), "--site", personas.site_b.code, stdout=out)
    assert len(CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()) == 1
