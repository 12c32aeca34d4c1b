"""The import engine: declarative kinds, and one run loop for dry runs and commits.

A kind (`ImportKind` subclass, registered in `kinds`) declares its fields with aliases and a
value type, its natural key, and four hooks called once per batch of rows:

    resolve_references(batch, ctx)   one query per reference type (channels, staff, customers)
    validate_row(row, ctx)           row rules after references are known
    find_existing(batch, ctx)        one query: which rows would update / are already there
    write(batch, ctx)                bulk INSERT/UPDATE (executemany / COPY, see `bulk.py`)

`run_import` streams the table in batches: parse → resolve → validate → de-duplicate within the
file → find existing → write. A commit is one transaction: with on_error="stop" any row error
rolls the whole import back (and nothing more is written after the first error); with "skip"
the valid rows are written and the bad rows reported.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opscenter.imports import constants as C
from opscenter.imports import hooks
from opscenter.imports import values as V
from opscenter.imports.bulk import bulk_session
from opscenter.imports.columns import column_parser, parse_column
from opscenter.imports.mapping import MappingResult, map_headers
from opscenter.imports.reading import Row, Table

ON_ERROR_CHOICES = ("stop", "skip")
CREATE, UPDATE, UNCHANGED = "create", "update", "unchanged"


@dataclass(frozen=True)
class Field:
    """One importable field: how its column is recognised and how its cells are parsed.

    `type`: text | int | age | date | datetime | amount | phone | choice | bool | id_number. `reference` names
    what the kind resolves the parsed text to (documentation and the mapping screen).
    """

    name: str
    label_zh: str
    aliases: tuple[str, ...] = ()
    type: str = "text"
    required: bool = False
    choices: Mapping[str, Any] | None = None
    max_length: int | None = None
    minimum: int | None = None
    maximum: int | None = None
    reference: str | None = None
    example: Any = None  # the template's example cell (else one is made up from the type)

    def parse(self, raw: Any, options: ImportOptions) -> V.Result:
        kind = self.type
        if kind == "text":
            return V.parse_text(raw, max_length=self.max_length, label=self.label_zh)
        if kind == "date":
            return V.parse_date(raw, default_year=options.default_year)
        if kind == "datetime":
            return V.parse_datetime(raw, default_year=options.default_year)
        if kind == "amount":
            return V.parse_amount_fen(raw)
        if kind == "phone":
            return V.parse_phone(raw)
        if kind == "age":
            return V.parse_age(raw)
        if kind == "int":
            return V.parse_int(raw, minimum=self.minimum, maximum=self.maximum, label=self.label_zh)
        if kind == "choice":
            return V.parse_choice(raw, self.choices or {}, label=self.label_zh)
        if kind == "bool":
            return V.parse_bool(raw, label=self.label_zh)
        if kind == "id_number":  # 居民身份证号 (check character, birth date): core.idnumbers
            from opscenter.core.idnumbers import parse_id_number

            return parse_id_number(raw)
        raise ValueError(f"unknown field type {kind!r}")


@dataclass(frozen=True)
class ImportOptions:
    """What the user chose on the upload screen (or on the command line)."""

    on_error: str = "stop"
    create_missing_channels: bool = False
    create_missing_customers: bool = False
    default_year: int | None = None
    sheet: str | None = None
    mapping: Mapping[str, str] | None = None  # header → field name (a saved or edited mapping)

    def as_json(self) -> dict[str, Any]:
        return {
            "on_error": self.on_error,
            "create_missing_channels": self.create_missing_channels,
            "create_missing_customers": self.create_missing_customers,
            "default_year": self.default_year,
            "sheet": self.sheet,
        }


@dataclass
class RowError:
    row_no: int
    column: str
    value: str
    message: str


class RowLayout:
    """Where each mapped field sits in a row and under which header: shared by every row of a run."""

    __slots__ = ("headers", "indexes")

    def __init__(self, columns: Iterable[tuple[int, Field, str]] = ()):
        self.indexes: dict[str, int] = {}
        self.headers: dict[str, str] = {}
        for index, fld, header in columns:
            self.indexes[fld.name] = index
            self.headers[fld.name] = header


_NO_LAYOUT = RowLayout()


@dataclass(slots=True)
class ParsedRow:
    """A data row on its way through the hooks. `values` holds parsed (then resolved) values;
    `cells` the row as read, `layout` (shared) says which cell and header belong to a field."""

    row_no: int
    cells: list[Any]
    values: dict[str, Any]
    layout: RowLayout = _NO_LAYOUT
    errors: list[RowError] = field(default_factory=list)
    action: str = ""
    existing_id: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def raw_value(self, field_name: str) -> Any:
        index = self.layout.indexes.get(field_name)
        return self.cells[index] if index is not None and index < len(self.cells) else ""

    def error(self, field_name: str, message: str, *, column: str | None = None) -> None:
        self.errors.append(
            RowError(
                self.row_no,
                column if column is not None else self.layout.headers.get(field_name, field_name),
                _display(self.raw_value(field_name)),
                message,
            )
        )

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class ImportContext:
    """Everything a hook may need: the site, the acting user, the job id to stamp, and a cache."""

    kind: ImportKind
    options: ImportOptions
    site: Any = None
    actor: Any = None
    job_id: int | None = None
    dry_run: bool = True
    now: dt.datetime = field(default_factory=timezone.now)
    cache: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    written_customer_ids: set[int] = field(default_factory=set)  # for other apps' bookkeeping (hooks)

    @property
    def site_id(self) -> int | None:
        return getattr(self.site, "pk", None)

    @property
    def today(self) -> dt.date:
        """The local date of `now` (computed once: row rules compare against it per row)."""
        if "today" not in self.cache:
            self.cache["today"] = timezone.localdate(self.now)
        return self.cache["today"]


@dataclass
class DryRunReport:
    """The outcome of a dry run or a commit: counts, row errors, unknown columns, the mapping used."""

    kind: str
    rows_total: int = 0
    rows_ok: int = 0
    rows_error: int = 0
    would_create: int = 0
    would_update: int = 0
    unchanged: int = 0
    created: int = 0
    updated: int = 0
    committed: bool = False
    errors: list[RowError] = field(default_factory=list)
    errors_truncated: bool = False
    unknown_columns: list[str] = field(default_factory=list)
    duplicate_columns: list[str] = field(default_factory=list)
    missing_columns: list[str] = field(default_factory=list)
    skipped_rows: list[tuple[int, str]] = field(default_factory=list)
    mapping: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def fatal(self) -> bool:
        """A file-level problem (required columns missing): no row could be imported."""
        return bool(self.missing_columns)

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "rows_total": self.rows_total,
            "rows_ok": self.rows_ok,
            "rows_error": self.rows_error,
            "would_create": self.would_create,
            "would_update": self.would_update,
            "unchanged": self.unchanged,
            "created": self.created,
            "updated": self.updated,
            "committed": self.committed,
            "unknown_columns": self.unknown_columns,
            "duplicate_columns": self.duplicate_columns,
            "missing_columns": self.missing_columns,
            "skipped_rows": [list(s) for s in self.skipped_rows],
            "mapping": self.mapping,
            "notes": self.notes,
            "errors": [e.__dict__ for e in self.errors],
            "errors_truncated": self.errors_truncated,
        }


class ImportKind:
    """Base of the declarative import kinds. Subclasses set the class attributes and hooks."""

    name: ClassVar[str]
    label_zh: ClassVar[str]
    fields: ClassVar[tuple[Field, ...]]
    natural_key: ClassVar[tuple[str, ...]] = ()
    needs_site: ClassVar[bool] = True
    batch_size: ClassVar[int] = C.BATCH_SIZE
    # Django permission required to run this import ("pipeline.add_customer").
    permission: ClassVar[str] = ""
    # Identical rows are separate records (two sessions of the same item on one day): instead of
    # "与第 N 行重复", the k-th identical row of the file gets `row.extra["occurrence"] = k`, and
    # `find_existing` counts stored matches, so re-importing the file still creates nothing.
    occurrences_are_records: ClassVar[bool] = False

    @classmethod
    def aliases(cls) -> dict[str, tuple[str, ...]]:
        return {f.name: (f.label_zh, *f.aliases) for f in cls.fields}

    @classmethod
    def header_hints(cls) -> list[str]:
        return [alias for names in cls.aliases().values() for alias in names]

    @classmethod
    def required_fields(cls) -> list[str]:
        return [f.name for f in cls.fields if f.required]

    @classmethod
    def field(cls, name: str) -> Field:
        return next(f for f in cls.fields if f.name == name)

    def row_key(self, row: ParsedRow) -> tuple | None:
        """The natural key of a valid row (after references are resolved); None = no de-duplication."""
        if not self.natural_key:
            return None
        return tuple(row.values.get(name) for name in self.natural_key)

    def prepare_batch(self, batch: list[ParsedRow], ctx: ImportContext) -> None:
        """Before anything else, with every row of the batch (those with parse errors too): for
        kinds whose record spans several rows (an order and its lines) to fill a row's blank
        cells from its record's first row and note which records have a bad row."""

    def resolve_references(self, batch: list[ParsedRow], ctx: ImportContext) -> None:
        """Turn names/phones into ids, one query per reference type for the whole batch."""

    def validate_row(self, row: ParsedRow, ctx: ImportContext) -> None:
        """Row rules that need resolved references (add errors with `row.error`)."""

    def validate_rows(self, rows: list[ParsedRow], ctx: ImportContext) -> None:
        """`validate_row` for each row of a batch (rows so far without errors); a kind may
        override it with one loop of its own for speed, with the same results."""
        for row in rows:
            self.validate_row(row, ctx)

    def find_existing(self, batch: list[ParsedRow], ctx: ImportContext) -> None:
        """Set `row.action` (create / update / unchanged) and `row.existing_id`; one query."""
        for row in batch:
            row.action = CREATE

    def write(self, batch: list[ParsedRow], ctx: ImportContext) -> tuple[int, int]:
        """Bulk-write the valid rows of the batch; returns (created, updated)."""
        raise NotImplementedError

    def finish(self, ctx: ImportContext) -> None:
        """After the last batch, inside the transaction (set-based follow-up updates)."""

    def undo_blockers(self, job_id: int) -> list[str]:
        """Why the rows of this job cannot be removed (later records depend on them); [] = free."""
        return []

    def undo(self, job_id: int) -> int:
        """Delete the rows of this job; returns how many were removed."""
        raise NotImplementedError


class _StopRollback(Exception):
    """Raised inside the commit transaction to roll it back when on_error="stop" saw an error."""


def _display(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)[:200]


def map_table(kind: ImportKind, table: Table, saved: Mapping[str, str] | None = None) -> MappingResult:
    return map_headers(table.headers, kind.aliases(), required=kind.required_fields(), saved=saved)


def run_import(
    kind: ImportKind,
    table: Table,
    ctx: ImportContext,
    *,
    on_errors: Callable[[list[RowError]], None] | None = None,
    progress: Callable[[int, int | None], None] | None = None,
    max_errors_kept: int = 10_000,
) -> DryRunReport:
    """Validate every row of `table`; when `ctx.dry_run` is false also write, in one transaction."""
    if ctx.options.on_error not in ON_ERROR_CHOICES:
        raise ValueError(f"on_error must be one of {ON_ERROR_CHOICES}")
    mapping = map_table(kind, table, ctx.options.mapping)
    report = DryRunReport(
        kind=kind.name,
        unknown_columns=mapping.unknown,
        duplicate_columns=mapping.duplicates,
        missing_columns=[kind.field(n).label_zh for n in mapping.missing_required],
        mapping=mapping.as_header_map(),
    )
    if not table.headers:
        report.notes.append(_("文件中没有数据"))
        return report
    if report.fatal:
        return report
    if ctx.dry_run:
        _run_batches(kind, table, mapping, ctx, report, on_errors, progress, max_errors_kept)
    else:
        try:
            # The whole commit in one bulk session (SQLite's large page cache for the index
            # writes). Derived bookkeeping such as members' aggregates is not done here but by
            # follow-ups after the commit (`imports.followups`).
            with bulk_session(), transaction.atomic():
                _run_batches(kind, table, mapping, ctx, report, on_errors, progress, max_errors_kept)
                if report.rows_error and ctx.options.on_error == "stop":
                    raise _StopRollback
                hooks.rows_written(kind=kind.name, site_id=ctx.site_id, customer_ids=ctx.written_customer_ids)
                kind.finish(ctx)
                report.committed = True
        except _StopRollback:
            report.created = report.updated = 0
            report.committed = False
    report.skipped_rows = list(table.skipped)
    report.notes.extend(ctx.notes)
    return report


@contextlib.contextmanager
def _gc_paused():
    """Pause the cyclic garbage collector while batches run: each batch allocates hundreds of
    thousands of short-lived containers, and the collector would otherwise re-walk every live
    object over and over (a third of the run time). Reference counting still frees the rows;
    the few cycles left behind are collected when the run ends."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _run_batches(kind, table, mapping, ctx, report, on_errors, progress, max_errors_kept) -> None:
    with _gc_paused(), bulk_session():
        _run_batches_inner(kind, table, mapping, ctx, report, on_errors, progress, max_errors_kept)


def _run_batches_inner(kind, table, mapping, ctx, report, on_errors, progress, max_errors_kept) -> None:
    # In-file duplicates: hash of the natural key → first row number. A 64-bit hash keeps a
    # million keys in ~100 MB; a collision (odds ≈ n²/2⁶⁵, 3·10⁻⁸ for a million rows) would
    # show up as a reported duplicate row, never as a silently dropped one.
    seen: dict[int, int] = {}
    columns = [(index, kind.field(name), table.headers[index]) for index, name in mapping.columns.items()]
    layout = RowLayout(columns)
    parsers = [(index, fld, column_parser(fld, ctx.options)) for index, fld, _header in columns]
    batch: list[Row] = []
    writing = not ctx.dry_run
    size = kind.batch_size
    for row in table.rows:
        batch.append(row)
        if len(batch) >= size:
            parsed = _parse_batch(batch, parsers, layout, table.headers)
            writing = _process(kind, parsed, ctx, report, seen, writing, on_errors, max_errors_kept)
            batch = []
            if progress:
                progress(report.rows_total, table.total_rows)
    if batch:
        parsed = _parse_batch(batch, parsers, layout, table.headers)
        _process(kind, parsed, ctx, report, seen, writing, on_errors, max_errors_kept)
    if progress:
        progress(report.rows_total, report.rows_total)


def _parse_batch(rows: list[Row], parsers, layout: RowLayout, headers: list[str]) -> list[ParsedRow]:
    """Parse a batch column by column (see `columns.py`): one parser per column, cached results."""
    # Column by column, then each row's values dict in one go (`dict(zip(names, …))`): no Python
    # step per cell on the good path. Bad cells are rare: they are found per column (a C-level
    # count), then their values removed and their errors added, in column order as before.
    names = [fld.name for _index, fld, _parse in parsers]
    columns: list[tuple] = []
    bad: dict[int, list[tuple[Field, str | None]]] = {}
    for index, fld, parse in parsers:
        cells = [row.values[index] for row in rows]
        values, errors = zip(*parse_column(parse, cells), strict=True) if cells else ((), ())
        columns.append(values)
        if errors.count(None) != len(errors) or (fld.required and None in values):
            for i, (value, error) in enumerate(zip(values, errors, strict=True)):
                if error is not None or (value is None and fld.required):
                    bad.setdefault(i, []).append((fld, error))
    parsed = [
        ParsedRow(row.row_no, row.values, dict(zip(names, cells, strict=True)), layout)
        for row, cells in zip(rows, zip(*columns, strict=True) if columns else ((),) * len(rows), strict=True)
    ]
    for i, problems in bad.items():
        target = parsed[i]
        for fld, error in problems:
            del target.values[fld.name]
            target.error(
                fld.name,
                error if error is not None else _("%(label_zh)s不能为空") % {"label_zh": fld.label_zh},
            )
    long_rows = [(row, target) for row, target in zip(rows, parsed, strict=True) if row.long_cells]
    if long_rows:
        by_index = {index: fld.name for index, fld, _parse in parsers}
        for row, target in long_rows:
            target.errors = [e for e in target.errors if e.column not in {headers[i] for i in row.long_cells}]
            for index in row.long_cells:
                if index in by_index:
                    target.values.pop(by_index[index], None)
                    target.error(
                        by_index[index],
                        _("单元格内容过长（超过 %(MAX_CELL_CHARS)s 个字）")
                        % {"MAX_CELL_CHARS": C.MAX_CELL_CHARS},
                    )
                else:
                    target.errors.append(RowError(row.row_no, headers[index], "", _("单元格内容过长")))
    return parsed


def _process(kind, batch, ctx, report, seen, writing, on_errors, max_errors_kept) -> bool:
    kind.prepare_batch(batch, ctx)
    parsed_ok = [r for r in batch if not r.errors]
    kind.resolve_references(parsed_ok, ctx)
    kind.validate_rows([r for r in parsed_ok if not r.errors], ctx)
    valid = []
    ok_rows = [r for r in batch if not r.errors]
    if kind.occurrences_are_records:
        row_key = kind.row_key
        for row in ok_rows:
            key = row_key(row)
            if key is not None:
                digest = hash(key)
                seen[digest] = row.extra["occurrence"] = seen.get(digest, 0) + 1
        valid = ok_rows
        ok_rows = []
    for row in ok_rows:
        key = kind.row_key(row)
        if key is not None:
            digest = hash(key)
            first = seen.get(digest)
            if first is not None:
                row.errors.append(RowError(row.row_no, "", "", _("与第 %(first)s 行重复") % {"first": first}))
                continue
            seen[digest] = row.row_no
        valid.append(row)
    if valid:
        kind.find_existing(valid, ctx)
        valid = [r for r in valid if r.ok]  # find_existing may reject rows (a record spanning rows)
    batch_errors = [e for r in batch for e in r.errors]
    report.rows_total += len(batch)
    report.rows_error += sum(1 for r in batch if r.errors)
    report.rows_ok += len(valid)
    actions = [row.action for row in valid]
    creates, updates = actions.count(CREATE), actions.count(UPDATE)
    report.would_create += creates
    report.would_update += updates
    report.unchanged += len(actions) - creates - updates
    room = max_errors_kept - len(report.errors)
    report.errors.extend(batch_errors[: max(room, 0)])
    report.errors_truncated = report.errors_truncated or len(batch_errors) > room
    if on_errors and batch_errors:
        on_errors(batch_errors)
    if writing and batch_errors and ctx.options.on_error == "stop":
        writing = False  # the transaction will be rolled back; keep validating for the report
    to_write = [r for r in valid if r.action in (CREATE, UPDATE)]
    if writing and to_write:
        created, updated = kind.write(to_write, ctx)
        if hooks.has_written_hooks():
            ctx.written_customer_ids.update(
                r.values["customer_id"] for r in to_write if r.values.get("customer_id")
            )
        report.created += created
        report.updated += updated
    return writing


def iter_error_rows(errors: Iterable[RowError]) -> dict[int, str]:
    """row_no → all messages of that row joined (the error column of the rejected-rows file)."""
    out: dict[int, list[str]] = {}
    for error in errors:
        text = (
            _("%(column)s：%(message)s") % {"column": error.column, "message": error.message}
            if error.column
            else error.message
        )
        out.setdefault(error.row_no, []).append(text)
    return {row_no: _("；").join(messages) for row_no, messages in out.items()}
