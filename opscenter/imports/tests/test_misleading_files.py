"""Import messages that say what is wrong with the file, not "missing required columns": a CSV
mixing UTF-8 and GBK lines, and a workbook whose data is on the second sheet."""

from __future__ import annotations

import io

import pytest
import xlsxwriter

from opscenter.imports.exceptions import UnreadableFile
from opscenter.imports.reading import read_table

HINTS = ["姓名", "电话", "来源渠道"]


def test_a_csv_mixing_utf8_and_gbk_lines_names_both_lines():
    data = "姓名,电话\n张三,13800000001\n".encode() + "李四,13800000002\n".encode("gbk")
    with pytest.raises(UnreadableFile) as caught:
        read_table(data, filename="客户.csv", header_hints=HINTS)
    assert "第 1 行是 UTF-8，第 3 行是 GBK" in caught.value.message


def test_a_gbk_csv_still_reads():
    data = "姓名,电话\n李四,13800000002\n".encode("gbk")
    table = read_table(data, filename="客户.csv", header_hints=HINTS)
    assert table.headers[:2] == ["姓名", "电话"] and table.encoding == "gb18030"


def _workbook(sheets: dict[str, list[list[str]]]) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            sheet.write_row(r, 0, row)
    book.close()
    return buffer.getvalue()


def test_data_on_the_second_sheet_is_pointed_at_by_name():
    data = _workbook({"说明": [["本表用于导入客户"]], "客户": [["姓名", "电话"], ["张三", "13800000001"]]})
    with pytest.raises(UnreadableFile) as caught:
        read_table(data, filename="客户.xlsx", header_hints=HINTS)
    assert caught.value.field == "sheet" and "数据在工作表“客户”" in caught.value.message
    table = read_table(data, filename="客户.xlsx", sheet="客户", header_hints=HINTS)
    assert table.headers[:2] == ["姓名", "电话"]
