#!/usr/bin/env python
"""Funnel at chain scale: the `pipeline.selectors.funnel` selector vs hand-written SQL vs DuckDB.

    .venv/bin/python bench/funnel_bench.py                  # 1,000,000 customers, 2,000,000 consultations
    .venv/bin/python bench/funnel_bench.py --scale 0.05     # a quick run
    scripts/with-postgres.sh .venv/bin/python bench/funnel_bench.py --scale 0.1   # on PostgreSQL

Database: a throwaway SQLite file var/bench/funnel.sqlite3 (recreated each run), or the database in
OPSCENTER_DATABASE_URL when it is set (migrated; refused if it already holds customers, unless
--reset, which empties the pipeline tables). Rows are loaded with raw executemany (indexes are
dropped during the load and rebuilt after, then ANALYZE). Then, for a quarter and a full year, in
the cohort and the event view, each contender runs `--repeat` times, interleaved (median reported):

* selector — `funnel(user=superuser, filters=…)`: five aggregate queries through the ORM;
* hand SQL — the same numbers written by hand (COUNT(*) FILTER … GROUP BY month), answered from
  the covering indexes `(month | cohort_month, site, …)` the migration creates;
* DuckDB   — the same SQL over the same rows in an in-memory DuckDB (loaded from CSV).

All three must return identical numbers (checked). Target: selector within 2× of hand SQL.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench"
SQLITE_PATH = BENCH_DIR / "funnel.sqlite3"
sys.path.insert(0, str(ROOT))

CUSTOMERS = 1_000_000
SITES = 4
STAFF_PER_SITE = 30
FIRST_MONTH = 202412  # two years of cohorts: a quarter is ~1/8 of the rows, a year ~1/2
MONTHS = 24
CHUNK = 50_000
EVENT_TABLES = ("pipeline_consultation", "pipeline_appointment", "pipeline_visit", "pipeline_deal")
CHANNEL_KINDS = ("referral", "offline", "online", "phone", "walk_in", "other")
PERIODS = {"quarter": (202607, 202609), "year": (202512, 202611)}


def month_add(key: int, n: int) -> int:
    i = (key // 100) * 12 + key % 100 - 1 + n
    return (i // 12) * 100 + i % 12 + 1


def setup_django(reset: bool) -> None:
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
    from opscenter.pipeline.models import Customer

    if Customer.objects.exists():
        if not reset:
            sys.exit(
                "funnel_bench: the database already holds customers; use a throwaway database or --reset"
            )
        from django.db import connection

        with connection.cursor() as cur:
            for table in (
                *reversed(EVENT_TABLES),
                "pipeline_dealline",
                "pipeline_transaction",
                "pipeline_followup",
                "pipeline_exit",
                "pipeline_assessment",
                "pipeline_ownershipchange",
                "pipeline_customer",
            ):
                cur.execute(f"DELETE FROM {table}")


# --- data ------------------------------------------------------------------------------------------


def build_org():
    """Sites, a department and three teams per site, staff, and a superuser (few rows, via the ORM)."""
    from opscenter.core.models import User
    from opscenter.org.models import Department, Site, Staff, Team

    staff_by_site: dict[int, list[tuple[int, int]]] = {}
    for n in range(SITES):
        site, _ = Site.objects.get_or_create(
            code=f"bench{n}", defaults={"name": f"基准院区{n}", "city": "宁波"}
        )
        dept, _ = Department.objects.get_or_create(site=site, name="市场部", defaults={"kind": "marketing"})
        teams = [Team.objects.get_or_create(department=dept, name=f"{k}组")[0] for k in range(3)]
        people = []
        for k in range(STAFF_PER_SITE):
            staff, _ = Staff.objects.get_or_create(
                employee_no=f"B{n}{k:03d}",
                defaults={"name": f"咨询{n}-{k}", "department": dept, "team": teams[k % 3]},
            )
            people.append((staff.pk, staff.team_id))
        staff_by_site[site.pk] = people
    user = User.objects.filter(username="bench-admin").first() or User.objects.create_superuser(
        "bench-admin", password=None
    )
    return staff_by_site, user


def generate(scale: float, staff_by_site, seed: int = 2026):
    """Yield chunks of rows per table: plain tuples in the column order of COLUMNS."""
    from opscenter.pipeline.models import Channel

    rng = random.Random(seed)
    channels = {c.kind: c.pk for c in Channel.objects.filter(site__isnull=True)}
    sites = sorted(staff_by_site)
    total = int(CUSTOMERS * scale)
    consult_id = appt_id = visit_id = deal_id = 0
    for start in range(0, total, CHUNK):
        rows: dict[str, list[tuple]] = {t: [] for t in ("pipeline_customer", *EVENT_TABLES)}
        for cid in range(start + 1, min(start + CHUNK, total) + 1):
            site = sites[cid % len(sites)]
            owner, team = rng.choice(staff_by_site[site])
            kind = rng.choices(CHANNEL_KINDS, weights=(31, 35, 20, 8, 4, 2))[0]
            channel = channels[kind]
            local = rng.random() < 0.85
            cohort = month_add(FIRST_MONTH, rng.randrange(MONTHS))
            day = rng.randint(1, 28)
            first = f"{cohort // 100}-{cohort % 100:02d}-{day:02d}"
            stamp = f"{first} 02:{rng.randrange(60):02d}:00"
            rows["pipeline_customer"].append(
                (cid, site, f"客户{cid}", f"13{cid:09d}", "unknown", "", "", local, channel, kind, owner, stamp,
                 "prospect", "[]", first, cohort, "", False, stamp)
            )  # fmt: skip
            event = (site, cid, cohort, channel, kind, local, owner, team)
            first_mode = "online" if kind == "online" else ("onsite" if kind == "walk_in" else "phone")
            for k in range(rng.choice((1, 2, 3))):
                consult_id += 1
                month = cohort if k == 0 else month_add(cohort, rng.choice((0, 0, 1)))
                mode = first_mode if k == 0 else rng.choice(("phone", "online", first_mode))
                rows["pipeline_consultation"].append(
                    (
                        consult_id,
                        stamp,
                        *event[:2],
                        month,
                        *event[2:],
                        mode,
                        owner,
                        stamp,
                        "",
                        "medium",
                        "",
                        k == 0,
                    )
                )
            month = month_add(cohort, rng.choice((0, 0, 1)))
            appointment = None
            if first_mode != "onsite" and rng.random() < 0.5:
                appt_id += 1
                status = rng.choices(
                    ("arrived", "no_show", "cancelled", "rescheduled", "booked"), (60, 20, 8, 5, 7)
                )[0]
                rows["pipeline_appointment"].append(
                    (
                        appt_id,
                        stamp,
                        *event[:2],
                        month,
                        *event[2:],
                        first_mode,
                        owner,
                        stamp,
                        stamp,
                        status,
                        "",
                    )
                )
                appointment = status
            if appointment == "arrived" or first_mode == "onsite" or rng.random() < 0.05:
                visit_id += 1
                source = {"onsite": "walk_in"}.get(first_mode, first_mode)
                rows["pipeline_visit"].append(
                    (
                        visit_id,
                        stamp,
                        *event[:2],
                        month,
                        *event[2:],
                        stamp,
                        source,
                        "consultation",
                        True,
                        "pending",
                        "",
                    )
                )
                for k in range(rng.choices((0, 1, 2), (45, 45, 10))[0]):
                    deal_id += 1
                    signed = month if k == 0 else month_add(month, 1)
                    rows["pipeline_deal"].append(
                        (deal_id, stamp, *event[:2], signed, *event[2:], owner, first, rng.randrange(1, 5000) * 1000,
                         "", "", "signed" if rng.random() < 0.97 else "cancelled", k == 0, "")
                    )  # fmt: skip
        yield rows


EVENT_COLUMNS = ("site_id", "customer_id", "month", "cohort_month", "channel_id", "channel_kind", "is_local",
                 "owner_id", "team_id")  # fmt: skip
COLUMNS = {
    "pipeline_customer": ("id", "site_id", "name", "phone", "gender", "profession", "city", "is_local", "channel_id",
                          "channel_kind", "owner_id", "owner_since", "status", "tags", "first_contact_on",
                          "cohort_month", "note", "is_deleted", "created_at"),
    "pipeline_consultation": ("id", "created_at", *EVENT_COLUMNS, "mode", "staff_id", "occurred_at", "content",
                              "intent", "next_step", "is_first"),
    "pipeline_appointment": ("id", "created_at", *EVENT_COLUMNS, "mode", "booked_by_id", "booked_at",
                             "scheduled_for", "status", "note"),
    "pipeline_visit": ("id", "created_at", *EVENT_COLUMNS, "arrived_at", "source", "kind", "is_new_customer",
                       "outcome", "note"),
    "pipeline_deal": ("id", "created_at", *EVENT_COLUMNS, "consultant_id", "signed_on", "amount_fen", "stay_type",
                      "care_zone", "status", "is_new_customer", "note"),
}  # fmt: skip
# What DuckDB gets: the columns the funnel reads.
DUCK_COLUMNS = {
    "pipeline_consultation": ("month", "cohort_month", "site_id", "mode", "is_local"),
    "pipeline_appointment": ("month", "cohort_month", "site_id", "mode", "is_local", "status"),
    "pipeline_visit": ("month", "cohort_month", "site_id", "source", "is_local", "is_new_customer"),
    "pipeline_deal": (
        "month",
        "cohort_month",
        "site_id",
        "status",
        "is_new_customer",
        "customer_id",
        "amount_fen",
    ),
}


def load(scale: float, staff_by_site) -> dict[str, int]:
    """Insert every row with executemany, indexes dropped meanwhile; CSV copies for DuckDB."""
    from django.db import connection

    vendor = connection.vendor
    tables = ("pipeline_customer", *EVENT_TABLES)
    with connection.cursor() as cur:
        if vendor == "sqlite":
            cur.execute("PRAGMA synchronous=OFF")
            cur.execute(
                f"SELECT name, sql FROM sqlite_master WHERE type='index' AND sql IS NOT NULL "
                f"AND tbl_name IN ({','.join('%s' for _ in tables)})",
                tables,
            )
        else:
            cur.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) AND indexname NOT LIKE '%%pkey'"
                " AND indexname NOT IN (SELECT conname FROM pg_constraint)",
                [list(tables)],
            )
        indexes = cur.fetchall()
        for name, _sql in indexes:
            cur.execute(f'DROP INDEX "{name}"')
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    csv_files = {t: open(BENCH_DIR / f"{t}.csv", "w", newline="") for t in DUCK_COLUMNS}  # noqa: SIM115
    writers = {t: csv.writer(f) for t, f in csv_files.items()}
    for t, w in writers.items():
        w.writerow(DUCK_COLUMNS[t])
    positions = {t: [COLUMNS[t].index(c) for c in DUCK_COLUMNS[t]] for t in DUCK_COLUMNS}
    counts = dict.fromkeys(tables, 0)
    for chunk in generate(scale, staff_by_site):
        with connection.cursor() as cur:
            for table in tables:
                cols = COLUMNS[table]
                sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('%s' for _ in cols)})"
                cur.executemany(sql, chunk[table])
                counts[table] += len(chunk[table])
                if table in writers:
                    pos = positions[table]
                    writers[table].writerows(
                        [
                            ("true" if v is True else "false" if v is False else v)
                            for v in (row[i] for i in pos)
                        ]
                        for row in chunk[table]
                    )
    for f in csv_files.values():
        f.close()
    with connection.cursor() as cur:
        for _name, sql in indexes:
            cur.execute(sql)
        if vendor == "sqlite":
            cur.execute("ANALYZE")
            cur.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # a steady-state database, not a fresh bulk load
    if vendor == "postgresql":
        # Index-only scans need the visibility map: what autovacuum would do after a bulk load.
        connection.ensure_connection()
        raw = connection.connection
        autocommit = raw.autocommit
        raw.autocommit = True
        with raw.cursor() as cur:
            for table in tables:
                cur.execute(f"VACUUM ANALYZE {table}")
        raw.autocommit = autocommit
    return counts


# --- the contenders ----------------------------------------------------------------------------------

HAND_SQL = {
    "pipeline_consultation": """
        COUNT(*) AS consultations,
        COUNT(*) FILTER (WHERE mode = 'phone') AS consultations_phone,
        COUNT(*) FILTER (WHERE mode = 'online' AND is_local) AS consultations_online_local,
        COUNT(*) FILTER (WHERE mode = 'online' AND NOT is_local) AS consultations_online_remote,
        COUNT(*) FILTER (WHERE mode = 'onsite') AS consultations_onsite""",
    "pipeline_appointment": """
        COUNT(*) FILTER (WHERE status <> 'rescheduled') AS appointments,
        COUNT(*) FILTER (WHERE status <> 'rescheduled' AND mode = 'phone') AS appointments_phone,
        COUNT(*) FILTER (WHERE status <> 'rescheduled' AND mode = 'online' AND is_local) AS appointments_online_local,
        COUNT(*) FILTER (WHERE status <> 'rescheduled' AND mode = 'online' AND NOT is_local)
            AS appointments_online_remote,
        COUNT(*) FILTER (WHERE status = 'arrived') AS appointments_arrived,
        COUNT(*) FILTER (WHERE status = 'no_show') AS appointments_no_show,
        COUNT(*) FILTER (WHERE status IN ('arrived', 'no_show')) AS appointments_due""",
    "pipeline_visit": """
        COUNT(*) AS visits,
        COUNT(*) FILTER (WHERE source = 'phone') AS visits_phone,
        COUNT(*) FILTER (WHERE source = 'online' AND is_local) AS visits_online_local,
        COUNT(*) FILTER (WHERE source = 'online' AND NOT is_local) AS visits_online_remote,
        COUNT(*) FILTER (WHERE source = 'walk_in') AS visits_walk_in,
        COUNT(*) FILTER (WHERE is_new_customer) AS visits_new""",
    "pipeline_deal": """
        COUNT(*) FILTER (WHERE status = 'signed') AS deals,
        COUNT(*) FILTER (WHERE status = 'signed' AND is_new_customer) AS deals_new,
        COALESCE(SUM(amount_fen) FILTER (WHERE status = 'signed'), 0) AS revenue_fen,
        COUNT(DISTINCT customer_id) FILTER (WHERE status = 'signed') AS deal_customers""",
}
DISTINCT_SQL = "SELECT COUNT(DISTINCT customer_id) FROM pipeline_deal WHERE status = 'signed' AND {m} >= {p} AND {m} <= {p}"


def hand_queries(month_field: str, placeholder: str) -> list[tuple[str, str]]:
    return [
        (
            table,
            f"SELECT {month_field} AS m, {select} FROM {table} "
            f"WHERE {month_field} >= {placeholder} AND {month_field} <= {placeholder} GROUP BY {month_field} ORDER BY 1",
        )
        for table, select in HAND_SQL.items()
    ]


def run_sql(execute, month_field: str, first: int, last: int, placeholder: str) -> dict:
    """Run the hand-written queries through `execute(sql, params) -> (column names, rows)`."""
    result: dict = {}
    for _table, sql in hand_queries(month_field, placeholder):
        names, rows = execute(sql, [first, last])
        for row in rows:
            result.setdefault(row[0], {}).update({n: int(v) for n, v in zip(names[1:], row[1:], strict=True)})
    _names, rows = execute(DISTINCT_SQL.format(m=month_field, p=placeholder), [first, last])
    result["total_deal_customers"] = int(rows[0][0])
    return result


def selector_numbers(funnel) -> dict:
    result: dict = {}
    for row in funnel.months:
        if not any(row.counts.values()):
            continue
        result[row.month] = {
            **row.counts,
            "revenue_fen": row.revenue_fen,
            "deal_customers": row.deal_customers,
        }
    result["total_deal_customers"] = funnel.total.deal_customers
    return result


def normalize(numbers: dict) -> dict:
    """Every month with any row, every metric (a month absent from one table's GROUP BY is zeros)."""
    from opscenter.pipeline.selectors import METRICS

    keys = [*METRICS, "revenue_fen", "deal_customers"]
    out: dict = {"total_deal_customers": int(numbers["total_deal_customers"])}
    for month, values in numbers.items():
        if month == "total_deal_customers":
            continue
        row = {k: int(values.get(k, 0)) for k in keys}
        if any(row.values()):
            out[month] = row
    return out


def timed(contenders: list, repeat: int) -> list[tuple[float, object]]:
    """Median seconds and last result of each callable. Runs are interleaved (one of each per
    round) so that load from elsewhere on the machine falls on all contenders alike."""
    results = [fn() for fn in contenders]  # warm-up (page cache, statement cache, scope resolution)
    times: list[list[float]] = [[] for _ in contenders]
    for _ in range(repeat):
        for i, fn in enumerate(contenders):
            started = time.perf_counter()
            results[i] = fn()
            times[i].append(time.perf_counter() - started)
    return [(statistics.median(t), r) for t, r in zip(times, results, strict=True)]


def explain(connection, month_field: str) -> str:
    _t, sql = hand_queries(month_field, "%s")[0]
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute("EXPLAIN QUERY PLAN " + sql, [202607, 202609])
            return "; ".join(str(r[-1]) for r in cur.fetchall())
        cur.execute("EXPLAIN " + sql, [202607, 202609])
        return "; ".join(r[0].strip() for r in cur.fetchall() if "Scan" in r[0])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--scale", type=float, default=1.0, help="fraction of 1,000,000 customers (default 1)"
    )
    parser.add_argument("--repeat", type=int, default=7, help="timed runs per contender (median reported)")
    parser.add_argument(
        "--reset", action="store_true", help="empty the pipeline tables of a non-throwaway database"
    )
    args = parser.parse_args()

    setup_django(args.reset)
    import duckdb
    from django.db import connection

    from opscenter.pipeline.selectors import FunnelFilters, funnel

    started = time.perf_counter()
    staff_by_site, user = build_org()
    counts = load(args.scale, staff_by_site)
    load_seconds = time.perf_counter() - started

    duck = duckdb.connect(":memory:")
    for table in DUCK_COLUMNS:
        duck.execute(f"CREATE TABLE {table} AS SELECT * FROM read_csv_auto('{BENCH_DIR / (table + '.csv')}')")

    def django_execute(sql, params):
        with connection.cursor() as cur:
            cur.execute(sql, params)
            return [c[0] for c in cur.description], cur.fetchall()

    def duck_execute(sql, params):
        cur = duck.execute(sql, params)
        return [c[0] for c in cur.description], cur.fetchall()

    backend = (
        f"SQLite {connection.Database.sqlite_version}"
        if connection.vendor == "sqlite"
        else f"PostgreSQL {connection.pg_version // 10000}.{connection.pg_version % 100}"
    )
    print(f"funnel benchmark on {backend} — DuckDB {duckdb.__version__}")
    print("rows: " + ", ".join(f"{t.removeprefix('pipeline_')} {n:,}" for t, n in counts.items()))
    print(f"load + index build: {load_seconds:.1f} s; median of {args.repeat} runs each\n")
    header = (
        f"{'period':<8} {'view':<7} {'selector':>9} {'hand SQL':>9} {'DuckDB':>8} {'sel/SQL':>8}  target ≤ 2×"
    )
    print(header)
    print("-" * len(header))
    all_met = True
    for view in ("cohort", "event"):  # one untimed pass over everything first: warm caches for all
        for first, last in PERIODS.values():
            funnel(user=user, filters=FunnelFilters(month_from=first, month_to=last, view=view))
    for view in ("cohort", "event"):
        month_field = "cohort_month" if view == "cohort" else "month"
        for period, (first, last) in PERIODS.items():
            filters = FunnelFilters(month_from=first, month_to=last, view=view)
            (t_sel, result), (t_sql, by_sql), (t_duck, by_duck) = timed(
                [
                    lambda f=filters: funnel(user=user, filters=f),
                    lambda m=month_field, a=first, b=last: run_sql(django_execute, m, a, b, "%s"),
                    lambda m=month_field, a=first, b=last: run_sql(duck_execute, m, a, b, "?"),
                ],
                args.repeat,
            )
            by_selector = normalize(selector_numbers(result))
            if not (by_selector == normalize(by_sql) == normalize(by_duck)):
                sys.exit(f"funnel_bench: the contenders disagree for {period}/{view}")
            ratio = t_sel / t_sql if t_sql else float("inf")
            met = ratio <= 2.0
            all_met &= met
            print(
                f"{period:<8} {view:<7} {t_sel:>8.3f}s {t_sql:>8.3f}s {t_duck:>7.3f}s {ratio:>7.2f}×  "
                f"{'met' if met else 'MISSED'}"
            )
    print(f"\nplan (hand SQL, consultations, cohort view): {explain(connection, 'cohort_month')}")
    print(f"plan (hand SQL, consultations, event view):  {explain(connection, 'month')}")
    print("all three contenders returned identical numbers")
    print("target met" if all_met else "target MISSED")
    if not all_met:
        sys.exit(1)


if __name__ == "__main__":
    main()
