"""Export tables: the one way a list page (or `opscenter export`) turns a queryset into .xlsx.

A table is a tuple of `ExportColumn`s — the Chinese header, the `values()` path it reads, how the
cell is typed (`core.excel` kinds: dates, datetimes in Asia/Shanghai, fen shown as yuan …) and an
optional code → label map for choices. `export_rows` reads the queryset once, as
`.values_list(...).iterator()` in chunks, so an export costs one query whatever its length and
the same memory for 100 rows as for 100 000; `core.excel` neutralises formula-like text.

This module depends on `core` only, so any app's views can use it:

    STAFF = (ExportColumn("工号", "employee_no"), ExportColumn("入职日期", "hired_on", "date"))
    return export_response("员工.xlsx", STAFF, staff_list(user=request.user), sheet_name="员工")
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.db.models import QuerySet
from django.http import FileResponse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from opscenter.core.excel import Column, ColumnKind, write_xlsx, xlsx_response

CHUNK = 2000


@dataclass(frozen=True)
class ExportColumn:
    """One column: header, the `values()` path read, the cell kind, choice labels, a converter."""

    header: str
    field: str
    kind: ColumnKind = "text"
    labels: Mapping[Any, str] | None = None
    convert: Callable[[Any], Any] | None = None
    width: int | None = None

    @property
    def column(self) -> Column:
        # str(): tables are module constants, their headers translated when written
        return Column(str(self.header), self.kind, self.width)

    def cell(self, value: Any) -> Any:
        if self.labels is not None and value is not None:
            value = self.labels.get(value, value)
            if isinstance(value, Promise):
                value = str(value)
        if self.convert is not None:
            value = self.convert(value)
        return value


def choice_labels(model, field: str) -> dict[Any, str]:
    """Code → label of a model field's choices (as the page shows them; translated when written)."""
    return dict(model._meta.get_field(field).choices)


def joined(values: Sequence[str] | None) -> str:
    """A list (tags) as one cell, the way the import reads it back."""
    return _("、").join(values or [])


def export_rows(table: Sequence[ExportColumn], queryset: QuerySet) -> Iterator[list[Any]]:
    """The table's rows from `queryset` (its filters, scoping and order kept): one query."""
    fields = list(dict.fromkeys(c.field for c in table))
    at = [fields.index(c.field) for c in table]
    values = queryset.select_related(None).prefetch_related(None).values_list(*fields)
    for row in values.iterator(chunk_size=CHUNK):
        yield [column.cell(row[i]) for column, i in zip(table, at, strict=True)]


def write_table(
    target: str | IO[bytes], table: Sequence[ExportColumn], queryset: QuerySet, *, sheet_name: str
) -> int:
    """Write the table to a path or binary file; returns the row count."""
    return write_xlsx(
        target, columns=[c.column for c in table], rows=export_rows(table, queryset), sheet_name=sheet_name
    )


def export_response(
    title: str, table: Sequence[ExportColumn], queryset: QuerySet, *, sheet_name: str | None = None
) -> FileResponse:
    """The download of a list page: `<title>_<yyyymmdd>.xlsx`, spooled through a temp file."""
    filename = f"{title}_{timezone.localdate():%Y%m%d}.xlsx"
    return xlsx_response(
        filename,
        columns=[c.column for c in table],
        rows=export_rows(table, queryset),
        sheet_name=sheet_name or title,
    )
