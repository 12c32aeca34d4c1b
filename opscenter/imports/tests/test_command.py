"""`opscenter import`: exit codes, JSON summary, rejected rows file, the shared sample files."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from python_calamine import CalamineWorkbook

from opscenter.imports.tests.files import SAMPLES, csv_bytes, png_bytes
from opscenter.pipeline.models import Consultation, Customer

pytestmark = pytest.mark.django_db


def run(*args) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import", *args, "--no-progress", stdout=out, stderr=err)
    except SystemExit as exc:
        return int(exc.code), out.getvalue() + err.getvalue()
    return 0, out.getvalue() + err.getvalue()


def test_success_exits_0_and_prints_json(tmp_path, site):
    path = tmp_path / "c.csv"
    path.write_bytes(csv_bytes([["姓名", "电话"], ["甲", "13800000071"]]))
    code, out = run("customers", str(path), "--site", site.code, "--json")
    assert code == 0
    data = json.loads(out)
    assert data["created"] == 1 and data["status"] == "committed"


def test_rejected_rows_exit_1_and_are_written_with_an_error_column_safely(tmp_path, site):
    path = tmp_path / "c.csv"
    path.write_bytes(
        csv_bytes(
            [["姓名", "电话", "备注"], ["甲", "13800000081", ""], ['=HYPERLINK("http://x")', "123", "=1+1"]]
        )
    )
    errors_out = tmp_path / "rejected.xlsx"
    code, out = run(
        "customers", str(path), "--site", site.code, "--on-error", "skip", "--errors-out", str(errors_out)
    )
    assert code == 1
    assert "错误 1" in out
    assert Customer.objects.filter(phone="13800000081").exists()
    rows = CalamineWorkbook.from_path(str(errors_out)).get_sheet_by_index(0).to_python()
    assert rows[0] == ["原行号", "姓名", "电话", "备注", "错误原因"]
    assert rows[1][0] == 3
    assert rows[1][1] == '\'=HYPERLINK("http://x")' and rows[1][3] == "'=1+1"
    assert "电话号码“123”格式不正确" in rows[1][4]


def test_dry_run_writes_nothing(tmp_path, site):
    path = tmp_path / "c.csv"
    path.write_bytes(csv_bytes([["姓名", "电话"], ["甲", "13800000091"]]))
    code, out = run("customers", str(path), "--site", site.code, "--dry-run")
    assert code == 0 and "将新增 1" in out
    assert not Customer.objects.exists()


def test_a_file_that_is_not_a_spreadsheet_exits_2(tmp_path, site):
    path = tmp_path / "photo.xlsx"
    path.write_bytes(png_bytes())
    code, out = run("customers", str(path), "--site", site.code)
    assert code == 2 and "不是有效的表格文件" in out
    code, _ = run("customers", str(tmp_path / "missing.csv"), "--site", site.code)
    assert code == 2


@pytest.mark.skipif(SAMPLES is None, reason="shared sample files not present (../shared/samples)")
def test_shared_samples_import(site, personas):
    from opscenter.core.testing import make_department, make_staff

    marketing = make_department(site, "marketing")
    for name in ("钱芳", "孙敏", "刘晓", "吴刚", "王涛", "周婷", "赵磊", "郑丽"):
        make_staff(department=marketing, name=name)
    code, out = run(
        "customers",
        str(SAMPLES / "elder_care_ledger_2015.xlsx"),
        "--site",
        site.code,
        "--on-error",
        "skip",
        "--create-missing-channels",
        "--json",
    )
    data = json.loads(out)
    assert code == 1  # the missing phone 无 is rejected
    assert data["rows_total"] == 60 and data["created"] >= 55
    assert data["skipped_rows"] == [[66, "合计行"]]
    assert {"签约日期", "入住类型", "月费"} <= set(data["unknown_columns"])
    code, out = run(
        "consultations",
        str(SAMPLES / "consult_log_gbk.csv"),
        "--site",
        site.code,
        "--on-error",
        "skip",
        "--create-missing-customers",
        "--default-year",
        "2024",
        "--json",
    )
    data = json.loads(out)
    assert data["rows_total"] == 200
    assert data["created"] + data["rows_error"] == 200 and data["created"] > 150
    assert Consultation.objects.filter(content="=1+1").count() == 0  # 备注 maps to next_step, kept as text
    assert Consultation.objects.filter(next_step="=1+1").exists()
