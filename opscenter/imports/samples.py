"""The downloadable template of a kind: its headers (Chinese labels) and one example row."""

# i18n: data module — example cell values of the Chinese import template.

from __future__ import annotations

import datetime as dt
from typing import IO, Any

from opscenter.core.excel import Column, write_xlsx
from opscenter.imports.engine import Field, ImportKind

_BY_TYPE: dict[str, Any] = {
    "text": "示例",
    "int": 1,
    "age": 80,
    "date": dt.date(2024, 3, 2),
    "datetime": "2024-03-02 09:30",
    "amount": "3800.00",
    "phone": "13800138000",
    "bool": "是",
    "id_number": "11010519491231002X",
}
_BY_REFERENCE = {"staff": "张三", "channel": "转介绍", "department": "市场部", "team": "一组", "position": ""}


def example(fld: Field) -> Any:
    if fld.example is not None:
        return fld.example
    if fld.reference:
        return _BY_REFERENCE.get(fld.reference, "")
    if fld.type == "choice":
        return next((str(k) for k in (fld.choices or {}) if not str(k).isascii()), "")
    return _BY_TYPE.get(fld.type, "")


def write_template(kind: ImportKind, target: str | IO[bytes]) -> int:
    columns = [
        Column(f.label_zh + ("*" if f.required else ""), "date" if f.type == "date" else "text")
        for f in kind.fields
    ]
    return write_xlsx(
        target, columns=columns, rows=[[example(f) for f in kind.fields]], sheet_name=kind.label_zh
    )
