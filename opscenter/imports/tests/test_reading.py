"""read_table: formats, encodings, header detection, skipped rows and the safety guards."""

from __future__ import annotations

import datetime as dt

import pytest

from opscenter.imports.exceptions import UnreadableFile
from opscenter.imports.filetypes import Limits
from opscenter.imports.reading import list_sheets, read_table
from opscenter.imports.tests.files import SAMPLES, Formula, csv_bytes, png_bytes, xlsx_bytes, zip_bomb_xlsx

HINTS = ["姓名", "电话", "联系电话", "签约日期", "金额"]


def test_gbk_csv_is_detected_and_decoded():
    data = csv_bytes(
        [["姓名", "电话"], ["王阿姨", "13800000001"], ["𠀀婷", "13800000002"]], encoding="gb18030"
    )
    table = read_table(data, filename="log.csv", header_hints=HINTS)
    assert table.encoding == "gb18030"
    assert table.headers == ["姓名", "电话"]
    assert [r.values for r in table.rows] == [["王阿姨", "13800000001"], ["𠀀婷", "13800000002"]]


@pytest.mark.parametrize(
    ("encoding", "expected"), [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("utf-16", "utf-16")]
)
def test_unicode_csv_with_or_without_bom(encoding, expected):
    table = read_table(csv_bytes([["姓名", "电话"], ["张三", "138"]], encoding=encoding), filename="a.csv")
    assert table.encoding == expected
    assert table.headers == ["姓名", "电话"]
    assert [r.values for r in table.rows] == [["张三", "138"]]


@pytest.mark.parametrize("delimiter", [";", "\t", "|"])
def test_delimiter_is_sniffed(delimiter):
    data = csv_bytes([["姓名", "电话", "金额"], ["张三", "138", "3,800元"]], delimiter=delimiter)
    table = read_table(data, filename="a.csv")
    assert table.delimiter == delimiter
    assert next(table.rows).values == ["张三", "138", "3,800元"]


def test_merged_title_and_two_level_header_use_the_lower_row_and_keep_groups():
    rows = [
        ["姓名", "联系电话", "签约日期", "月费"],
        ["张三", "13800000001", dt.date(2015, 9, 3), "3,800元"],
        [],
        ["李四", "13800000002", 42262, "0.38万"],
        ["合计", "", "", 7600],
    ]
    data = xlsx_bytes(
        rows,
        title="2015年入住签约台账(市场部)",
        groups=[(0, 1, "基本信息"), (2, 2, "入住信息"), (3, 3, "费用")],
    )
    table = read_table(data, filename="ledger.xlsx", header_hints=HINTS)
    assert table.header_row_no == 4
    assert table.headers == ["姓名", "联系电话", "签约日期", "月费"]
    assert table.groups == ["基本信息", "基本信息", "入住信息", "费用"]
    data_rows = list(table.rows)
    assert [r.row_no for r in data_rows] == [5, 7]  # the blank line 6 is dropped, numbers kept
    assert data_rows[0].values[2] == dt.date(2015, 9, 3)
    assert data_rows[1].values[2] == 42262
    assert table.skipped == [(8, "合计行")]


def test_header_found_without_hints_skips_the_title():
    data = xlsx_bytes([["a", "b"], ["1", "2"]], title="标题")
    table = read_table(data, filename="t.xlsx")
    assert table.headers == ["a", "b"]
    assert [r.values for r in table.rows] == [["1", "2"]]


def test_header_cell_merged_down_over_the_group_row_is_used():
    data = xlsx_bytes([["", "月费", "押金"], ["张三", 3800, 10000]], groups=[(0, 0, "姓名"), (1, 2, "费用")])
    table = read_table(data, filename="t.xlsx", header_hints=["姓名", "月费"])
    assert table.headers == ["姓名", "月费", "押金"]
    assert table.groups == ["", "费用", "费用"]


def test_sheets_are_listed_and_chosen_by_name_or_index():
    data = xlsx_bytes([["姓名"], ["甲"]], sheet="签约", extra_sheets={"退出登记": [["姓名"], ["乙"], ["丙"]]})
    assert list_sheets(data, filename="x.xlsx") == ["签约", "退出登记"]
    assert len(list(read_table(data, filename="x.xlsx", sheet="退出登记").rows)) == 2
    assert len(list(read_table(data, filename="x.xlsx", sheet=1).rows)) == 2
    with pytest.raises(UnreadableFile, match="工作表“其他”不存在，可选：签约、退出登记"):
        read_table(data, filename="x.xlsx", sheet="其他")


def test_formula_cells_give_their_cached_value_and_text_formulas_stay_text():
    data = xlsx_bytes(
        [["姓名", "备注"], ["甲", Formula('=HYPERLINK("http://evil","点我")', "点我")], ["乙", "=1+1"]]
    )
    rows = list(read_table(data, filename="x.xlsx").rows)
    assert rows[0].values == ["甲", "点我"]
    assert rows[1].values == ["乙", "=1+1"]


def test_a_png_renamed_xlsx_is_refused():
    with pytest.raises(UnreadableFile, match="不是有效的表格文件"):
        read_table(png_bytes(), filename="photo.xlsx")


def test_a_binary_file_named_csv_is_refused():
    with pytest.raises(UnreadableFile):
        read_table(png_bytes(), filename="photo.csv")


def test_unknown_extension_is_refused():
    with pytest.raises(UnreadableFile, match="不支持的文件类型"):
        read_table(b"hello", filename="notes.docx")


def test_html_disguised_as_xls_gets_a_useful_message():
    with pytest.raises(UnreadableFile, match=r"另存为 \.xlsx"):
        read_table(b"<html><table><tr><td>1</td></tr></table></html>", filename="export.xls")


def test_zip_bomb_is_refused_before_parsing():
    with pytest.raises(UnreadableFile, match="压缩炸弹"):
        read_table(zip_bomb_xlsx(), filename="bomb.xlsx")


def test_zip_bomb_total_size_cap():
    limits = Limits(max_unzipped_bytes=10 * 1024 * 1024, max_compression_ratio=10**9)
    with pytest.raises(UnreadableFile, match="压缩炸弹"):
        read_table(zip_bomb_xlsx(16), filename="bomb.xlsx", limits=limits)


def test_file_size_is_capped():
    data = csv_bytes([["姓名"], ["x" * 2000]])
    with pytest.raises(UnreadableFile, match="文件过大"):
        read_table(data, filename="a.csv", limits=Limits(max_file_bytes=1000))


def test_overlong_cells_are_cut_and_flagged_not_crashing():
    data = csv_bytes([["姓名", "备注"], ["甲", "x" * 300_000]])
    row = next(read_table(data, filename="a.csv", limits=Limits(max_cell_chars=10_000)).rows)
    assert row.long_cells == (1,)
    assert len(row.values[1]) < 100


def test_header_only_file_has_no_rows_and_empty_file_has_no_header():
    table = read_table(csv_bytes([["姓名", "电话"]]), filename="a.csv")
    assert table.headers == ["姓名", "电话"] and list(table.rows) == []
    empty = read_table(b"", filename="a.csv")
    assert empty.headers == [] and list(empty.rows) == []


def test_repeated_header_lines_are_skipped():
    table = read_table(
        csv_bytes([["姓名", "电话"], ["甲", "1"], ["姓名", "电话"], ["乙", "2"]]), filename="a.csv"
    )
    assert [r.values[0] for r in table.rows] == ["甲", "乙"]
    assert table.skipped == [(3, "重复的表头行")]


@pytest.mark.skipif(SAMPLES is None, reason="shared sample files not present (../shared/samples)")
def test_shared_samples_read_cleanly():
    ledger = read_table(
        SAMPLES / "elder_care_ledger_2015.xlsx", filename="elder_care_ledger_2015.xlsx", header_hints=HINTS
    )
    assert ledger.headers[0] == "姓名" and ledger.groups[0] == "基本信息"
    assert len(list(ledger.rows)) == 60
    log = read_table(SAMPLES / "consult_log_gbk.csv", filename="consult_log_gbk.csv")
    assert log.encoding == "gb18030"
    assert log.headers[0] == "咨询时间"
