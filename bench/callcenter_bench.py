#!/usr/bin/env python
"""Call-center figures at scale: the `callcenter.stats` selectors vs DuckDB on the same rows, and
the Erlang C day plan.

    .venv/bin/python bench/callcenter_bench.py                    # 500,000 calls (~3 years of a small center)
    .venv/bin/python bench/callcenter_bench.py --rows 10000000    # the issue's size (~3 years, 30 seats)
    scripts/with-postgres.sh .venv/bin/python bench/callcenter_bench.py --rows 1000000   # on PostgreSQL

The issue's full size (run it on a quiet machine; the load is CPU-bound in Python row generation,
about 100 µs a row, so ~20 minutes of CPU for 10M rows plus the index build, on each database):

    .venv/bin/python bench/callcenter_bench.py --rows 10000000 --repeat 3
    scripts/with-postgres.sh .venv/bin/python bench/callcenter_bench.py --rows 10000000 --repeat 3

Rows are generated and written in chunks of `CHUNK` (memory stays flat at any size); the five
secondary indexes of `Call` are dropped before the load and built once after it.

Database: a throwaway SQLite file var/bench/callcenter.sqlite3 (recreated each run), or the database
in OPSCENTER_DATABASE_URL (migrated; refused if it already holds calls). Rows are loaded with raw
executemany / COPY (`imports.bulk.insert_rows`), then ANALYZE. Each contender runs `--repeat`
times, interleaved, median reported:

* opscenter — `stats.interval_profile(queues, month, minutes=30)` (one grouped query per call over
  the covering index queue × day × slot, folded to 30-minute intervals) and `stats.agent_table`;
* DuckDB — the same aggregates in SQL over the same rows in an in-memory DuckDB (loaded from CSV).

Both must give identical numbers (checked). Target: each within 2× of DuckDB; the Erlang C day plan
(48 intervals of up to 5,000 calls) under 50 ms.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench"
SQLITE_PATH = BENCH_DIR / "callcenter.sqlite3"
sys.path.insert(0, str(ROOT))

AGENTS = 30
DAYS = 3 * 365
CHUNK = 50_000  # rows per INSERT batch / COPY: generation streams, memory stays flat at any size
PROGRESS = 1_000_000
COLUMNS = ("site_id", "queue_id", "source", "telephony_id", "direction", "caller_number", "arrived_at", "answered_at",
           "ended_at", "outcome", "wait_seconds", "talk_seconds", "hold_seconds", "wrap_seconds", "handle_seconds",
           "agent_id", "disposition_id", "recording_ref", "parent_id", "fcr", "local_date", "slot", "created_at")  # fmt: skip


def setup_django() -> None:
    if not os.environ.get("OPSCENTER_DATABASE_URL"):
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
    from opscenter.callcenter.models import Call

    if Call.objects.exists():
        sys.exit("callcenter_bench: the database already holds calls; use a throwaway database")


def load(rows: int, seed: int, csv_path: Path):
    """Two queues, 30 agents, `rows` calls over three years ending yesterday; the same rows to CSV."""
    from django.db import connection, transaction
    from django.utils import timezone

    from opscenter.callcenter.choices import Outcome
    from opscenter.callcenter.models import Call
    from opscenter.callcenter.services import queue_create
    from opscenter.core.testing import make_department, make_site, make_staff
    from opscenter.imports.bulk import bulk_session, insert_adapter, insert_rows

    site = make_site("bench-cc", "基准客服中心", kind="call_center")
    department = make_department(site, "call_center")
    queues = [
        queue_create(
            actor=None, site_id=site.pk, code="q1", name="热线一", sl_seconds=20, short_abandon_seconds=5
        ),
        queue_create(
            actor=None, site_id=site.pk, code="q2", name="热线二", sl_seconds=30, short_abandon_seconds=8
        ),
    ]
    agents = [make_staff(department=department, name=f"坐席{i}").pk for i in range(AGENTS)]
    rng = random.Random(seed)
    tz = timezone.get_default_timezone()
    end = timezone.localdate() - dt.timedelta(days=1)
    first = end - dt.timedelta(days=DAYS - 1)
    adapt = {
        c: insert_adapter(Call, c)
        for c in ("arrived_at", "answered_at", "ended_at", "local_date", "created_at")
    }
    created = adapt["created_at"](timezone.now())
    per_day = rows / DAYS
    written = 0
    day_index = 0
    started = time.perf_counter()
    # Secondary indexes are built once after the load (a bulk load's usual order): inserting 10M
    # rows into five B-trees at random positions is what makes a naive load slow.
    deferred = [index for index in Call._meta.indexes]
    with connection.schema_editor() as editor:
        for index in deferred:
            editor.remove_index(Call, index)
    with open(csv_path, "w", newline="") as handle, transaction.atomic(), bulk_session():
        out = csv.writer(handle)
        out.writerow(["queue_id", "parent_id", "outcome", "wait_seconds", "handle_seconds", "talk_seconds", "fcr", "agent_id", "local_date", "slot"])  # fmt: skip
        batch: list[tuple] = []
        while written < rows:
            day = first + dt.timedelta(days=day_index % DAYS)
            day_index += 1
            midnight = dt.datetime.combine(day, dt.time(0), tzinfo=tz)
            local_day = adapt["local_date"](day)
            n = min(
                int(per_day * (1.3 if day.weekday() == 0 else 0.6 if day.weekday() >= 5 else 1.0)),
                rows - written,
            )
            for i in range(n):
                second = rng.randrange(7 * 3600, 22 * 3600)
                arrived = midnight + dt.timedelta(seconds=second)
                wait = int(rng.expovariate(1 / 18))
                queue = queues[i & 1]
                slot = second // 900
                if rng.random() < 0.08:
                    row = (site.pk, queue.pk, "", f"{day_index}-{i}", "in", "", adapt["arrived_at"](arrived), None,
                           adapt["ended_at"](arrived + dt.timedelta(seconds=wait)), Outcome.ABANDONED, wait, 0, 0, 0, 0,
                           None, None, "", None, None, local_day, slot, created)  # fmt: skip
                    out.writerow(
                        [queue.pk, "", int(Outcome.ABANDONED), wait, 0, 0, "", "", day.isoformat(), slot]
                    )
                else:
                    talk = int(rng.lognormvariate(5.2, 0.5))
                    agent = agents[rng.randrange(AGENTS)]
                    fcr = rng.random() < 0.8
                    answered = arrived + dt.timedelta(seconds=wait)
                    row = (site.pk, queue.pk, "", f"{day_index}-{i}", "in", "", adapt["arrived_at"](arrived),
                           adapt["answered_at"](answered), adapt["ended_at"](answered + dt.timedelta(seconds=talk)),
                           Outcome.ANSWERED, wait, talk, 0, 30, talk + 30, agent, None, "", None, fcr, local_day, slot,
                           created)  # fmt: skip
                    out.writerow([queue.pk, "", int(Outcome.ANSWERED), wait, talk + 30, talk, int(fcr), agent, day.isoformat(), slot])  # fmt: skip
                batch.append(row)
                if len(batch) >= CHUNK:
                    insert_rows(Call, COLUMNS, batch, adapted=True)
                    batch.clear()
            written += n
            if written // PROGRESS != (written - n) // PROGRESS:
                print(f"  {written:,} rows, {time.perf_counter() - started:.0f} s", flush=True)
        insert_rows(Call, COLUMNS, batch, adapted=True)
    inserted = time.perf_counter()
    with connection.schema_editor() as editor:
        for index in deferred:
            editor.add_index(Call, index)
    indexed = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    print(
        f"loaded {written:,} calls in {time.perf_counter() - started:.1f} s ({connection.vendor}): "
        f"insert {inserted - started:.1f} s, indexes {indexed - inserted:.1f} s, analyze {time.perf_counter() - indexed:.1f} s",
        flush=True,
    )
    return queues, end


def duck_setup(csv_path: Path):
    import duckdb

    con = duckdb.connect()
    con.execute(
        "CREATE TABLE calls AS SELECT * FROM read_csv(?, header=true, columns={'queue_id':'INTEGER','parent_id':'INTEGER',"
        "'outcome':'SMALLINT','wait_seconds':'INTEGER','handle_seconds':'INTEGER','talk_seconds':'INTEGER','fcr':'SMALLINT',"
        "'agent_id':'INTEGER','local_date':'DATE','slot':'SMALLINT'})",
        [str(csv_path)],
    )
    return con


def _thresholds(queues, attr: str, op: str) -> str:
    return (
        "("
        + " OR ".join(f"(queue_id = {q.pk} AND wait_seconds {op} {getattr(q, attr)})" for q in queues)
        + ")"
    )


def duck_profile(con, queues, start, end):
    """The same figures as `stats.aggregates` per (day, 15-minute slot), folded to half hours."""
    short = _thresholds(queues, "short_abandon_seconds", "<")
    within = _thresholds(queues, "sl_seconds", "<=")
    rows = con.execute(
        f"""SELECT slot // 2 AS i,
               count(*) FILTER (WHERE parent_id IS NULL),
               count(*) FILTER (WHERE parent_id IS NULL AND outcome = 1),
               count(*) FILTER (WHERE parent_id IS NULL AND outcome = 2),
               count(*) FILTER (WHERE parent_id IS NULL AND outcome = 2 AND {short}),
               count(*) FILTER (WHERE parent_id IS NULL AND outcome = 1 AND {within}),
               coalesce(sum(wait_seconds) FILTER (WHERE parent_id IS NULL AND outcome = 1), 0),
               count(*) FILTER (WHERE parent_id IS NULL AND wait_seconds > 0),
               count(*) FILTER (WHERE outcome = 1),
               coalesce(sum(handle_seconds) FILTER (WHERE outcome = 1), 0),
               count(*) FILTER (WHERE parent_id IS NULL AND outcome = 1 AND fcr = 1),
               count(*) FILTER (WHERE parent_id IS NULL AND outcome = 1 AND fcr IS NOT NULL),
               count(DISTINCT agent_id) FILTER (WHERE outcome = 1),
               count(*) FILTER (WHERE parent_id IS NULL AND outcome = 0)
           FROM calls WHERE queue_id IN ({",".join(str(q.pk) for q in queues)}) AND local_date BETWEEN ? AND ?
           GROUP BY local_date, slot""",
        [start, end],
    ).fetchall()
    out: dict[int, list[int]] = {}
    for r in rows:
        acc = out.setdefault(r[0], [0] * 13)
        for k, x in enumerate(r[1:]):
            acc[k] += int(x)
    return {i: tuple(v) for i, v in out.items()}


def duck_agents(con, queues, start, end):
    """The same figures as `stats.agent_table` (every aggregate but distinct agents) per agent."""
    short = _thresholds(queues, "short_abandon_seconds", "<")
    within = _thresholds(queues, "sl_seconds", "<=")
    rows = con.execute(
        f"""SELECT agent_id,
               count(*) FILTER (WHERE parent_id IS NULL),
               count(*) FILTER (WHERE parent_id IS NULL AND outcome = 1),
               count(*) FILTER (WHERE parent_id IS NULL AND outcome = 2),
               count(*) FILTER (WHERE parent_id IS NULL AND outcome = 2 AND {short}),
               count(*) FILTER (WHERE parent_id IS NULL AND outcome = 1 AND {within}),
               coalesce(sum(wait_seconds) FILTER (WHERE parent_id IS NULL AND outcome = 1), 0),
               count(*) FILTER (WHERE parent_id IS NULL AND wait_seconds > 0),
               count(*) FILTER (WHERE outcome = 1),
               coalesce(sum(handle_seconds) FILTER (WHERE outcome = 1), 0),
               count(*) FILTER (WHERE parent_id IS NULL AND outcome = 1 AND fcr = 1),
               count(*) FILTER (WHERE parent_id IS NULL AND outcome = 1 AND fcr IS NOT NULL),
               0,
               count(*) FILTER (WHERE parent_id IS NULL AND outcome = 0)
           FROM calls WHERE queue_id IN ({",".join(str(q.pk) for q in queues)}) AND local_date BETWEEN ? AND ?
             AND agent_id IS NOT NULL GROUP BY 1""",
        [start, end],
    ).fetchall()
    return {r[0]: tuple(int(x) for x in r[1:]) for r in rows}


def ours_profile(queues, start, end):
    from opscenter.callcenter import stats

    prof = stats.interval_profile(queues, start, end, minutes=30)
    return {k[0]: tuple(getattr(f, name) for name in stats.FIELDS) for k, f in prof.items()}


def ours_agents(queues, start, end):
    from opscenter.callcenter import stats

    table = stats.agent_table(queues, start, end)
    return {a: tuple(getattr(f, name) for name in stats.FIELDS) for a, f in table.items()}


def timed(fn, *args):
    started = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - started, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=int(os.environ.get("CALLCENTER_BENCH_ROWS", 500_000)))
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args()
    setup_django()
    from django.db import connection

    from opscenter.callcenter import erlang

    csv_path = BENCH_DIR / "callcenter.csv"
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    queues, end = load(args.rows, args.seed, csv_path)
    con = duck_setup(csv_path)
    month_start = (end.replace(day=1) - dt.timedelta(days=1)).replace(day=1)  # the last complete month
    month_end = end.replace(day=1) - dt.timedelta(days=1)
    cases = {
        "intraday profile (30-min, one month)": (
            ours_profile,
            lambda: duck_profile(con, queues, month_start, month_end),
        ),
        "agent table (one month)": (ours_agents, lambda: duck_agents(con, queues, month_start, month_end)),
    }
    print(
        f"database: {connection.vendor}; rows: {args.rows:,}; month {month_start} – {month_end}; median of {args.repeat}"
    )
    worst = 0.0
    for name, (ours, duck) in cases.items():
        times_ours, times_duck = [], []
        for _ in range(args.repeat):
            t, mine = timed(ours, queues, month_start, month_end)
            times_ours.append(t)
            t, theirs = timed(duck)
            times_duck.append(t)
        if mine != theirs:
            sys.exit(f"{name}: results differ between opscenter and DuckDB")
        a, b = statistics.median(times_ours), statistics.median(times_duck)
        worst = max(worst, a / b)
        print(f"{name:40s} opscenter {a * 1000:8.1f} ms   DuckDB {b * 1000:8.1f} ms   ratio {a / b:5.2f}×")
    volumes = [min(5000, 100 + 110 * i) for i in range(48)]
    plans = []
    for _ in range(args.repeat):
        t, _plan = timed(
            lambda: erlang.day_plan(
                volumes, interval_minutes=30, aht_seconds=300, target_sl=0.8, target_seconds=20
            )
        )
        plans.append(t)
    plan_ms = statistics.median(plans) * 1000
    print(f"{'Erlang C day plan (48 × up to 5,000 calls)':40s} {plan_ms:8.1f} ms   target < 50 ms")
    print(f"worst ratio to DuckDB: {worst:.2f}× (target ≤ 2×)")


if __name__ == "__main__":
    main()
