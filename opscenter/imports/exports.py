"""Exports in the import format: for each kind, one column per field of its import template,
headed by the same Chinese label, so an exported file imports again unchanged. References are
written the way the import resolves them (staff by 工号, channels and departments by name),
choices by their Chinese label. Rows stream through `imports.tables` (one query, constant memory,
formula-like text neutralised)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any

from django.db.models import QuerySet

from opscenter.core.excel import ColumnKind
from opscenter.imports.kinds import get_kind
from opscenter.imports.tables import ExportColumn, choice_labels, joined, write_table
from opscenter.org.models import Staff
from opscenter.pipeline.models import Consultation, Customer, Deal, Exit, FollowUp, Transaction, Visit

# The cell kind of each import field type: what the import parses back to the same value.
CELL_KIND: dict[str, ColumnKind] = {
    "text": "text",
    "phone": "text",
    "choice": "text",
    "int": "int",
    "age": "int",
    "date": "date",
    "datetime": "datetime",
    "amount": "yuan",
    "bool": "bool",
}
Source = str | tuple[str, dict[str, Any]]


def import_format(kind: str, sources: dict[str, Source]) -> tuple[ExportColumn, ...]:
    """The kind's template columns, each read from `sources[field]`: a `values()` path, or
    (path, ExportColumn options such as labels). Every field of the kind must have a source."""
    columns = []
    for field in get_kind(kind).fields:
        source = sources[field.name]
        path, options = (source, {}) if isinstance(source, str) else source
        columns.append(ExportColumn(field.label_zh, path, CELL_KIND[field.type], **options))
    return tuple(columns)


def _labels(model, field: str) -> tuple[str, dict[str, Any]]:
    return field, {"labels": choice_labels(model, field)}


CUSTOMER = {"phone": "customer__phone", "customer_name": "customer__name"}

FORMATS: dict[str, tuple[ExportColumn, ...]] = {
    "customers": import_format(
        "customers",
        {
            "name": "name",
            "phone": "phone",
            "gender": _labels(Customer, "gender"),
            "age": "age",
            "birthday": "birthday",
            "profession": "profession",
            "city": "city",
            "channel": "channel__name",
            "owner": "owner__employee_no",
            "tags": ("tags", {"convert": joined}),
            "note": ("note", {"width": 40}),
        },
    ),
    "transactions": import_format(
        "transactions",
        {
            **CUSTOMER,
            "occurred_on": "occurred_on",
            "item": "item",
            "category": _labels(Transaction, "category"),
            "sessions": "sessions",
            "amount_fen": "amount_fen",
            "kind": _labels(Transaction, "kind"),
            "receipt_no": "receipt_no",
        },
    ),
    "exits": import_format(
        "exits",
        {**CUSTOMER, "exited_on": "exited_on", "reason": "reason__name", "note": ("note", {"width": 40})},
    ),
    "consultations": import_format(
        "consultations",
        {
            "occurred_at": "occurred_at",
            "customer_name": "customer__name",
            "phone": "customer__phone",
            "mode": _labels(Consultation, "mode"),
            "content": ("content", {"width": 40}),
            "intent": _labels(Consultation, "intent"),
            "staff": "staff__employee_no",
            "next_step": "next_step",
        },
    ),
    "visits": import_format(
        "visits",
        {
            **CUSTOMER,
            "arrived_at": "arrived_at",
            "source": _labels(Visit, "source"),
            "kind": _labels(Visit, "kind"),
            "onsite_consultant": "onsite_consultant__employee_no",
            "outcome": _labels(Visit, "outcome"),
            "note": "note",
        },
    ),
    "deals": import_format(
        "deals",
        {
            **CUSTOMER,
            "signed_on": "signed_on",
            "amount_fen": "amount_fen",
            "consultant": "consultant__employee_no",
            "stay_type": _labels(Deal, "stay_type"),
            "care_zone": _labels(Deal, "care_zone"),
            "note": "note",
        },
    ),
    "followups": import_format(
        "followups",
        {
            **CUSTOMER,
            "scheduled_on": "scheduled_on",
            "channel": _labels(FollowUp, "channel"),
            "staff": "staff__employee_no",
            "done_on": "done_on",
            "outcome": _labels(FollowUp, "outcome"),
            "satisfaction": _labels(FollowUp, "satisfaction"),
            "note": ("note", {"width": 40}),
        },
    ),
    "staff": import_format(
        "staff",
        {
            "employee_no": "employee_no",
            "name": "name",
            "phone": "phone",
            "department": "department__name",
            "team": "team__name",
            "position": "position__name",
            "hired_on": "hired_on",
            "left_on": "left_on",
            "is_active": "is_active",
        },
    ),
}


@dataclass(frozen=True)
class ExportSource:
    """Where the CLI reads a kind's rows: the base queryset, its site path and its date path
    (`--from`/`--to` filter on that date, inclusive)."""

    queryset: Callable[[], QuerySet]
    site_path: str
    date_path: str


SOURCES: dict[str, ExportSource] = {
    "customers": ExportSource(
        lambda: Customer.objects.filter(is_deleted=False), "site_id", "created_at__date"
    ),
    "transactions": ExportSource(Transaction.objects.all, "site_id", "occurred_on"),
    "consultations": ExportSource(Consultation.objects.all, "site_id", "occurred_at__date"),
    "visits": ExportSource(Visit.objects.all, "site_id", "arrived_at__date"),
    "deals": ExportSource(Deal.objects.all, "site_id", "signed_on"),
    "followups": ExportSource(FollowUp.objects.all, "site_id", "scheduled_on"),
    "exits": ExportSource(Exit.objects.all, "site_id", "exited_on"),
    "staff": ExportSource(Staff.objects.all, "department__site_id", "hired_on"),
}
EXPORTS = FORMATS  # the kinds `opscenter export` knows


def export_queryset(
    kind: str, *, site_id: int | None = None, date_from: dt.date | None = None, date_to: dt.date | None = None
) -> QuerySet:
    source = SOURCES[kind]
    qs = source.queryset().order_by("pk")
    if site_id:
        qs = qs.filter(**{source.site_path: site_id})
    if date_from:
        qs = qs.filter(**{f"{source.date_path}__gte": date_from})
    if date_to:
        qs = qs.filter(**{f"{source.date_path}__lte": date_to})
    return qs


def write_export(kind: str, target: str | IO[bytes], *, site_id=None, date_from=None, date_to=None) -> int:
    """Write the kind's rows (filters applied) as .xlsx in its import format; returns the count."""
    qs = export_queryset(kind, site_id=site_id, date_from=date_from, date_to=date_to)
    return write_table(target, FORMATS[kind], qs, sheet_name=get_kind(kind).label_zh)
