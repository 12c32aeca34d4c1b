#!/usr/bin/env python
"""Commitment monitor at chain scale: `monitor.classify` (the set-based heart of a monitor pass)
vs the same classification in hand-written SQL, over open stage instances across 30 sites.

    .venv/bin/python bench/commitments_bench.py                # 1,000,000 open stages
    .venv/bin/python bench/commitments_bench.py --scale 0.1    # a quick run
    scripts/with-postgres.sh .venv/bin/python bench/commitments_bench.py --scale 0.1

Database: a throwaway SQLite file var/bench/commitments.sqlite3 (recreated each run), or the
database in OPSCENTER_DATABASE_URL (migrated; refused if it already holds stages). Rows are loaded
with raw executemany: due and warning moments spread over ±5 days around "now", so about half of
the stages breach and a tenth warn. Each contender then runs `--repeat` times, interleaved, the
stages reset to open before every run (not timed); medians are reported. Both must move the same
number of stages (checked); the number of queries `classify` issues is printed (a fixed four
statements in one transaction, whatever the scale). Target: classify within 2× of hand SQL.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench"
SQLITE_PATH = BENCH_DIR / "commitments.sqlite3"
sys.path.insert(0, str(ROOT))

STAGES = 1_000_000
SITES = 30
CHUNK = 50_000


def setup_django() -> None:
    if not os.environ.get("OPSCENTER_DATABASE_URL"):
        BENCH_DIR.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)
        os.environ["OPSCENTER_DATABASE_URL"] = f"sqlite:///{SQLITE_PATH}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opscenter.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def load(n: int, now: dt.datetime) -> list[int]:
    """Sites, one tree per site, n measurements with one open level-1 stage each."""
    from django.db import connection

    from opscenter.commitments import services
    from opscenter.commitments.choices import Event, TreeStatus
    from opscenter.commitments.models import StageMeasurement
    from opscenter.commitments.services import NodeSpec
    from opscenter.org.models import Site

    if StageMeasurement.objects.exists():
        sys.exit("the database already holds stages; use an empty database")
    commitments = []
    for i in range(SITES):
        site = Site.objects.create(code=f"bench{i}", name=f"压测院区{i}")
        tree = services.commitment_tree_create(
            actor=None, site_id=site.pk, family="bench", name="压测承诺",
            root=NodeSpec(name="送货", start_event=Event.ORDER_PLACED, end_event=Event.DELIVERED,
                          allowance_minutes=1080),
        )  # fmt: skip
        services.commitment_tree_transition(actor=None, tree_id=tree.pk, to_status=TreeStatus.ACTIVE)
        commitments.append((site.pk, tree.pk, tree.commitments.get().pk))
    rng = random.Random(13)
    q = connection.ops.quote_name
    a = connection.ops.adapt_datetimefield_value  # store moments exactly as the ORM does
    with connection.cursor() as cur:
        for start in range(0, n, CHUNK):
            m_rows, s_rows = [], []
            for i in range(start, min(n, start + CHUNK)):
                site_id, tree_id, commitment_id = commitments[i % SITES]
                due = now + dt.timedelta(minutes=rng.randint(-7200, 7200))
                warn = due - dt.timedelta(minutes=216)
                started = due - dt.timedelta(hours=40)
                m_rows.append(
                    (i + 1, tree_id, site_id, "order", str(i), "", "{}", "{}", "open", a(started), a(now))
                )
                s_rows.append((i + 1, commitment_id, site_id, 1, "open", a(started), a(warn), a(due), 0, ""))
            cur.executemany(
                f"INSERT INTO {q('commitments_measurement')} (id, tree_id, site_id, subject_kind, subject_ref,"
                f" label, events, {q('values')}, status, started_at, created_at)"
                " VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)",
                m_rows,
            )
            cur.executemany(
                f"INSERT INTO {q('commitments_stagemeasurement')} (measurement_id, commitment_id, site_id, level,"
                " status, started_at, warn_at, due_at, overrun_minutes, attribution)"
                " VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)",
                s_rows,
            )
        cur.execute("ANALYZE")
    return [c[2] for c in commitments]


def reset() -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "UPDATE commitments_stagemeasurement SET status = 'open', claim = NULL, warned_at = NULL,"
            " breached_at = NULL WHERE status <> 'open'"
        )
        cur.execute("UPDATE commitments_measurement SET status = 'open' WHERE status <> 'open'")


def run_classify(now: dt.datetime) -> tuple[int, int]:
    from opscenter.commitments.monitor import classify

    return classify(now, uuid.uuid4())


def run_hand_sql(now: dt.datetime) -> tuple[int, int]:
    """The same classification written by hand: two UPDATEs and the instances' status."""
    from django.db import connection, transaction

    token = uuid.uuid4().hex
    now = connection.ops.adapt_datetimefield_value(now)
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            "UPDATE commitments_stagemeasurement SET status = 'breached', breached_at = %s, claim = %s"
            " WHERE status IN ('open', 'warning') AND ended_at IS NULL AND started_at IS NOT NULL"
            " AND due_at <= %s",
            [now, token, now],
        )
        breached = cur.rowcount
        cur.execute(
            "UPDATE commitments_stagemeasurement SET status = 'warning', warned_at = %s, claim = %s"
            " WHERE status = 'open' AND ended_at IS NULL AND started_at IS NOT NULL AND warn_at <= %s"
            " AND due_at > %s",
            [now, token, now, now],
        )
        warned = cur.rowcount
        cur.execute(
            "UPDATE commitments_measurement SET status = (SELECT s.status FROM commitments_stagemeasurement s"
            " WHERE s.measurement_id = commitments_measurement.id AND s.level = 1 LIMIT 1)"
            " WHERE id IN (SELECT measurement_id FROM commitments_stagemeasurement WHERE claim = %s AND level = 1)",
            [token],
        )
    return breached, warned


def count_queries(now: dt.datetime) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        run_classify(now)
    reset()
    return len(ctx.captured_queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    setup_django()
    from django.db import connection
    from django.utils import timezone

    n = max(1000, int(STAGES * args.scale))
    now = timezone.now().replace(microsecond=0)
    t0 = time.perf_counter()
    load(n, now)
    print(
        f"{connection.vendor}: loaded {n:,} open stages over {SITES} sites in {time.perf_counter() - t0:.1f} s"
    )
    queries = count_queries(now)
    times: dict[str, list[float]] = {"classify": [], "hand SQL": []}
    answers: dict[str, tuple[int, int]] = {}
    for _ in range(args.repeat):
        for name, fn in (("classify", run_classify), ("hand SQL", run_hand_sql)):
            reset()
            t = time.perf_counter()
            answers[name] = fn(now)
            times[name].append(time.perf_counter() - t)
    reset()
    if answers["classify"] != answers["hand SQL"]:
        sys.exit(f"MISMATCH: {answers}")
    breached, warned = answers["classify"]
    median = {k: statistics.median(v) for k, v in times.items()}
    ratio = median["classify"] / median["hand SQL"]
    print(f"breached {breached:,}, warned {warned:,}; classify issues {queries} queries")
    for name, value in median.items():
        print(f"  {name:9s} {value * 1000:9.1f} ms (median of {args.repeat})")
    print(f"  ratio {ratio:.2f}× (target ≤ 2×) {'OK' if ratio <= 2 else 'SLOW'}")


if __name__ == "__main__":
    main()
