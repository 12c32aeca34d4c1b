import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest
from python_calamine import CalamineWorkbook

from opscenter.core.excel import Column, safe_text, write_xlsx, xlsx_response

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def _read(data: bytes, sheet: str) -> list[list]:
    return CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name(sheet).to_python()


def _write(columns, rows, sheet_name="导出") -> bytes:
    buffer = io.BytesIO()
    write_xlsx(buffer, columns=columns, rows=rows, sheet_name=sheet_name)
    return buffer.getvalue()


@pytest.mark.parametrize("text", ["=1+1", "+86 138", "-10", "@SUM(A1)", "\tcmd", "\rcmd", '=HYPERLINK("x")'])
def test_formula_like_text_is_written_as_a_quoted_string(text):
    rows = _read(_write([Column("备注")], [[text]]), "导出")
    assert rows[1] == ["'" + text]


def test_ordinary_text_is_left_alone_and_never_becomes_a_number_or_link():
    rows = _read(_write([Column("电话"), Column("网址")], [["013800000000", "http://example.com"]]), "导出")
    assert rows[1] == ["013800000000", "http://example.com"]


def test_headers_are_chinese_and_typed_cells_are_formatted():
    columns = [
        Column("姓名"),
        Column("首次咨询日期", "date"),
        Column("咨询时间", "datetime"),
        Column("金额(元)", "yuan"),
        Column("转化率", "percent"),
        Column("次数", "int"),
        Column("本市", "bool"),
    ]
    at = dt.datetime(2026, 3, 1, 1, 30, tzinfo=dt.UTC)  # 09:30 in Shanghai
    data = _write(columns, [["张三", dt.date(2026, 3, 1), at, 1234567, Decimal("0.314"), 3, True]])
    rows = _read(data, "导出")
    assert rows[0] == ["姓名", "首次咨询日期", "咨询时间", "金额(元)", "转化率", "次数", "本市"]
    assert rows[1][0] == "张三"
    assert rows[1][1] == dt.date(2026, 3, 1)
    assert rows[1][2] == dt.datetime(2026, 3, 1, 9, 30)
    assert rows[1][3] == pytest.approx(12345.67)
    assert rows[1][4] == pytest.approx(0.314)
    assert rows[1][5] == 3
    assert rows[1][6] == "是"
    styles = zipfile.ZipFile(io.BytesIO(data)).read("xl/styles.xml").decode()
    assert "yyyy-mm-dd" in styles and "¥" in styles and "0.0%" in styles


def test_empty_values_leave_the_cell_blank():
    rows = _read(_write([Column("a"), Column("b", "yuan"), Column("c", "date")], [["x", None, ""]]), "导出")
    assert rows[1] == ["x", "", ""]


def test_control_characters_are_dropped_instead_of_breaking_the_file():
    assert safe_text("a\x00b\x1fc") == "abc"
    rows = _read(_write([Column("备注")], [["第一行\n第二行\x07"]]), "导出")
    assert rows[1] == ["第一行\n第二行"]


def test_large_exports_stream_rows_in_constant_memory_mode():
    def rows():
        for i in range(20_000):
            yield [f"客户{i}", i * 100]

    buffer = io.BytesIO()
    count = write_xlsx(
        buffer, columns=[Column("姓名"), Column("金额", "yuan")], rows=rows(), sheet_name="客户"
    )
    assert count == 20_000
    sheet = _read(buffer.getvalue(), "客户")
    assert len(sheet) == 20_001 and sheet[-1][0] == "客户19999"
    # constant_memory writes strings inline rather than into the shared-string table.
    names = zipfile.ZipFile(io.BytesIO(buffer.getvalue())).namelist()
    assert "xl/sharedStrings.xml" not in names


def test_the_response_is_an_attachment_with_a_chinese_file_name():
    response = xlsx_response("客户导出.xlsx", columns=[Column("姓名")], rows=[["李四"]], sheet_name="客户")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    assert "filename*=utf-8''" in response["Content-Disposition"]
    data = b"".join(response.streaming_content)
    assert _read(data, "客户") == [["姓名"], ["李四"]]
