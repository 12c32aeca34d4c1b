"""Set-based writes through Django's connection: `executemany` on SQLite, `COPY` on PostgreSQL.

Rows are tuples of Python values in the order of `columns` (model attnames). Values are adapted
once per column for the backend: dates and aware datetimes the way Django stores them, JSON as
text. No model instances, no signals: the import job records one audit event for the whole job.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import DatabaseError, connection, models


def _adapter(model: type[models.Model], attname: str, *, copy: bool) -> Callable[[Any], Any] | None:
    fld = next(f for f in model._meta.concrete_fields if f.attname == attname)
    kind = fld.get_internal_type()
    ops = connection.ops
    if kind == "JSONField":
        return lambda v: None if v is None else json.dumps(v, ensure_ascii=False)
    if copy:
        return None  # psycopg dumps date, datetime (aware), bool and int natively in COPY
    if kind == "DateTimeField":
        return ops.adapt_datetimefield_value
    if kind == "DateField":
        return ops.adapt_datefield_value
    return None


# Keys per array parameter on PostgreSQL (one query per chunk).
ARRAY_CHUNK = 50_000

# SQLite's default page cache is 2 MB: a million-row import touching four B-tree indexes at
# random (customer, date) positions would re-read pages from the OS on every batch.
SQLITE_BULK_CACHE_KIB = 256 * 1024


def _set_temp_store(cursor, value) -> bool:
    """SQLite refuses to move temporary storage once a transaction has opened its temp database;
    then the session keeps the connection's setting (the cache is what matters most)."""
    try:
        cursor.execute(f"PRAGMA temp_store = {value}")
    except DatabaseError:
        return False
    return True


_active: set[str] = set()  # connection aliases inside a bulk session (it is re-entrant)


@contextlib.contextmanager
def bulk_session():
    """Connection settings for a bulk write, restored afterwards: on SQLite a larger page cache
    and temporary B-trees (the GROUP BY of the member aggregates, DISTINCT) kept in memory.
    Re-entrant: an inner session leaves the outer one's settings alone."""
    alias = connection.alias
    if connection.vendor != "sqlite" or alias in _active:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        previous = cursor.fetchone()[0]
        cursor.execute("PRAGMA temp_store")
        previous_temp = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = -{SQLITE_BULK_CACHE_KIB}")
        temp_store = _set_temp_store(cursor, "MEMORY")
    _active.add(alias)
    try:
        yield
    finally:
        _active.discard(alias)
        if not connection.needs_rollback:  # else the connection is reset with the transaction
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA cache_size = {int(previous)}")
                if temp_store:
                    _set_temp_store(cursor, int(previous_temp))


def _memoized(adapt: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """Adapt each distinct value once: import columns repeat (one `created_at`, a few thousand dates)."""
    memo: dict[Any, Any] = {}

    def run(value: Any) -> Any:
        try:
            return memo[value]
        except KeyError:
            adapted = adapt(value)
            if len(memo) < 50_000:
                memo[value] = adapted
            return adapted
        except TypeError:  # unhashable (a JSON list)
            return adapt(value)

    return run


def _adapted(model, columns: Sequence[str], rows: Iterable[Sequence[Any]], *, copy: bool):
    adapters = [(i, _memoized(a)) for i, c in enumerate(columns) if (a := _adapter(model, c, copy=copy))]
    if not adapters:
        yield from rows
        return
    for row in rows:
        row = list(row)
        for i, adapt in adapters:
            if row[i] is not None:
                row[i] = adapt(row[i])
        yield row


def value_adapter(model: type[models.Model], attname: str) -> Callable[[Any], Any]:
    """Values of one column as the backend stores them (for hand-written WHERE clauses)."""
    adapt = _adapter(model, attname, copy=False)
    if adapt is None:
        return lambda value: value
    memoized = _memoized(adapt)
    return lambda value: None if value is None else memoized(value)


def select_in(
    sql: str, values: Sequence[Any], *, params: Sequence[Any] = (), chunk: int = 5000
) -> list[tuple]:
    """Run `sql` over `values` in chunks: `sql` ends with `IN` and gets a parenthesised list of
    placeholders appended; `params` fill the placeholders before it. A plain IN list through the
    cursor, without building a Django lookup per value. On PostgreSQL the values go as one array
    parameter (`= ANY(%s)`): psycopg would otherwise re-parse a query of thousands of placeholders
    on every call, which costs more than the lookup itself."""
    out: list[tuple] = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            head = sql.rstrip()[: -len("IN")]
            for start in range(0, len(values), ARRAY_CHUNK):
                cursor.execute(f"{head} = ANY(%s)", [*params, list(values[start : start + ARRAY_CHUNK])])
                out.extend(cursor.fetchall())
            return out
        for start in range(0, len(values), chunk):
            part = list(values[start : start + chunk])
            cursor.execute(f"{sql} ({', '.join(['%s'] * len(part))})", [*params, *part])
            out.extend(cursor.fetchall())
    return out


def select_matching(
    model: type[models.Model],
    key_columns: Sequence[str],
    keys: Sequence[Sequence[Any]],
    columns: Sequence[str],
) -> list[tuple]:
    """Rows of `model` whose `key_columns` equal one of `keys`: a join against the list of keys,
    so each key is one index probe (cost grows with the batch, not with the table). Returns tuples
    of `columns` as stored (dates as the backend returns them).

    SQLite joins a VALUES list; PostgreSQL joins `unnest()` of one typed array per key column —
    a handful of parameters and one round trip per batch, however many keys."""
    if not keys:
        return []
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    width = len(key_columns)
    select = ", ".join(f"t.{qn(c)}" for c in columns)
    out: list[tuple] = []
    if connection.vendor == "postgresql":
        arrays = ", ".join(f"%s::{_db_type(model, c)}[]" for c in key_columns)
        names = ", ".join(f"k{i}" for i in range(width))
        on = " AND ".join(f"t.{qn(c)} = k.k{i}" for i, c in enumerate(key_columns))
        sql = f"SELECT {select} FROM unnest({arrays}) AS k({names}) JOIN {table} t ON {on}"
        with connection.cursor() as cursor:
            for start in range(0, len(keys), ARRAY_CHUNK):
                part = keys[start : start + ARRAY_CHUNK]
                cursor.execute(sql, [[key[i] for key in part] for i in range(width)])
                out.extend(cursor.fetchall())
        return out
    on = " AND ".join(f"t.{qn(c)} = k.column{i + 1}" for i, c in enumerate(key_columns))
    chunk = max(1, 10_000 // width)
    with connection.cursor() as cursor:
        for start in range(0, len(keys), chunk):
            part = keys[start : start + chunk]
            values_sql = ", ".join(["(" + ", ".join(["%s"] * width) + ")"] * len(part))
            params = [v for key in part for v in key]
            cursor.execute(f"SELECT {select} FROM (VALUES {values_sql}) AS k JOIN {table} t ON {on}", params)
            out.extend(cursor.fetchall())
    return out


def _db_type(model: type[models.Model], attname: str) -> str:
    """The column's SQL type (PostgreSQL): the key arrays are cast to it so its index is used."""
    fld = next(f for f in model._meta.concrete_fields if f.attname == attname)
    return fld.db_type(connection)


def insert_adapter(model: type[models.Model], attname: str) -> Callable[[Any], Any]:
    """For rows built already adapted (`insert_rows(..., adapted=True)`): the column's values as
    `insert_rows` would adapt them on this backend (identity where COPY takes Python values)."""
    adapt = _adapter(model, attname, copy=connection.vendor == "postgresql")
    if adapt is None:
        return lambda value: value
    memoized = _memoized(adapt)
    return lambda value: None if value is None else memoized(value)


def insert_rows(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    adapted: bool = False,
) -> int:
    """INSERT `rows` into the model's table in one statement per batch (COPY on PostgreSQL).
    `adapted=True`: the caller built the rows with `insert_adapter` (the hot import paths)."""
    if not rows:
        return 0
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    column_sql = ", ".join(qn(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({column_sql}) FROM STDIN") as copy:
                for row in rows if adapted else _adapted(model, columns, rows, copy=True):
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(columns))
            cursor.executemany(
                f"INSERT INTO {table} ({column_sql}) VALUES ({placeholders})",
                rows if adapted else list(_adapted(model, columns, rows, copy=False)),
            )
    return len(rows)


def update_rows(model: type[models.Model], columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> int:
    """UPDATE by primary key: each row is (*values in `columns` order, pk); one executemany."""
    if not rows:
        return 0
    qn = connection.ops.quote_name
    assignments = ", ".join(f"{qn(c)} = %s" for c in columns)
    sql = f"UPDATE {qn(model._meta.db_table)} SET {assignments} WHERE {qn(model._meta.pk.column)} = %s"
    adapted = list(_adapted(model, [*columns, model._meta.pk.attname], rows, copy=False))
    with connection.cursor() as cursor:
        cursor.executemany(sql, adapted)
    return len(rows)
