"""Per-member running aggregates (`MemberMonth`): the summary rows tier evaluation reads.

They are bookkeeping derived from transactions, follow-ups and nothing else, and must stay exact
on every write path:

* single-row services (`transaction_record`, `followup_complete`, …): the bookkeeping signal in
  `members.signals` calls `refresh_customers([customer_id])` inside the same transaction;
* bulk imports (rows written with raw INSERTs, no signals): right after the commit, a background
  follow-up of the import job (`members.signals`, `imports.followups`) calls
  `refresh_customers(customer_ids)` for the customers the job wrote rows for — until it has run,
  those customers' rows lag (the job's page says so);
* `opscenter tiers rebuild [--verify]` rebuilds every row from the raw tables, or checks them.

A refresh recomputes the customer's months from their raw rows (an index range read per
customer) rather than adding deltas, so it is exact whatever the write was (insert, update,
delete, backdated row). The SQL is the same on SQLite and PostgreSQL apart from `yyyymm()`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import connection, transaction

from opscenter.members.models import MemberMonth
from opscenter.pipeline.choices import DealStatus, ItemCategory, TransactionKind
from opscenter.pipeline.models import Deal, FollowUp, Transaction

CATEGORIES: tuple[str, ...] = tuple(ItemCategory.values)
SUM_COLUMNS: tuple[str, ...] = (
    "purchase_days",
    "purchase_count",
    "purchase_fen",
    "refund_fen",
    "refund_count",
    *(f"sessions_{c}" for c in CATEGORIES),
    *(f"net_fen_{c}" for c in CATEGORIES),
    "sat_sum",
    "sat_count",
)
COLUMNS: tuple[str, ...] = ("customer_id", "site_id", "month", *SUM_COLUMNS, "sat_latest_key")
CHUNK = 500  # customer ids per statement (well under SQLite's parameter limit)
PURCHASE, REFUND = TransactionKind.PURCHASE.value, TransactionKind.REFUND.value
CANCELLED = DealStatus.CANCELLED.value


def yyyymm(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"CAST(to_char({column}, 'YYYYMM') AS INTEGER)"
    return f"CAST(strftime('%%Y%%m', {column}) AS INTEGER)"


def yyyymmdd(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"CAST(to_char({column}, 'YYYYMMDD') AS BIGINT)"
    return f"CAST(strftime('%%Y%%m%%d', {column}) AS BIGINT)"


def _txn_months_sql(where_txn: str) -> str:
    """MemberMonth-shaped rows from transactions `t` only (follow-up columns zero)."""
    # A cancelled deal's purchases and their reversing refunds count for nothing (pipeline
    # `deal_transition`): neither spend nor purchase days nor sessions.
    txn, deal = Transaction._meta.db_table, Deal._meta.db_table
    # Per-category sums as FILTERed aggregates: SQLite evaluates a FILTER once per row and skips
    # the sum, where sixteen CASE expressions cost half of a refresh (same SQL on PostgreSQL).
    sessions = ", ".join(
        f"COALESCE(SUM(t.sessions) FILTER (WHERE t.kind = '{PURCHASE}' AND t.category = '{c}'), 0)"
        f" AS sessions_{c}"
        for c in CATEGORIES
    )
    net = ", ".join(
        f"COALESCE(SUM(CASE WHEN t.kind = '{REFUND}' THEN -t.amount_fen ELSE t.amount_fen END)"
        f" FILTER (WHERE t.category = '{c}'), 0) AS net_fen_{c}"
        for c in CATEGORIES
    )
    return f"""
        SELECT t.customer_id, t.site_id, t.month,
            COUNT(DISTINCT CASE WHEN t.kind = '{PURCHASE}' THEN t.occurred_on END) AS purchase_days,
            SUM(CASE WHEN t.kind = '{PURCHASE}' THEN 1 ELSE 0 END) AS purchase_count,
            SUM(CASE WHEN t.kind = '{PURCHASE}' THEN t.amount_fen ELSE 0 END) AS purchase_fen,
            SUM(CASE WHEN t.kind = '{REFUND}' THEN t.amount_fen ELSE 0 END) AS refund_fen,
            SUM(CASE WHEN t.kind = '{REFUND}' THEN 1 ELSE 0 END) AS refund_count,
            {sessions}, {net},
            0 AS sat_sum, 0 AS sat_count, CAST(NULL AS BIGINT) AS sat_latest_key
        FROM {txn} t LEFT JOIN {deal} d ON d.id = t.deal_id
        WHERE (d.id IS NULL OR d.status <> '{CANCELLED}') AND {where_txn}
        GROUP BY t.customer_id, t.site_id, t.month
    """


def _followup_months_sql(where_fu: str) -> str:
    """MemberMonth-shaped rows from completed follow-ups with a satisfaction `f` only."""
    fu = FollowUp._meta.db_table
    zeros = (
        ", ".join(f"0 AS sessions_{c}" for c in CATEGORIES)
        + ", "
        + ", ".join(f"0 AS net_fen_{c}" for c in CATEGORIES)
    )
    done_month = yyyymm("f.done_on")
    return f"""
        SELECT f.customer_id, f.site_id, {done_month} AS month,
            0, 0, 0, 0, 0, {zeros},
            SUM(f.satisfaction), COUNT(*),
            MAX(({yyyymmdd("f.done_on")} * 1000000000 + f.id) * 10 + f.satisfaction)
        FROM {fu} f WHERE f.done_on IS NOT NULL AND f.satisfaction IS NOT NULL AND {where_fu}
        GROUP BY f.customer_id, f.site_id, {done_month}
    """


def monthly_facts_sql(where_txn: str, where_fu: str) -> str:
    """SELECT of MemberMonth-shaped rows (month > 0) from the raw tables; the WHERE fragments
    filter transactions `t` and follow-ups `f` (they may hold %s placeholders)."""
    inner = f"{_txn_months_sql(where_txn)} UNION ALL {_followup_months_sql(where_fu)}"
    sums = ", ".join(f"SUM(u.{c}) AS {c}" for c in SUM_COLUMNS)
    return f"""
        SELECT u.customer_id, u.site_id, u.month, {sums}, MAX(u.sat_latest_key) AS sat_latest_key
        FROM ({inner}) u GROUP BY u.customer_id, u.site_id, u.month
    """


def _totals_sql(where: str) -> str:
    table = MemberMonth._meta.db_table
    sums = ", ".join(f"SUM(m.{c})" for c in SUM_COLUMNS)
    return f"""
        SELECT m.customer_id, m.site_id, 0, {sums}, MAX(m.sat_latest_key)
        FROM {table} m WHERE m.month > 0 AND {where} GROUP BY m.customer_id, m.site_id
    """


def _insert(select_sql: str, params: list[Any]) -> None:
    table = MemberMonth._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({', '.join(COLUMNS)}) {select_sql}", params)


def refresh_customers(customer_ids: Iterable[int]) -> int:
    """Recompute the aggregates of these customers from their raw rows. Call inside the writing
    transaction (it opens one of its own otherwise). Returns how many customers were refreshed.

    The months are written in two statements: the transaction months, then the follow-up months
    merged into them (`ON CONFLICT` on the unique customer-site-month). The result is the rows
    `monthly_facts_sql` gives, without materialising and re-grouping their union: that re-group
    was 40 % of a refresh after a large import (bench/import_bench.py)."""
    ids = sorted({int(pk) for pk in customer_ids})
    table = MemberMonth._meta.db_table
    merge = (
        " ON CONFLICT (customer_id, site_id, month) DO UPDATE SET sat_sum = excluded.sat_sum, "
        "sat_count = excluded.sat_count, sat_latest_key = excluded.sat_latest_key"
    )
    with transaction.atomic():
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            marks = ", ".join(["%s"] * len(chunk))
            with connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {table} WHERE customer_id IN ({marks})", chunk)
            _insert(_txn_months_sql(f"t.customer_id IN ({marks})"), chunk)
            _insert(_followup_months_sql(f"f.customer_id IN ({marks})") + merge, chunk)
            _insert(_totals_sql(f"m.customer_id IN ({marks})"), chunk)
    return len(ids)


def apply_transactions(rows: Iterable[Mapping[str, Any] | Any]) -> int:
    """Bring the aggregates up to date after a bulk write of transactions or follow-ups: `rows`
    are the written rows (dicts or objects with `customer_id`). Exact, like `refresh_customers`."""
    ids = {r["customer_id"] if isinstance(r, Mapping) else r.customer_id for r in rows}
    return refresh_customers(ids)


def rebuild(*, site_id: int | None = None) -> int:
    """Recompute every aggregate row (of one site, or all) from the raw tables; returns row count."""
    table = MemberMonth._meta.db_table
    with transaction.atomic():
        with connection.cursor() as cursor:
            if site_id is None:
                cursor.execute(f"DELETE FROM {table}")
            else:
                cursor.execute(f"DELETE FROM {table} WHERE site_id = %s", [site_id])
        where, params = ("1 = 1", []) if site_id is None else ("t.site_id = %s", [site_id])
        where_fu = "1 = 1" if site_id is None else "f.site_id = %s"
        _insert(monthly_facts_sql(where, where_fu), params * 2)
        _insert(_totals_sql("1 = 1" if site_id is None else "m.site_id = %s"), params)
        return MemberMonth.objects.filter(**({} if site_id is None else {"site_id": site_id})).count()


def verify(*, site_id: int | None = None) -> list[tuple]:
    """Rows where the stored aggregates differ from a fresh computation from the raw tables, in
    either direction (missing, extra or different); [] when they are exact."""
    table = MemberMonth._meta.db_table
    where, params = ("1 = 1", []) if site_id is None else ("t.site_id = %s", [site_id])
    where_fu = "1 = 1" if site_id is None else "f.site_id = %s"
    fresh_months = monthly_facts_sql(where, where_fu)
    sums = ", ".join(f"SUM(x.{c})" for c in SUM_COLUMNS)
    fresh = f"""
        SELECT * FROM ({fresh_months}) fm
        UNION ALL
        SELECT x.customer_id, x.site_id, 0, {sums}, MAX(x.sat_latest_key) FROM ({fresh_months}) x
        GROUP BY x.customer_id, x.site_id
    """
    cols = ", ".join(COLUMNS)
    stored = f"SELECT {cols} FROM {table}" + ("" if site_id is None else " WHERE site_id = %s")
    stored_params = [] if site_id is None else [site_id]
    sql = f"""
        SELECT 'missing', d.* FROM (SELECT {cols} FROM ({fresh}) a EXCEPT {stored}) d
        UNION ALL
        SELECT 'extra', e.* FROM ({stored} EXCEPT SELECT {cols} FROM ({fresh}) b) e
    """
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [
                *params,
                *params,
                *params,
                *params,
                *stored_params,
                *stored_params,
                *params,
                *params,
                *params,
                *params,
            ],
        )
        return cursor.fetchall()


def month_of(day: dt.date) -> int:
    return day.year * 100 + day.month
