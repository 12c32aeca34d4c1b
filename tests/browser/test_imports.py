"""Issue 4 "Excel/CSV import": an operations user uploads a messy GB18030 consultation log, reads
the dry-run errors by row number, fixes the column mapping, commits, watches the progress finish,
finds the rows in the customer list and downloads the rejected rows with their error column."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from python_calamine import CalamineWorkbook

from opscenter.imports.choices import JobStatus
from opscenter.imports.models import ColumnMapping, ImportJob
from opscenter.pipeline.models import Consultation, Customer

pytestmark = [pytest.mark.browser]

JOB_PAGE = re.compile(r"/imports/\d+/$")

# A consultation log as kept in Excel and saved as CSV on a Chinese Windows (GB18030):
# "客户名" is no header alias the importer knows, row 4 has a mistyped phone and a note that
# Excel would run as a formula.
LOG_ROWS = [
    ["来电时间", "客户名", "手机", "方式", "接待人", "意向", "备注"],
    ["2024/3/2 9:30", "赵淑芬", "13900000101", "电话", "咨询甲", "高", "想了解康复护理区"],
    ["2024年3月5日", "钱德明", "139 0000 0102", "电话咨询", "咨询甲", "中", "下周带家属参观"],
    ["2024-03-06 14:00", "孙桂香", "1390000", "电话", "咨询甲", "低", "=1+1"],
]


def gb18030_csv(rows: list[list[str]]) -> bytes:
    text = io.StringIO()
    csv.writer(text, lineterminator="\r\n").writerows(rows)
    return text.getvalue().encode("gb18030")


def shoot(page, screenshots, name: str) -> None:
    page.screenshot(path=screenshots / f"imports-{name}.png", full_page=True)


def read_xlsx(path: str | Path) -> list[list]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()


def test_messy_consultation_log_is_fixed_in_the_mapping_editor_committed_and_its_rejects_downloaded(
    page_and_log, personas, password, sign_in, screenshots
):
    page, log = page_and_log
    sign_in(page, "ops_a", password)

    # --- upload: the dry run reports the errors by row, nothing is written ---------------------------
    page.locator("#site-nav").get_by_role("link", name="数据导入").click()
    expect(page).to_have_url("/imports/")
    shoot(page, screenshots, "01-list-empty")
    page.get_by_role("link", name="上传文件").click()
    page.select_option("#id_kind", label="咨询")
    page.select_option("#id_site", label="阳光养老社区")
    page.set_input_files(
        "#id_file",
        files=[{"name": "咨询登记表.csv", "mimeType": "text/csv", "buffer": gb18030_csv(LOG_ROWS)}],
    )
    page.select_option("#id_on_error", value="skip")
    page.get_by_label("自动登记缺少的客户（按电话）").check()
    shoot(page, screenshots, "02-upload-form")
    page.get_by_role("button", name="上传并校验").click()

    expect(page).to_have_url(JOB_PAGE)
    expect(page.locator("h1")).to_contain_text("咨询")
    expect(page.locator("#job-progress [data-status]")).to_have_attribute("data-status", "validated")
    expect(page.locator("#unknown-columns")).to_contain_text("客户名")
    expect(page.locator('[data-count="total"]')).to_have_text("3")
    expect(page.locator('[data-count="error"]')).to_have_text("3")
    errors = page.locator("#row-errors tbody tr")
    # Without the name column the unknown phones cannot be registered; row 4's phone is malformed.
    expect(page.locator("#mapping-editor .import-mapping__unknown")).to_contain_text("客户名")
    expect(errors.filter(has=page.locator("td.num", has_text=re.compile(r"^2$")))).to_contain_text(
        "没有登记客户"
    )
    expect(errors.filter(has=page.locator("td.num", has_text=re.compile(r"^4$")))).to_contain_text("1390000")
    expect(page.locator("#commit-button")).to_have_count(0)
    shoot(page, screenshots, "03-dry-run-errors")
    assert not Consultation.objects.exists() and not Customer.objects.exists()

    # --- fix the mapping: 客户名 is the customer's name --------------------------------------------
    editor = page.locator("#mapping-editor")
    editor.get_by_label("客户名").select_option(label="客户姓名")
    editor.get_by_role("button", name="保存并重新校验").click()
    expect(page.locator(".messages")).to_contain_text("已保存列对应关系")
    expect(page.locator('[data-count="ok"]')).to_have_text("2")
    expect(page.locator('[data-count="error"]')).to_have_text("1")
    expect(page.locator('[data-count="would_create"]')).to_have_text("2")
    expect(page.locator("#row-errors tbody tr")).to_have_count(1)
    expect(page.locator("#row-errors tbody tr").first).to_contain_text("4")
    expect(page.locator("#unknown-columns")).to_have_count(0)
    shoot(page, screenshots, "04-mapping-fixed")
    job = ImportJob.objects.get()
    assert ColumnMapping.objects.get(kind="consultations", site=personas.site_a).mapping["客户名"] == (
        "customer_name"
    )

    # --- commit: the progress finishes, the counts are final ----------------------------------------
    page.get_by_role("button", name="导入 2 行有效数据").click()
    expect(page.locator("#job-progress [data-status]")).to_have_attribute("data-status", "committed")
    expect(page.locator(".messages")).to_contain_text("导入完成")
    expect(page.locator("#job-progress progress")).to_have_attribute("value", "1")
    expect(page.locator('[data-count="created"]')).to_have_text("2")
    expect(page.locator("#undo-button")).to_be_visible()
    shoot(page, screenshots, "05-committed")
    job.refresh_from_db()
    assert job.status == JobStatus.COMMITTED
    assert Consultation.objects.filter(import_job_id=job.pk).count() == 2
    assert set(Customer.objects.values_list("phone", flat=True)) == {"13900000101", "13900000102"}

    # --- the rejected row, downloaded with its error, the formula neutralised -----------------------
    with page.expect_download() as info:
        page.locator("#rejects-link").click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    rows = read_xlsx(download.path())
    header, *rejected = rows
    assert header == ["原行号", *LOG_ROWS[0], "错误原因"]
    assert len(rejected) == 1
    row_no, *cells, reason = rejected[0]
    assert int(row_no) == 4 and cells[1] == "孙桂香" and "1390000" in reason
    assert cells[LOG_ROWS[0].index("备注")] == "'=1+1"  # text, never a formula

    # --- the imported prospects are in the customer list ---------------------------------------------
    page.locator("#site-nav").get_by_role("link", name="客户管理").click()
    expect(page).to_have_url("/pipeline/")
    table = page.locator("main table")
    expect(table).to_contain_text("赵淑芬")
    expect(table).to_contain_text("钱德明")
    expect(table).not_to_contain_text("孙桂香")
    shoot(page, screenshots, "06-customer-list")

    # --- the job list shows the finished import -------------------------------------------------------
    page.goto("/imports/")
    row = page.locator("#job-table tbody tr").first
    expect(row).to_contain_text("咨询登记表.csv")
    expect(row).to_contain_text("已导入")
    shoot(page, screenshots, "07-list")

    assert log.problems(page) == []
