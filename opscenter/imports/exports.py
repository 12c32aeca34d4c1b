"""Exports in the import format: the same Chinese headers the import maps, so an exported file
imports again unchanged (customers, transactions). Rows stream from `.values_list().iterator()`
into `core.excel.write_xlsx` (constant memory, formula-like text neutralised)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.db.models import QuerySet

from opscenter.core.excel import Column, write_xlsx
from opscenter.pipeline.models import Customer, Transaction

CATEGORY_LABELS = dict(Transaction._meta.get_field("category").choices)
KIND_LABELS = dict(Transaction._meta.get_field("kind").choices)
GENDER_LABELS = dict(Customer._meta.get_field("gender").choices)


@dataclass(frozen=True)
class ExportSpec:
    columns: list[Column]
    query: Callable[[int | None, dt.date | None, dt.date | None], QuerySet]
    row: Callable[[tuple], list[Any]]


def _customers(site_id, date_from, date_to) -> QuerySet:
    qs = Customer.objects.filter(is_deleted=False).order_by("id")
    if site_id:
        qs = qs.filter(site_id=site_id)
    if date_from:
        qs = qs.filter(created_at__date__gte=date_from)
    if date_to:
        qs = qs.filter(created_at__date__lte=date_to)
    return qs.values_list(
        "name",
        "phone",
        "gender",
        "age",
        "birthday",
        "profession",
        "city",
        "channel__name",
        "owner__employee_no",
        "tags",
        "note",
    )


def _customer_row(r: tuple) -> list[Any]:
    name, phone, gender, age, birthday, profession, city, channel, owner, tags, note = r
    return [
        name,
        phone,
        GENDER_LABELS.get(gender, ""),
        age,
        birthday,
        profession,
        city,
        channel or "",
        owner or "",
        "、".join(tags or []),
        note,
    ]


def _transactions(site_id, date_from, date_to) -> QuerySet:
    qs = Transaction.objects.order_by("id")
    if site_id:
        qs = qs.filter(site_id=site_id)
    if date_from:
        qs = qs.filter(occurred_on__gte=date_from)
    if date_to:
        qs = qs.filter(occurred_on__lte=date_to)
    return qs.values_list(
        "customer__phone",
        "customer__name",
        "occurred_on",
        "item",
        "category",
        "sessions",
        "amount_fen",
        "kind",
    )


def _transaction_row(r: tuple) -> list[Any]:
    phone, name, day, item, category, sessions, fen, kind = r
    return [
        phone,
        name,
        day,
        item,
        CATEGORY_LABELS.get(category, category),
        sessions,
        fen,
        KIND_LABELS.get(kind, kind),
    ]


EXPORTS: dict[str, ExportSpec] = {
    "customers": ExportSpec(
        [
            Column("姓名"),
            Column("电话"),
            Column("性别"),
            Column("年龄", "int"),
            Column("出生日期", "date"),
            Column("职业"),
            Column("所在城市"),
            Column("渠道"),
            Column("归属咨询师"),
            Column("标签"),
            Column("备注", width=40),
        ],
        _customers,
        _customer_row,
    ),
    "transactions": ExportSpec(
        [
            Column("电话"),
            Column("客户姓名"),
            Column("消费日期", "date"),
            Column("项目"),
            Column("类别"),
            Column("次数", "int"),
            Column("金额", "yuan"),
            Column("类型"),
        ],
        _transactions,
        _transaction_row,
    ),
}


def export_rows(kind: str, *, site_id=None, date_from=None, date_to=None) -> Iterator[list[Any]]:
    spec = EXPORTS[kind]
    for row in spec.query(site_id, date_from, date_to).iterator(chunk_size=5000):
        yield spec.row(row)


def write_export(kind: str, target: str | IO[bytes], *, site_id=None, date_from=None, date_to=None) -> int:
    """Write the kind's rows (filters applied) as .xlsx with Chinese headers; returns the count."""
    spec = EXPORTS[kind]
    rows = export_rows(kind, site_id=site_id, date_from=date_from, date_to=date_to)
    return write_xlsx(target, columns=spec.columns, rows=rows, sheet_name=kind)
