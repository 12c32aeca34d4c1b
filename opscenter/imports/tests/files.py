"""Builders of test spreadsheets: xlsx via xlsxwriter, CSV in any encoding, hostile files."""

from __future__ import annotations

import csv
import datetime as dt
import io
import struct
import zipfile
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import xlsxwriter

SAMPLES = next(
    (
        p
        for p in (Path(__file__).resolve().parents[4] / "shared" / "samples", Path("/work/shared/samples"))
        if p.is_dir()
    ),
    None,
)


def xlsx_bytes(
    rows: Sequence[Sequence[Any]],
    *,
    sheet: str = "Sheet1",
    title: str | None = None,
    groups: Sequence[tuple[int, int, str]] = (),
    extra_sheets: dict[str, Sequence[Sequence[Any]]] | None = None,
) -> bytes:
    """A workbook whose first sheet has an optional merged title row, an optional merged group
    row ((first_col, last_col, text) spans) and then `rows` (the header first). Dates are written
    as date cells; strings starting with "=" are written as formulas only via `Formula`."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"strings_to_numbers": False, "strings_to_formulas": False})
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    for name, sheet_rows in {sheet: rows, **(extra_sheets or {})}.items():
        ws = book.add_worksheet(name)
        r = 0
        width = max((len(x) for x in sheet_rows), default=1)
        if title and name == sheet:
            ws.merge_range(r, 0, r, max(width - 1, 1), title)
            r += 2  # a blank line under the title, like the ledgers people keep
        if groups and name == sheet:
            for first, last, text in groups:
                if first == last:
                    ws.write_string(r, first, text)
                else:
                    ws.merge_range(r, first, r, last, text)
            r += 1
        for values in sheet_rows:
            for c, value in enumerate(values):
                if isinstance(value, Formula):
                    ws.write_formula(r, c, value.formula, None, value.cached)
                elif isinstance(value, dt.date):
                    ws.write_datetime(r, c, value, date_format)
                elif isinstance(value, str):
                    ws.write_string(r, c, value)
                elif value is not None:
                    ws.write(r, c, value)
            r += 1
    book.close()
    return buffer.getvalue()


class Formula:
    def __init__(self, formula: str, cached: Any):
        self.formula, self.cached = formula, cached


def csv_bytes(rows: Sequence[Sequence[Any]], *, encoding: str = "utf-8", delimiter: str = ",") -> bytes:
    text = io.StringIO()
    csv.writer(text, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return text.getvalue().encode(encoding)


def png_bytes() -> bytes:
    """A real 1×1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\x00\x00\x00"))
        + chunk(b"IEND", b"")
    )


def zip_bomb_xlsx(inflated_mb: int = 64) -> bytes:
    """A structurally plausible .xlsx whose sheet XML inflates ~1000× (a run of spaces)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        zf.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook/>')
        with zf.open("xl/worksheets/sheet1.xml", "w") as member:
            member.write(b'<?xml version="1.0"?><worksheet><sheetData>')
            block = b" " * (1024 * 1024)
            for _ in range(inflated_mb):
                member.write(block)
            member.write(b"</sheetData></worksheet>")
    return buffer.getvalue()
