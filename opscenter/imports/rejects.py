"""The rejected rows of an import as an Excel file: the original cells plus an error column.

The rows are read again from the kept file (only their numbers and messages are held in memory),
and written with `core.excel.write_xlsx`, which neutralises formula-like text (=, +, -, @, tab, CR)
so a rejected `=HYPERLINK(…)` cannot run when the user opens the file.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO

from django.utils.translation import gettext as _

from opscenter.core.excel import Column, write_xlsx
from opscenter.imports.engine import RowError, _display, iter_error_rows
from opscenter.imports.reading import Table


def write_rejected_rows(table: Table, errors: Iterable[RowError], target: str | IO[bytes]) -> int:
    """Write every row of `table` that has errors, with 原行号 and 错误原因 columns. Returns the count."""
    messages = iter_error_rows(errors)
    columns = [
        Column(_("原行号"), "int"),
        *(Column(h) for h in table.headers),
        Column(_("错误原因"), width=60),
    ]

    def rows():
        for row in table.rows:
            message = messages.get(row.row_no)
            if message is not None:
                yield [row.row_no, *(_display(v) for v in row.values), message]

    return write_xlsx(target, columns=columns, rows=rows(), sheet_name=_("未导入的行"))
