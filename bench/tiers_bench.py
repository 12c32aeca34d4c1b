#!/usr/bin/env python
"""Member tiers at chain scale: set-based evaluation over the running aggregates vs DuckDB.

    .venv/bin/python bench/tiers_bench.py                 # 1,000,000 members, 10,000,000 transactions
    .venv/bin/python bench/tiers_bench.py --scale 0.1     # a quicker run (100,000 / 1,000,000)
    .venv/bin/python bench/tiers_bench.py --reuse         # keep the loaded rows of a previous run

Database: a throwaway SQLite file var/bench/tiers.sqlite3, recreated each run (with --reuse, the
rows loaded and aggregated by an earlier run of the same size are kept, and what that run wrote
afterwards is removed). The data is generated in DuckDB (hash-based, deterministic) and the very
same rows are copied into SQLite one id range at a time (executemany in one transaction, indexes
rebuilt after the load): one site, N members with ~10 transactions each over three years up to
mid-November 2026 (purchases and ~2% refunds, eight categories), one rated follow-up per member,
and a dispute per thousand members.

The application's work runs in fresh processes of its own, with the application's connection
settings, so that its peak memory is its own (not the generator's, the loader's or DuckDB's):

* aggregates — `members.aggregates.rebuild` (what `opscenter tiers rebuild` runs): the running
  aggregates from the raw rows (done once, then kept exact on every write by the bookkeeping
  signal / import hook);
* evaluate   — `members.services.tiers_evaluate` under seed 004's rules: the first run (every
  member gets a tier and a TierChange) and a steady-state re-run (nothing changed); then
  `members.services.member_refresh` of one member right after a write (median of 200);
* DuckDB     — back in the loading process: the same tiers computed directly from the raw
  transactions in DuckDB (in memory).

The tier counts of SQLite and DuckDB must be identical (checked). Peak memory is each process's
peak resident set size (VmHWM). Targets: evaluate within 3× of DuckDB (first run and steady
state), the evaluating process under 1 GB, one member re-evaluated < 50 ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench"
SQLITE_PATH = BENCH_DIR / "tiers.sqlite3"
sys.path.insert(0, str(ROOT))

MEMBERS = 1_000_000
TXN_PER_MEMBER = 10
CHUNK = 20_000  # rows per id range copied from DuckDB (the loader holds one chunk at a time)
CATEGORIES = ("skin", "skin_package", "non_invasive", "plastic", "dental", "accommodation", "care", "other")
STAMP = "2023-12-01 00:00:00"


def peak_mb() -> float:
    """This process's peak resident memory. VmHWM belongs to the process's own address space;
    ru_maxrss would not do for the children: Linux carries it across fork + exec, so a child
    would report at least the parent's RSS at the time of the fork."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)


def setup_django(*, fresh: bool) -> None:
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    if fresh:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)
    os.environ["OPSCENTER_DATABASE_URL"] = f"sqlite:///{SQLITE_PATH}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opscenter.settings")
    os.environ.setdefault("OPSCENTER_HTTPS", "0")
    import django

    django.setup()
    if fresh:
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)


def generate(duck, members: int) -> None:
    """The raw rows, in DuckDB (deterministic hashes of the row number)."""
    txns = members * TXN_PER_MEMBER
    cats = "[" + ", ".join(f"'{c}'" for c in CATEGORIES) + "]"
    duck.execute(f"""
        CREATE TABLE txn AS
        SELECT id, customer_id, occurred_on, category, sessions, amount_fen, kind,
               CAST(year(occurred_on) * 100 + month(occurred_on) AS INTEGER) AS month
        FROM (
            SELECT i AS id, (i % {members}) + 1 AS customer_id,
                   DATE '2023-12-01' + CAST(hash(i, 1) % 1080 AS INTEGER) AS occurred_on,
                   list_extract({cats}, CAST(hash(i, 2) % 8 AS INTEGER) + 1) AS category,
                   CAST(1 + hash(i, 3) % 4 AS INTEGER) AS sessions,
                   CAST(hash(i, 4) % 800000 AS BIGINT) AS amount_fen,
                   CASE WHEN hash(i, 5) % 50 = 0 THEN 'refund' ELSE 'purchase' END AS kind
            FROM range(1, {txns} + 1) t(i)
        )
    """)
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


def _copy(duck, cur, select: str, total: int, insert: str, row) -> None:
    """Copy rows 1…total of a DuckDB table into SQLite one id range at a time: only one chunk is
    ever held in Python (a streamed id-ordered read, not one materialized 10M-row result)."""
    for lo in range(0, total, CHUNK):
        batch = duck.execute(f"{select} WHERE id > ? AND id <= ? ORDER BY id", [lo, lo + CHUNK]).fetchall()
        cur.executemany(insert, [row(r) for r in batch])


def load_sqlite(duck, members: int, site_id: int, owner_id: int) -> None:
    from django.db import connection

    disputes = duck.execute("SELECT COUNT(*) FROM dispute").fetchone()[0]
    with connection.cursor() as cur:
        cur.execute("PRAGMA synchronous=OFF")  # the loader only; the application's processes use the settings
        cur.execute(
            "SELECT name, sql FROM sqlite_master WHERE type='index' AND sql IS NOT NULL "
            "AND tbl_name IN ('pipeline_transaction', 'pipeline_followup', 'pipeline_customer')"
        )
        indexes = cur.fetchall()
        for name, _ in indexes:
            cur.execute(f'DROP INDEX "{name}"')
        cur.execute("BEGIN")
        _copy(
            duck, cur, "SELECT customer_id AS id FROM fu", members,
            "INSERT INTO pipeline_customer (id, site_id, name, phone, gender, profession, city, is_local, "
            "channel_kind, owner_id, status, tags, cohort_month, note, is_deleted, created_at) "
            "VALUES (%s, %s, %s, %s, 'unknown', '', '', 1, 'other', %s, 'customer', '[]', 202312, '', 0, %s)",
            lambda r: (r[0], site_id, f"会员{r[0]}", f"13{r[0]:09d}", owner_id, STAMP),
        )  # fmt: skip
        _copy(
            duck, cur,
            "SELECT id, customer_id, CAST(occurred_on AS VARCHAR), month, category, sessions, amount_fen, kind FROM txn",
            members * TXN_PER_MEMBER,
            "INSERT INTO pipeline_transaction (id, site_id, customer_id, occurred_on, month, item, category, "
            "sessions, amount_fen, kind, created_at) VALUES (%s, %s, %s, %s, %s, '项目', %s, %s, %s, %s, %s)",
            lambda r: (r[0], site_id, r[1], r[2], r[3], r[4], r[5], r[6], r[7], STAMP),
        )  # fmt: skip
        _copy(
            duck, cur, "SELECT id, customer_id, CAST(done_on AS VARCHAR), satisfaction FROM fu", members,
            "INSERT INTO pipeline_followup (id, site_id, customer_id, channel, scheduled_on, month, done_on, "
            "outcome, satisfaction, note, created_at) VALUES (%s, %s, %s, 'phone', %s, 202401, %s, 'reached', %s, '', %s)",
            lambda r: (r[0], site_id, r[1], r[2], r[2], r[3], STAMP),
        )  # fmt: skip
        _copy(
            duck, cur,
            "SELECT id, customer_id, CAST(opened_on AS VARCHAR), CAST(settled_on AS VARCHAR), outcome FROM dispute",
            disputes,
            "INSERT INTO pipeline_dispute (id, site_id, customer_id, opened_on, category, description, status, "
            "outcome, settled_on, resolution, created_at) VALUES (%s, %s, %s, %s, 'treatment', '基准', %s, %s, %s, '', %s)",
            lambda r: (r[0], site_id, r[1], r[2], "settled" if r[3] else "open", r[4], r[3], STAMP),
        )  # fmt: skip
        for _, sql in indexes:
            cur.execute(sql)
        cur.execute("COMMIT")
        cur.execute("ANALYZE")


def reset_sqlite(members: int) -> bool:
    """--reuse: remove what an earlier run wrote after the load (tiers, rule sets, the refresh
    loop's transactions, whose customers' aggregates are refreshed). For iterating on the
    evaluation: freed pages are reused, not vacuumed away, so report the numbers of a fresh run.
    Returns whether the aggregates are there (else they are rebuilt as in a fresh run)."""
    from django.db import transaction

    from opscenter.members import aggregates
    from opscenter.members import models as m
    from opscenter.pipeline.models import Transaction

    with transaction.atomic():
        for model in (m.TierChange, m.MemberTier, m.TierEvaluation, m.TierRuleSetEvent, m.TierRuleSet):
            model.objects.all()._raw_delete("default")
        extra = Transaction.objects.filter(id__gt=members * TXN_PER_MEMBER)
        touched = set(extra.values_list("customer_id", flat=True))
        extra._raw_delete("default")
        if not m.MemberMonth.objects.exists():
            return False
        aggregates.refresh_customers(touched)
    return True


def run_phase(phase: str, members: int) -> dict:
    """Run one phase of the application's work in a fresh interpreter; its last line is JSON."""
    out = subprocess.run(
        [sys.executable, __file__, "--phase", phase, "--members", str(members)],
        check=True,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def phase_rebuild(members: int) -> dict:
    from django.db import connection

    from opscenter.members import aggregates
    from opscenter.pipeline.models import Customer

    site_id = Customer.objects.values_list("site_id", flat=True).get(pk=1)
    t0 = time.perf_counter()
    rows = aggregates.rebuild(site_id=site_id)
    seconds = time.perf_counter() - t0
    with connection.cursor() as cur:
        cur.execute("ANALYZE")  # the query planner needs the new table's statistics
    return {"rows": rows, "seconds": seconds, "peak_mb": peak_mb()}


def phase_evaluate(members: int) -> dict:
    from django.db import transaction
    from django.utils import timezone

    from opscenter.members import services
    from opscenter.members.constants import SEED_004, SEED_004_NAME
    from opscenter.pipeline.models import Customer, Transaction

    site_id = Customer.objects.values_list("site_id", flat=True).get(pk=1)
    rule_set = services.tier_rules_create(
        actor=None, site_id=site_id, name=SEED_004_NAME, definition=SEED_004
    )
    services.tier_rules_transition(actor=None, rule_set_id=rule_set.pk, to_status="active")
    today = timezone.localdate()
    t0 = time.perf_counter()
    first = services.tiers_evaluate(actor=None, site_id=site_id, as_of=today)
    first_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    steady = services.tiers_evaluate(actor=None, site_id=site_id, as_of=today)
    steady_s = time.perf_counter() - t0
    evaluate_mb = peak_mb()

    rng = random.Random(6)
    timings = []
    for _ in range(200):
        cid = rng.randint(1, members)
        with transaction.atomic():
            Transaction.objects.create(
                site_id=site_id, customer_id=cid, occurred_on=today, month=today.year * 100 + today.month,
                item="复购", category="skin", sessions=1, amount_fen=50_000,
            )  # fmt: skip
            t0 = time.perf_counter()
            services.member_refresh(customer_id=cid)
            timings.append(time.perf_counter() - t0)
    return {
        "today": today.isoformat(),
        "counts": first.counts,
        "first_s": first_s,
        "first_changes": first.changes,
        "steady_counts": steady.counts,
        "steady_s": steady_s,
        "steady_changes": steady.changes,
        "refresh_ms": [t * 1000 for t in timings],
        "evaluate_mb": evaluate_mb,
        "peak_mb": peak_mb(),
    }


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
    parser.add_argument(
        "--reuse", action="store_true", help="keep the rows loaded by an earlier run of this size"
    )
    parser.add_argument("--phase", choices=["rebuild", "evaluate"], help=argparse.SUPPRESS)
    parser.add_argument("--members", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:  # a child process: the application's work, reported as one JSON line
        setup_django(fresh=False)
        result = {"rebuild": phase_rebuild, "evaluate": phase_evaluate}[args.phase](args.members)
        print(json.dumps(result))
        return
    members = int(MEMBERS * args.scale)
    reuse = args.reuse and SQLITE_PATH.exists()
    setup_django(fresh=not reuse)
    import duckdb
    from django.db import connection

    duck = duckdb.connect()
    t0 = time.perf_counter()
    generate(duck, members)
    print(
        f"generated {members:,} members, {members * TXN_PER_MEMBER:,} transactions in DuckDB: {time.perf_counter() - t0:.1f} s"
    )
    from opscenter.pipeline.models import Customer

    aggregated = False
    if reuse and Customer.objects.count() == members:
        t0 = time.perf_counter()
        aggregated = reset_sqlite(members)
        print(f"reused the SQLite rows of an earlier run (reset in {time.perf_counter() - t0:.1f} s)")
    else:
        if reuse:
            sys.exit(f"{SQLITE_PATH} does not hold {members:,} members; run without --reuse")
        from opscenter.core.testing import make_department, make_site, make_staff

        site = make_site("bench", "基准院区", kind="aesthetics")
        owner = make_staff(department=make_department(site, "marketing"))
        t0 = time.perf_counter()
        load_sqlite(duck, members, site.pk, owner.pk)
        print(f"loaded into SQLite: {time.perf_counter() - t0:.1f} s")
    connection.close()  # the children open their own connections
    load_mb = peak_mb()

    rebuilt = None if aggregated else run_phase("rebuild", members)
    if rebuilt:
        print(f"aggregates rebuilt from raw rows: {rebuilt['rows']:,} rows in {rebuilt['seconds']:.1f} s")
    ev = run_phase("evaluate", members)

    today = dt.date.fromisoformat(ev["today"])
    since = (
        dt.date(today.year - ((today.month == 12 and 0) or 1), (today.month % 12) + 1, 1)
        if today.month != 12
        else dt.date(today.year, 1, 1)
    )
    t0 = time.perf_counter()
    duck_counts = dict(duck.execute(DUCK_TIERS, {"as_of": today, "since": since}).fetchall())
    duck_s = time.perf_counter() - t0
    duck_mb = peak_mb()
    duck_counts = {k: int(v) for k, v in duck_counts.items()}
    assert duck_counts == ev["counts"] == ev["steady_counts"], (
        duck_counts,
        ev["counts"],
        ev["steady_counts"],
    )

    first_s, steady_s, timings = ev["first_s"], ev["steady_s"], ev["refresh_ms"]
    print(f"tier counts (identical in SQLite and DuckDB): {dict(sorted(ev['counts'].items()))}")
    print(f"{'':28}{'seconds':>10}")
    print(f"{'evaluate, first run':28}{first_s:10.2f}   ({ev['first_changes']:,} tier changes written)")
    print(f"{'evaluate, steady state':28}{steady_s:10.2f}   ({ev['steady_changes']:,} changes)")
    print(f"{'DuckDB over raw rows':28}{duck_s:10.2f}")
    print(
        f"{'ratio steady / DuckDB':28}{steady_s / duck_s:10.2f}x   (first run {first_s / duck_s:.2f}x; target ≤ 3x)"
    )
    print(f"{'one member after a write':28}{statistics.median(timings):10.1f} ms median, "
          f"{max(timings):.1f} ms max (target < 50 ms)")  # fmt: skip
    print("peak memory (peak RSS of each process):")
    print(f"  {'evaluate (first + steady)':32}{ev['evaluate_mb']:8,.0f} MB   (target < 1,024 MB)")
    print(f"  {'evaluate + 200 refreshes':32}{ev['peak_mb']:8,.0f} MB")
    if rebuilt:
        print(f"  {'aggregates rebuild':32}{rebuilt['peak_mb']:8,.0f} MB")
    print(f"  {'generate + load (DuckDB data)':32}{load_mb:8,.0f} MB")
    print(f"  {'… + DuckDB tiers query':32}{duck_mb:8,.0f} MB")
    print(f"database: sqlite {SQLITE_PATH}")


if __name__ == "__main__":
    main()
