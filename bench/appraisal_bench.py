#!/usr/bin/env python
"""A month's appraisal run at chain scale vs reading the same metric values with hand-written SQL.

    .venv/bin/python bench/appraisal_bench.py                   # 10,000 staff × 20 automatic items
    .venv/bin/python bench/appraisal_bench.py --staff 1000      # a quick run
    scripts/with-postgres.sh .venv/bin/python bench/appraisal_bench.py --staff 2000

Database: a throwaway SQLite file var/bench/appraisal.sqlite3 (recreated each run), or the database
in OPSCENTER_DATABASE_URL (migrated). The bench creates 30 sites with one department each, the staff
spread over them, and a raw table `bench_event(staff_id, day, kind, value)` with `--events` rows per
staff and metric in the month. It registers 20 metrics `bench.m01…m20` in the one registry, each a
single grouped query over that table (as an app's set-based metric is), and one published scorecard
per site with 20 automatic items (5 % weight each, the three curves in turn).

Contenders, run `--repeat` times interleaved, medians reported:
- hand SQL: the same 20 grouped queries, results into dicts (the floor: reading the values);
- run: `appraisal_run` for the month (metric reads + scoring + bulk writes of appraisals and item
  scores, rules, grades, interviews), the period's appraisals deleted before each run (not timed),
  so every run is a first computation.
The number of queries a run issues is printed (bounded: it does not grow with the staff).
Target: the run within 3× of hand SQL.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench"
SQLITE_PATH = BENCH_DIR / "appraisal.sqlite3"
sys.path.insert(0, str(ROOT))

SITES = 30
ITEMS = 20
MONTH = dt.date(2026, 10, 1)
MONTH_END = dt.date(2026, 10, 31)


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


def _sql(code: str) -> str:
    return (
        "SELECT staff_id, SUM(value) FROM bench_event WHERE kind = %s AND day >= %s AND day <= %s "
        "GROUP BY staff_id"
    )


def register_metrics() -> None:
    from django.db import connection

    from opscenter.metrics import Metric, MetricUnit, MetricValue, register

    def values_for(kind: int):
        def values(query):
            with connection.cursor() as cursor:
                cursor.execute(_sql(""), [kind, query.start, query.end])
                rows = cursor.fetchall()
            wanted = query.unit_ids
            return {
                (staff_id, MONTH): MetricValue(int(total))
                for staff_id, total in rows
                if wanted is None or staff_id in wanted
            }

        return values

    for k in range(1, ITEMS + 1):
        register(
            Metric(
                code=f"bench.m{k:02d}",
                label=f"bench metric {k}",
                unit=MetricUnit.COUNT,
                values=values_for(k),
                drill=lambda grain, unit_id, period, start: "/",
                grains=frozenset({"staff"}),
                periods=frozenset({"month"}),
                app="bench",
            )
        )


def load(staff: int, events: int, seed: int) -> None:
    from django.db import connection, transaction

    from opscenter.appraisal import services
    from opscenter.appraisal.choices import CurveKind, ItemMethod
    from opscenter.org.models import Department, Site, Staff

    rng = random.Random(seed)
    with transaction.atomic():
        sites = Site.objects.bulk_create(
            [Site(code=f"b{i:02d}", name=f"Bench site {i:02d}") for i in range(SITES)]
        )
        depts = Department.objects.bulk_create(
            [Department(site=s, name="Call center", kind="call_center") for s in sites]
        )
        Staff.objects.bulk_create(
            [
                Staff(employee_no=f"B{i:06d}", name=f"Agent {i}", department=depts[i % SITES])
                for i in range(staff)
            ],
            batch_size=5000,
        )
        ids = list(Staff.objects.filter(department__in=depts).values_list("pk", flat=True))
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TABLE bench_event (staff_id integer, day date, kind integer, value integer)"
            )
            rows = []
            for sid in ids:
                for kind in range(1, ITEMS + 1):
                    for _ in range(events):
                        rows.append(
                            (sid, MONTH + dt.timedelta(days=rng.randrange(31)), kind, rng.randrange(1, 5))
                        )
                if len(rows) >= 100_000:
                    cursor.executemany("INSERT INTO bench_event VALUES (%s, %s, %s, %s)", rows)
                    rows = []
            if rows:
                cursor.executemany("INSERT INTO bench_event VALUES (%s, %s, %s, %s)", rows)
            cursor.execute("CREATE INDEX bench_event_kind_day ON bench_event (kind, day, staff_id, value)")
        curves = [CurveKind.LINEAR, CurveKind.TARGET, CurveKind.STEP]
        for site, dept in zip(sites, depts, strict=True):
            card = services.scorecard_create(
                actor=None,
                site_id=site.pk,
                name="Bench scorecard",
                subject_kind="staff",
                department_id=dept.pk,
            )
            for k in range(1, ITEMS + 1):
                curve = curves[k % 3]
                services.scorecard_item_save(
                    actor=None, scorecard=card, order=k, name=f"Item {k}", weight="5", method=ItemMethod.METRIC,
                    metric_code=f"bench.m{k:02d}", curve=curve, zero_at="0", full_at=str(events * 4),
                    target=str(events * 3), steps=[[str(events), "60"], [str(events * 2), "80"], [str(events * 3), "100"]],
                )  # fmt: skip
            services.scorecard_publish(actor=None, scorecard=card)


def hand_sql() -> int:
    from django.db import connection

    got = 0
    with connection.cursor() as cursor:
        for k in range(1, ITEMS + 1):
            cursor.execute(_sql(""), [k, MONTH, MONTH_END])
            values = {staff_id: int(total) for staff_id, total in cursor.fetchall()}
            got += len(values)
    return got


def reset(period) -> None:
    from opscenter.appraisal.models import Appraisal, Interview, ItemScore

    Interview.objects.filter(appraisal__period=period).delete()
    ItemScore.objects.filter(appraisal__period=period).delete()
    Appraisal.objects.filter(period=period).delete()
    period.status = "open"
    period.save(update_fields=["status"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--staff", type=int, default=int(os.environ.get("BENCH_STAFF", 10_000)))
    parser.add_argument("--events", type=int, default=5, help="rows per staff and metric in the month")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    setup_django()
    register_metrics()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from opscenter.appraisal import services

    started = time.perf_counter()
    load(args.staff, args.events, args.seed)
    print(f"loaded {args.staff:,} staff × {ITEMS} metrics × {args.events} events in {time.perf_counter() - started:.1f} s "
          f"({connection.vendor})")  # fmt: skip
    period = services.period_get_or_create(label="2026-10")
    hand, run = [], []
    queries = None
    for i in range(args.repeat):
        t = time.perf_counter()
        values = hand_sql()
        hand.append(time.perf_counter() - t)
        reset(period)
        t = time.perf_counter()
        if i == 0:
            with CaptureQueriesContext(connection) as captured:
                summary = services.appraisal_run(period=period)
            queries = len(captured.captured_queries)
        else:
            summary = services.appraisal_run(period=period)
        run.append(time.perf_counter() - t)
        assert summary.appraisals == args.staff, summary
        assert values == args.staff * ITEMS, values
    h, r = statistics.median(hand), statistics.median(run)
    print(f"hand SQL (20 grouped reads):   {h:8.3f} s")
    print(f"appraisal run (read + score + write {args.staff * ITEMS:,} item scores): {r:8.3f} s")
    print(f"queries per run: {queries} (metric reads: {summary.metric_calls})")
    print(f"ratio run / hand SQL: {r / h:.2f}× (target ≤ 3×)")


if __name__ == "__main__":
    main()
