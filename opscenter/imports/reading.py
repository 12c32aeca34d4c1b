"""`read_table`: any accepted upload → a header and a stream of data rows with their row numbers.

Excel files go through python-calamine (cached values only: a formula is never evaluated, a text
cell starting with "=" stays text); CSV through the csv module after encoding and delimiter
detection. Then, the same for both: title rows are skipped, the header row is found by matching
field aliases (a two-level header keeps its upper group row as context), blank lines, repeated
header lines and total rows (合计/总计/小计) are dropped, and every row keeps the number the user
sees in Excel (1-based) for error reports.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

import python_calamine
from django.utils.translation import gettext as _

from opscenter.imports import constants as C
from opscenter.imports.exceptions import UnreadableFile
from opscenter.imports.filetypes import (
    Limits,
    Source,
    count_lines,
    detect_encoding,
    detect_format,
    open_source,
)
from opscenter.imports.mapping import header_key, header_keys
from opscenter.imports.values import is_blank, normalize_key, normalize_text

_DELIMITERS = (",", "\t", ";", "|")
LONG_CELL_PREVIEW = 50


@dataclass(slots=True)
class Row:
    """One data row: `values` aligned with `Table.headers`; `long_cells` are cut-off cell indexes."""

    row_no: int
    values: list[Any]
    long_cells: tuple[int, ...] = ()


@dataclass
class Table:
    """A readable sheet. `rows` is a one-shot iterator; `skipped` fills up while it is consumed."""

    filename: str
    format: str
    sheet: str | None
    sheet_names: list[str]
    headers: list[str]
    groups: list[str]
    header_row_no: int | None
    total_rows: int | None
    rows: Iterator[Row]
    encoding: str | None = None
    delimiter: str | None = None
    skipped: list[tuple[int, str]] = field(default_factory=list)


def list_sheets(source: Source, *, filename: str, limits: Limits | None = None) -> list[str]:
    """Sheet names of a workbook ([] for CSV)."""
    limits = limits or Limits()
    handle = open_source(source)
    try:
        if detect_format(handle, filename, limits) == "csv":
            return []
        return list(_workbook(handle).sheet_names)
    finally:
        if handle is not source:
            handle.close()


def read_table(
    source: Source,
    *,
    filename: str,
    sheet: str | int | None = None,
    header_hints: Collection[str] = (),
    limits: Limits | None = None,
) -> Table:
    """Open `source` (path, bytes or binary file) and locate its header.

    `header_hints` are header texts the caller would map (all aliases of the kind's fields); the
    row matching most of them is the header. Raises `UnreadableFile` for anything unsafe or broken.
    """
    limits = limits or Limits()
    handle = open_source(source)
    fmt = detect_format(handle, filename, limits)
    encoding = delimiter = None
    sheet_name: str | None = None
    sheet_names: list[str] = []
    if fmt == "csv":
        encoding = detect_encoding(handle)
        delimiter = _sniff_delimiter(handle, encoding)
        total = count_lines(handle)
        raw = _csv_rows(handle, encoding, delimiter)
    else:
        workbook = _workbook(handle)
        sheet_names = list(workbook.sheet_names)
        sheet_obj = _sheet(workbook, sheet, sheet_names)
        sheet_name = sheet_obj.name
        total = sheet_obj.total_height
        raw = _excel_rows(sheet_obj)
    hints = {header_key(h) for h in header_hints} - {""}
    headers, groups, header_row_no, rest = _locate_header(raw, hints)
    if fmt != "csv" and sheet is None and hints and not _matches(headers, hints):
        _refuse_wrong_sheet(workbook, sheet_name, sheet_names, hints)
    table = Table(
        filename=filename,
        format=fmt,
        sheet=sheet_name,
        sheet_names=sheet_names,
        headers=headers,
        groups=groups,
        header_row_no=header_row_no,
        total_rows=max(total - (header_row_no or 0), 0) if total is not None else None,
        rows=iter(()),
        encoding=encoding,
        delimiter=delimiter,
    )
    table.rows = _data_rows(rest, table, limits)
    return table


def _matches(headers: list[str], hints: set[str]) -> int:
    return sum(1 for h in headers if h and any(k in hints for k in header_keys(h)))


def _refuse_wrong_sheet(workbook, first: str | None, names: list[str], hints: set[str]) -> None:
    """No column of the first sheet is one we know, but another sheet's are: the data is there.
    Say so rather than report every required column missing."""
    for name in names:
        if name == first:
            continue
        headers, *_rest = _locate_header(_excel_rows(workbook.get_sheet_by_name(name)), hints)
        if _matches(headers, hints):
            raise UnreadableFile(
                _(
                    "第一个工作表“%(first)s”里没有可识别的列，数据在工作表“%(name)s”：请在“工作表”中填写“%(name)s”后重新上传"
                )
                % {"first": first, "name": name},
                field="sheet",
                log_message=f"data on sheet {name!r}, not the first",
            )


# --- sources ----------------------------------------------------------------------------------
def _workbook(handle: IO[bytes]) -> python_calamine.CalamineWorkbook:
    try:
        return python_calamine.CalamineWorkbook.from_filelike(handle)
    except python_calamine.PasswordError as exc:
        raise UnreadableFile(
            _("文件有密码保护，请取消密码后再导入"), log_message="password protected"
        ) from exc
    except Exception as exc:  # calamine raises several error types for broken files
        raise UnreadableFile(
            _("Excel 文件已损坏或格式不受支持，无法读取"), log_message=f"calamine: {exc}"
        ) from exc


def _sheet(workbook, wanted: str | int | None, names: list[str]):
    if not names:
        raise UnreadableFile(_("工作簿中没有工作表"), log_message="no sheets")
    try:
        if wanted is None or wanted == "":
            return workbook.get_sheet_by_index(0)
        if isinstance(wanted, int) or (isinstance(wanted, str) and wanted.isdigit() and wanted not in names):
            return workbook.get_sheet_by_index(int(wanted))
        return workbook.get_sheet_by_name(str(wanted))
    except (IndexError, python_calamine.WorksheetNotFound) as exc:
        raise UnreadableFile(
            _("工作表“%(wanted)s”不存在，可选：%(join)s") % {"wanted": wanted, "join": _("、").join(names)},
            field="sheet",
            log_message=f"no sheet {wanted!r}",
        ) from exc
    except Exception as exc:
        raise UnreadableFile(_("工作表无法读取"), log_message=f"calamine sheet: {exc}") from exc


def _excel_rows(sheet) -> Iterator[tuple[int, list[Any]]]:
    try:
        for index, values in enumerate(sheet.iter_rows()):
            yield index + 1, values
    except Exception as exc:
        raise UnreadableFile(
            _("Excel 文件读取中断（文件损坏）"), log_message=f"calamine rows: {exc}"
        ) from exc


def _sniff_delimiter(handle: IO[bytes], encoding: str) -> str:
    """The delimiter giving the most lines with the same (> 1) number of fields in the first lines."""
    handle.seek(0)
    sample = handle.read(64 * 1024).decode(encoding, errors="ignore")
    handle.seek(0)
    lines = [line for line in sample.splitlines()[:50] if line.strip()]
    if len(lines) > 1 and not sample.endswith("\n"):
        lines = lines[:-1]
    best, best_score = ",", (0, 0)
    for delimiter in _DELIMITERS:
        counts = [len(r) for r in csv.reader(lines, delimiter=delimiter)]
        common = max(set(counts), key=counts.count) if counts else 1
        score = (counts.count(common) if common > 1 else 0, common)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _csv_rows(handle: IO[bytes], encoding: str, delimiter: str) -> Iterator[tuple[int, list[Any]]]:
    # Long cells are cut later with a row error; the csv module must not abort on them first.
    csv.field_size_limit(max(csv.field_size_limit(), 1 << 30))
    text = io.TextIOWrapper(handle, encoding=encoding, newline="")
    try:
        for index, values in enumerate(csv.reader(text, delimiter=delimiter)):
            yield index + 1, values
    except csv.Error as exc:
        raise UnreadableFile(
            _("CSV 文件格式错误：%(exc)s") % {"exc": exc}, log_message=f"csv: {exc}"
        ) from exc
    finally:
        text.close()


# --- header detection -------------------------------------------------------------------------
def _cell_text(value: Any) -> str:
    return normalize_text(value).replace("\n", "").replace("\r", "") if isinstance(value, str) else ""


def _filled(values: list[Any]) -> int:
    return sum(1 for v in values if not is_blank(v))


def _locate_header(
    raw: Iterator[tuple[int, list[Any]]], hints: set[str]
) -> tuple[list[str], list[str], int | None, Iterator[tuple[int, list[Any]]]]:
    """Find the header among the first non-blank rows. Returns headers, groups, its row number and
    the remaining rows (data after the header)."""
    head: list[tuple[int, list[Any]]] = []
    for row_no, values in raw:
        if _filled(values):
            head.append((row_no, values))
            if len(head) >= C.HEADER_SEARCH_ROWS:
                break
    if not head:
        return [], [], None, iter(())
    width = max(len(v) for _, v in head)

    def score(texts: list[str]) -> tuple[int, int]:
        matches = sum(1 for t in texts if t and any(k in hints for k in header_keys(t)))
        return matches, sum(1 for t in texts if t)

    texts = [[_cell_text(v) for v in values] + [""] * (width - len(values)) for _, values in head]
    scores = [score(t) for t in texts]
    if hints and max(s[0] for s in scores) > 0:
        # A single row, or a pair of adjacent rows where the lower row's blanks are header cells
        # merged down from the upper row; a pair must match strictly more to win.
        keys = {i: (scores[i][0], 1, -i) for i in range(len(head))}
        for i in range(1, len(head)):
            if head[i - 1][0] == head[i][0] - 1:
                pair = [low or up for low, up in zip(texts[i], texts[i - 1], strict=True)]
                keys[i] = max(keys[i], (score(pair)[0], 0, -i))
        pick = max(keys, key=keys.__getitem__)
    else:
        # No hints or no match: the first row that is not a lone title and is mostly text.
        candidates = [i for i, s in enumerate(scores) if s[1] >= 2 and s[1] * 2 >= _filled(head[i][1])]
        pick = candidates[0] if candidates else 0
    header_row_no, header_values = head[pick]
    headers = [_cell_text(v) if isinstance(v, str) else normalize_text(v) for v in header_values]
    headers += [""] * (width - len(headers))
    groups = [""] * width
    if pick > 0:
        upper = head[pick - 1][1]
        upper_texts = [_cell_text(v) for v in upper] + [""] * (width - len(upper))
        if sum(1 for t in upper_texts if t) >= 2 and head[pick - 1][0] == header_row_no - 1:
            current = ""
            for i, text in enumerate(upper_texts):
                if text and not headers[i]:
                    headers[i] = text  # a header cell merged down over both rows
                    current = ""
                    continue
                current = text or current
                groups[i] = current
    headers = [h or _("第%(value)s列") % {"value": i + 1} for i, h in enumerate(headers)]
    rest = itertools.chain((r for r in head[pick + 1 :]), raw)
    return headers, groups, header_row_no, rest


_TOTAL_STARTS = frozenset(w[:2] for w in C.TOTAL_WORDS)


def _is_total(values: list[Any]) -> bool:
    for value in values:
        if not is_blank(value):
            if not isinstance(value, str) or value.strip()[:2].lower() not in _TOTAL_STARTS:
                return False  # cheap test first: this runs on every row of a million-row file
            return normalize_key(value).startswith(C.TOTAL_WORDS)
    return False


def _has_data(values: list[Any]) -> bool:
    for value in values:
        if value is None:
            continue
        if value.__class__ is not str or value.strip():
            return True
    return False


def _data_rows(rest: Iterator[tuple[int, list[Any]]], table: Table, limits: Limits) -> Iterator[Row]:
    width = len(table.headers)
    header_keys_ = [header_key(h) for h in table.headers]
    first_key = header_keys_[0] if header_keys_ else ""
    # A repeated header line starts like the header; a first cell starting with a digit (a phone,
    # a date) cannot, unless the header does too — that saves normalising every first cell.
    digit_header = first_key[:1].isdigit()
    max_chars = limits.max_cell_chars
    # CSV cells are all text: the length bound is a C-level sum (Excel cells may be numbers).
    longest = (lambda values: sum(map(len, values))) if table.format == "csv" else _longest
    for row_no, values in rest:
        first = values[0] if values else None
        if not digit_header and first.__class__ is str and first[:1].isdigit():
            # The usual data row, a phone or a date first: it has data, and a total row or a
            # repeated header cannot start with a digit (unless the header does): skip the checks.
            if len(values) != width:
                values = [*values, *([""] * (width - len(values)))] if len(values) < width else values[:width]
        else:
            if not _has_data(values):
                continue
            if len(values) < width:
                values = [*values, *([""] * (width - len(values)))]
            elif len(values) > width:
                values = values[:width]
            if _is_total(values):
                table.skipped.append((row_no, _("合计行")))
                continue
            first = values[0]
            if (
                isinstance(first, str)
                and (digit_header or not first.lstrip()[:1].isdigit())
                and header_key(first) == first_key
                and [header_key(v) if isinstance(v, str) else "" for v in values] == header_keys_
            ):
                table.skipped.append((row_no, _("重复的表头行")))
                continue
        long_cells = (
            tuple(i for i, v in enumerate(values) if isinstance(v, str) and len(v) > max_chars)
            if longest(values) > max_chars
            else ()
        )
        if long_cells:
            values = list(values)
            for i in long_cells:
                values[i] = values[i][:LONG_CELL_PREVIEW] + "…"
        yield Row(row_no, values, long_cells)


def _longest(values: list[Any]) -> int:
    """An upper bound of the longest text cell (the sum of the text lengths)."""
    total = 0
    for value in values:
        if value.__class__ is str:
            total += len(value)
    return total
