"""A small Excel (.xlsx) writer for exports: Chinese headers, typed columns, streaming rows.

Rows are written in `constant_memory` mode (xlsxwriter flushes each finished row to a temp file),
so a 100 000-row export costs the same memory as a 100-row one; feed it an iterator
(`queryset.values_list(...).iterator()`), never a list.

Formula injection (CSV/Excel injection): a text cell that starts with `=`, `+`, `-`, `@`, a tab or
a carriage return would be read as a formula by Excel or by whatever re-imports the file as CSV.
Such text is written as a string prefixed with `'`. Text is always written with `write_string`, so
xlsxwriter never turns it into a formula, a number or a hyperlink either.

    columns = [Column("客户姓名"), Column("签约日期", "date"), Column("金额(元)", "yuan")]
    return xlsx_response("客户.xlsx", columns=columns, rows=rows, sheet_name="客户")
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any, Literal

import xlsxwriter
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _

ColumnKind = Literal["text", "int", "number", "date", "datetime", "yuan", "percent", "bool"]

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Characters XML 1.0 cannot hold; they would make the file unreadable.
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

_FORMATS: dict[str, dict[str, Any]] = {
    "header": {"bold": True, "bg_color": "#E8F0FE", "border": 1, "valign": "vcenter"},
    "date": {"num_format": "yyyy-mm-dd"},
    "datetime": {"num_format": "yyyy-mm-dd hh:mm"},
    "yuan": {"num_format": '"¥"#,##0.00;-"¥"#,##0.00'},
    "percent": {"num_format": "0.0%"},
    "int": {"num_format": "0"},
    "number": {"num_format": "#,##0.##"},
}
_DEFAULT_WIDTHS: dict[str, int] = {
    "text": 16,
    "int": 10,
    "number": 12,
    "date": 12,
    "datetime": 17,
    "yuan": 14,
    "percent": 10,
    "bool": 8,
}


@dataclass(frozen=True)
class Column:
    """One column: its (Chinese) header, how values are typed and formatted, optional width.

    Kinds: `text`; `int`/`number`; `date` (a date or datetime, shown as a date); `datetime`
    (aware datetimes are shown in local time, Asia/Shanghai); `yuan` (an integer amount in fen,
    shown in yuan); `percent` (a ratio, 0.314 → 31.4%); `bool` (是/否).
    """

    header: str
    kind: ColumnKind = "text"
    width: int | None = None


def safe_text(value: Any) -> str:
    """Text fit for a cell: illegal XML characters removed, formula-like text prefixed with `'`."""
    text = _ILLEGAL_XML.sub("", str(value))
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def _local_naive(value: dt.datetime) -> dt.datetime:
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.replace(tzinfo=None)


class _SheetWriter:
    def __init__(self, workbook: xlsxwriter.Workbook, sheet_name: str, columns: Sequence[Column]):
        self.columns = list(columns)
        self.sheet = workbook.add_worksheet(sheet_name[:31] or "Sheet1")
        self.formats = {name: workbook.add_format(spec) for name, spec in _FORMATS.items()}
        for index, column in enumerate(self.columns):
            width = column.width or max(_DEFAULT_WIDTHS[column.kind], _display_width(column.header) + 2)
            self.sheet.set_column(index, index, width)
        self.sheet.set_row(0, 22)
        for index, column in enumerate(self.columns):
            self.sheet.write_string(0, index, safe_text(column.header), self.formats["header"])
        self.sheet.freeze_panes(1, 0)
        self.row = 0

    def write(self, values: Sequence[Any]) -> None:
        self.row += 1
        for index, (column, value) in enumerate(zip(self.columns, values, strict=False)):
            self._cell(self.row, index, column.kind, value)

    def finish(self) -> None:
        if self.columns:
            self.sheet.autofilter(0, 0, max(self.row, 1), len(self.columns) - 1)

    def _cell(self, row: int, col: int, kind: str, value: Any) -> None:
        if value is None or value == "":
            return
        sheet, formats = self.sheet, self.formats
        if kind == "yuan":
            sheet.write_number(row, col, Decimal(int(value)) / 100, formats["yuan"])
        elif kind in ("int", "number", "percent"):
            if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
                sheet.write_string(row, col, safe_text(value))
            else:
                sheet.write_number(row, col, value, formats[kind])
        elif kind == "date":
            if isinstance(value, dt.datetime):
                value = _local_naive(value).date()
            sheet.write_datetime(row, col, value, formats["date"])
        elif kind == "datetime":
            if isinstance(value, dt.datetime):
                sheet.write_datetime(row, col, _local_naive(value), formats["datetime"])
            else:
                sheet.write_datetime(row, col, value, formats["date"])
        elif kind == "bool":
            sheet.write_string(row, col, _("是") if value else _("否"))
        else:
            sheet.write_string(row, col, safe_text(value))


def _display_width(text: str) -> int:
    """Approximate column width: CJK characters are about two Latin characters wide."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def write_xlsx(
    target: str | IO[bytes],
    *,
    columns: Sequence[Column],
    rows: Iterable[Sequence[Any]],
    sheet_name: str = "Sheet1",
) -> int:
    """Write one sheet (header row + `rows`) to `target` (a path or a binary file). Returns the row count."""
    workbook = xlsxwriter.Workbook(
        target,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    try:
        writer = _SheetWriter(workbook, sheet_name, columns)
        for values in rows:
            writer.write(values)
        writer.finish()
    finally:
        workbook.close()
    return writer.row


def xlsx_response(
    filename: str, *, columns: Sequence[Column], rows: Iterable[Sequence[Any]], sheet_name: str = "Sheet1"
) -> FileResponse:
    """An attachment response with the workbook, spooled through a temp file (not held in memory)."""
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - FileResponse closes it when sent
    write_xlsx(handle, columns=columns, rows=rows, sheet_name=sheet_name)
    handle.seek(0)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
