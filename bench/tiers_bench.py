#!/usr/bin/env python
"""Member tiers at chain scale: set-based evaluation over the running aggregates vs DuckDB.

    .venv/bin/python bench/tiers_bench.py                 # 1,000,000 members, 10,000,000 transactions
    .venv/bin/python bench/tiers_bench.py --scale 0.1     # a quicker run (100,000 / 1,000,000)

Database: a throwaway SQLite file var/bench/tiers.sqlite3 (recreated each run). The data is
generated once, in DuckDB (hash-based, deterministic), and the very same rows are copied into
SQLite (executemany, indexes rebuilt after the load): one site, N members with ~10 transactions
each over three years up to mid-November 2026 (purchases and ~2% refunds, eight categories), one rated follow-up per
member, and a dispute per thousand members. Then, in the same run:

* aggregates — `opscenter tiers rebuild`: the running aggregates from the raw rows (done once,
  then kept exact on every write by the bookkeeping signal / import hook);
* evaluate   — `members.services.tiers_evaluate` under seed 004's rules: the first run (every
  member gets a tier and a TierChange) and a steady-state re-run (nothing changed);
* DuckDB     — the same tiers computed directly from the raw transactions in DuckDB;
* refresh    — `members.services.member_refresh` of one member right after a write (median of 200).

The tier counts of SQLite and DuckDB must be identical (checked). Peak memory is the process's
max RSS. Targets: evaluate within 3× of DuckDB, under 1 GB, one member re-evaluated < 50 ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench"
SQLITE_PATH = BENCH_DIR / "tiers.sqlite3"
sys.path.insert(0, str(ROOT))

MEMBERS = 1_000_000
TXN_PER_MEMBER = 10
CHUNK = 100_000
CATEGORIES = ("skin", "skin_package", "non_invasive", "plastic", "dental", "accommodation", "care", "other")


def setup_django() -> None:
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)
    os.environ["OPSCENTER_DATABASE_URL"] = f"sqlite:///{SQLITE_PATH}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opscenter.settings")
    os.environ.setdefault("OPSCENTER_HTTPS", "0")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def generate(duck, members: int) -> None:
    """The raw rows, in DuckDB (deterministic hashes of the row number)."""
    txns = members * TXN_PER_MEMBER
    cats = "[" + ", ".join(f"'{c}'" for c in CATEGORIES) + "]"
    duck.execute(f"""
        CREATE TABLE txn AS
        SELECT i AS id, (i % {members}) + 1 AS customer_id,
               DATE '2023-12-01' + CAST(hash(i, 1) % 1080 AS INTEGER) AS occurred_on,
               list_extract({cats}, CAST(hash(i, 2) % 8 AS INTEGER) + 1) AS category,
               CAST(1 + hash(i, 3) % 4 AS INTEGER) AS sessions,
               CAST(hash(i, 4) % 800000 AS BIGINT) AS amount_fen,
               CASE WHEN hash(i, 5) % 50 = 0 THEN 'refund' ELSE 'purchase' END AS kind
        FROM range(1, {txns} + 1) t(i)
    """)
    duck.execute("ALTER TABLE txn ADD COLUMN month INTEGER")
    duck.execute("UPDATE txn SET month = year(occurred_on) * 100 + month(occurred_on)")
    duck.execute(f"""
        CREATE TABLE fu AS
        SELECT i AS id, i AS customer_id, DATE '2024-01-01' + CAST(hash(i, 6) % 1000 AS INTEGER) AS done_on,
               CAST(1 + hash(i, 7) % 5 AS INTEGER) AS satisfaction
        FROM range(1, {members} + 1) t(i)
    """)
    duck.execute(f"""
        CREATE TABLE dispute AS
        SELECT i AS id, i * 997 % {members} + 1 AS customer_id, DATE '2026-06-01' AS opened_on,
               CASE WHEN i % 3 = 0 THEN NULL ELSE DATE '2026-07-01' END AS settled_on,
               CASE WHEN i % 3 = 0 THEN '' WHEN i % 3 = 1 THEN 'repaired' ELSE 'refunded' END AS outcome
        FROM range(1, {max(members // 1000, 1)} + 1) t(i)
    """)


def load_sqlite(duck, site_id: int, owner_id: int) -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("PRAGMA synchronous=OFF")
        cur.execute(
            "SELECT name, sql FROM sqlite_master WHERE type='index' AND sql IS NOT NULL "
            "AND tbl_name IN ('pipeline_transaction', 'pipeline_followup', 'pipeline_customer')"
        )
        indexes = cur.fetchall()
        for name, _ in indexes:
            cur.execute(f'DROP INDEX "{name}"')
        stamp = "2023-12-01 00:00:00"
        rel = duck.execute("SELECT DISTINCT customer_id FROM fu ORDER BY 1")
        while batch := rel.fetchmany(CHUNK):
            cur.executemany(
                "INSERT INTO pipeline_customer (id, site_id, name, phone, gender, profession, city, is_local, "
                "channel_kind, owner_id, status, tags, cohort_month, note, is_deleted, created_at) "
                "VALUES (%s, %s, %s, %s, 'unknown', '', '', 1, 'other', %s, 'customer', '[]', 202312, '', 0, %s)",
                [(cid, site_id, f"会员{cid}", f"13{cid:09d}", owner_id, stamp) for (cid,) in batch],
            )
        rel = duck.execute(
            "SELECT id, customer_id, CAST(occurred_on AS VARCHAR), month, category, sessions, amount_fen, kind FROM txn ORDER BY id"
        )
        while batch := rel.fetchmany(CHUNK):
            cur.executemany(
                "INSERT INTO pipeline_transaction (id, site_id, customer_id, occurred_on, month, item, category, "
                "sessions, amount_fen, kind, created_at) VALUES (%s, %s, %s, %s, %s, '项目', %s, %s, %s, %s, %s)",
                [(i, site_id, c, d, m, cat, s, a, k, stamp) for i, c, d, m, cat, s, a, k in batch],
            )
        rel = duck.execute(
            "SELECT id, customer_id, CAST(done_on AS VARCHAR), satisfaction FROM fu ORDER BY id"
        )
        while batch := rel.fetchmany(CHUNK):
            cur.executemany(
                "INSERT INTO pipeline_followup (id, site_id, customer_id, channel, scheduled_on, month, done_on, "
                "outcome, satisfaction, note, created_at) VALUES (%s, %s, %s, 'phone', %s, 202401, %s, 'reached', %s, '', %s)",
                [(i, site_id, c, d, d, s, stamp) for i, c, d, s in batch],
            )
        rows = duck.execute(
            "SELECT id, customer_id, CAST(opened_on AS VARCHAR), CAST(settled_on AS VARCHAR), outcome FROM dispute"
        ).fetchall()
        cur.executemany(
            "INSERT INTO pipeline_dispute (id, site_id, customer_id, opened_on, category, description, status, "
            "outcome, settled_on, resolution, created_at) VALUES (%s, %s, %s, %s, 'treatment', '基准', %s, %s, %s, '', %s)",
            [(i, site_id, c, o, "settled" if s else "open", out, s, stamp) for i, c, o, s, out in rows],
        )
        for _, sql in indexes:
            cur.execute(sql)
        cur.execute("ANALYZE")


DUCK_TIERS = """
WITH t AS (
    SELECT customer_id,
        COUNT(DISTINCT occurred_on) FILTER (WHERE kind = 'purchase') AS days,
        COUNT(*) FILTER (WHERE kind = 'purchase') AS purchases,
        COALESCE(SUM(sessions) FILTER (WHERE kind = 'purchase' AND category = 'skin'), 0) AS skin,
        COALESCE(SUM(sessions) FILTER (WHERE kind = 'purchase' AND category IN ('non_invasive', 'skin_package')), 0) AS pkg,
        SUM(CASE WHEN kind = 'refund' THEN -amount_fen ELSE amount_fen END) AS net
    FROM txn WHERE occurred_on <= $as_of GROUP BY customer_id
), s AS (SELECT customer_id, arg_max(satisfaction, (done_on, id)) AS sat FROM fu WHERE done_on <= $as_of GROUP BY customer_id),
d AS (
    SELECT customer_id,
        COUNT(*) FILTER (WHERE opened_on <= $as_of AND (settled_on IS NULL OR settled_on > $as_of)) AS open_,
        COUNT(*) FILTER (WHERE settled_on <= $as_of AND outcome IN ('compensated', 'refunded')) AS paid,
        COUNT(*) FILTER (WHERE settled_on <= $as_of AND settled_on >= $since AND outcome = 'repaired') AS repaired
    FROM dispute GROUP BY customer_id
), k AS (
    SELECT t.customer_id,
        (t.days >= 2 OR t.skin >= 6 OR t.pkg >= 1)::INT AS a, (t.net >= 2800000)::INT AS b,
        COALESCE(s.sat >= 3, FALSE)::INT AS c,
        COALESCE(d.open_, 0) >= 1 AS dd, COALESCE(d.paid, 0) >= 1 AS r, COALESCE(d.repaired, 0) >= 1 AS rs
    FROM t LEFT JOIN s USING (customer_id) LEFT JOIN d USING (customer_id) WHERE t.purchases > 0
)
SELECT tier, COUNT(*) FROM (
    SELECT CASE WHEN dd THEN 'C' WHEN r THEN 'J' WHEN rs AND c = 1 THEN 'B' WHEN rs THEN 'C'
        WHEN a + b + c = 3 THEN 'AAA' WHEN a + b + c = 2 THEN 'AA' WHEN a + b + c = 1 THEN 'A' ELSE 'B' END AS tier
    FROM k
) GROUP BY tier
"""


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of 1,000,000 members (default 1)")
    args = parser.parse_args()
    members = int(MEMBERS * args.scale)
    setup_django()
    import duckdb
    from django.db import connection, transaction
    from django.utils import timezone

    from opscenter.core.testing import make_department, make_site, make_staff
    from opscenter.members import aggregates, services
    from opscenter.members.constants import SEED_004, SEED_004_NAME
    from opscenter.pipeline.models import Transaction

    site = make_site("bench", "基准院区", kind="aesthetics")
    owner = make_staff(department=make_department(site, "marketing"))
    duck = duckdb.connect()
    t0 = time.perf_counter()
    generate(duck, members)
    print(
        f"generated {members:,} members, {members * TXN_PER_MEMBER:,} transactions in DuckDB: {time.perf_counter() - t0:.1f} s"
    )
    t0 = time.perf_counter()
    load_sqlite(duck, site.pk, owner.pk)
    print(f"loaded into SQLite: {time.perf_counter() - t0:.1f} s")

    t0 = time.perf_counter()
    rows = aggregates.rebuild(site_id=site.pk)
    print(f"aggregates rebuilt from raw rows: {rows:,} rows in {time.perf_counter() - t0:.1f} s")
    with connection.cursor() as cur:
        cur.execute("ANALYZE")  # the query planner needs the new table's statistics

    rule_set = services.tier_rules_create(
        actor=None, site_id=site.pk, name=SEED_004_NAME, definition=SEED_004
    )
    services.tier_rules_transition(actor=None, rule_set_id=rule_set.pk, to_status="active")
    today = timezone.localdate()
    t0 = time.perf_counter()
    first = services.tiers_evaluate(actor=None, site_id=site.pk, as_of=today)
    first_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    steady = services.tiers_evaluate(actor=None, site_id=site.pk, as_of=today)
    steady_s = time.perf_counter() - t0

    since = (
        dt.date(today.year - ((today.month == 12 and 0) or 1), (today.month % 12) + 1, 1)
        if today.month != 12
        else dt.date(today.year, 1, 1)
    )
    t0 = time.perf_counter()
    duck_counts = dict(duck.execute(DUCK_TIERS, {"as_of": today, "since": since}).fetchall())
    duck_s = time.perf_counter() - t0
    assert {k: int(v) for k, v in duck_counts.items()} == first.counts, (duck_counts, first.counts)

    rng = random.Random(6)
    timings = []
    for _ in range(200):
        cid = rng.randint(1, members)
        with transaction.atomic():
            Transaction.objects.create(
                site_id=site.pk, customer_id=cid, occurred_on=today, month=today.year * 100 + today.month,
                item="复购", category="skin", sessions=1, amount_fen=50_000,
            )  # fmt: skip
            t0 = time.perf_counter()
            services.member_refresh(customer_id=cid)
            timings.append(time.perf_counter() - t0)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"tier counts (identical in SQLite and DuckDB): {dict(sorted(first.counts.items()))}")
    print(f"{'':28}{'seconds':>10}")
    print(f"{'evaluate, first run':28}{first_s:10.2f}   ({first.changes:,} tier changes written)")
    print(f"{'evaluate, steady state':28}{steady_s:10.2f}   ({steady.changes:,} changes)")
    print(f"{'DuckDB over raw rows':28}{duck_s:10.2f}")
    print(
        f"{'ratio steady / DuckDB':28}{steady_s / duck_s:10.2f}x   (first run {first_s / duck_s:.2f}x; target ≤ 3x)"
    )
    print(f"{'one member after a write':28}{statistics.median(timings) * 1000:10.1f} ms median, "
          f"{max(timings) * 1000:.1f} ms max (target < 50 ms)")  # fmt: skip
    print(f"peak memory (max RSS): {peak_mb:,.0f} MB (target < 1,024 MB)")
    print(f"database: {connection.vendor} {SQLITE_PATH}")


if __name__ == "__main__":
    main()
