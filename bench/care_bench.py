#!/usr/bin/env python
"""Care census, occupancy and incident rates at group scale: the selectors behind the pages and
metrics (`care.selectors.census`) vs one hand-written SQL statement each, over 30 communities ×
10 years of stays.

    .venv/bin/python bench/care_bench.py                 # 30 sites × 120 beds × 10 years
    .venv/bin/python bench/care_bench.py --scale 0.1     # a quick run (12 beds per site)
    scripts/with-postgres.sh .venv/bin/python bench/care_bench.py --scale 0.2

Database: a throwaway SQLite file var/bench/care.sqlite3 (recreated each run), or the database
in OPSCENTER_DATABASE_URL (migrated; refused if it already holds stays). Each bed holds
back-to-back stays of 30–700 days (one in ten beds left empty for a while between stays), with
incidents at about 4 per 1,000 resident-days. Contenders, each run `--repeat` times interleaved,
medians reported, results compared for equality:

1. resident-days of every site × month over the 10 years (the `care.resident_days` metric);
2. incidents of every site × month (the `care.incidents` metric);
3. one community's census page (resident-days per zone × month plus today's vacancies) and its
   incident-rate page (resident-days and incidents per zone × month).

Target: within 2× of the hand-written SQL, with a bounded number of queries.
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
SQLITE_PATH = BENCH_DIR / "care.sqlite3"
sys.path.insert(0, str(ROOT))

SITES = 30
BEDS = 120
YEARS = 10
CHUNK = 20_000


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


def load(beds_per_site: int, first: dt.date, today: dt.date, rng: random.Random) -> tuple[int, int, int]:
    """Sites, zones, beds, customers, stays, bed segments and incidents (bulk, in chunks)."""
    from django.db import transaction
    from django.utils import timezone

    from opscenter.care.models import Bed, Incident, Occupancy, Residency, Room
    from opscenter.care.models import Occupancy as Occ
    from opscenter.care.services import zones_ensure
    from opscenter.org.models import Department, Site, Staff
    from opscenter.pipeline.models import Customer

    if Occ.objects.exists():
        sys.exit("the database already holds stays; use an empty one")
    tz = timezone.get_default_timezone()
    start, end = first.toordinal(), today.toordinal() + 1
    n_stays = n_days = n_incidents = 0
    for s in range(SITES):
        with transaction.atomic():
            site = Site.objects.create(code=f"bench-{s}", name=f"社区{s}", kind="elder_care")
            dept = Department.objects.create(site=site, name="护理部", kind="nursing")
            Staff.objects.create(employee_no=f"b{s}", name="护士", department=dept)
            zones = zones_ensure(site_id=site.pk)
            beds = []
            for z in zones:
                for r in range(0, beds_per_site // 3, 2):
                    room = Room.objects.create(site=site, zone=z, number=f"{z.pk}-{r}")
                    beds += Bed.objects.bulk_create(
                        [Bed(site=site, zone=z, room=room, label=str(i)) for i in (1, 2)]
                    )
            plans = []
            for bed in beds:
                day = start + rng.randint(0, 60)
                while day < end:
                    length = rng.randint(30, 700)
                    stop = day + length
                    plans.append((bed, day, None if stop >= end else stop))
                    day = stop + (rng.randint(5, 90) if rng.random() < 0.1 else 0)
            customers = Customer.objects.bulk_create(
                [
                    Customer(site=site, name=f"长者{s}-{i}", phone=f"1{s:02d}{i:08d}", cohort_month=201601)
                    for i in range(len(plans))
                ],
                batch_size=CHUNK,
            )
            stays = Residency.objects.bulk_create(
                [
                    Residency(
                        site=site, customer=c, stay_type="long", zone_id=bed.zone_id, bed=bed,
                        started_on=dt.date.fromordinal(a), ended_on=dt.date.fromordinal(b) if b else None,
                        status="ended" if b else "active",
                    )
                    for c, (bed, a, b) in zip(customers, plans, strict=True)
                ],
                batch_size=CHUNK,
            )  # fmt: skip
            Occupancy.objects.bulk_create(
                [
                    Occupancy(site=site, residency=r, bed=bed, zone_id=bed.zone_id, start_day=a, end_day=b)
                    for r, (bed, a, b) in zip(stays, plans, strict=True)
                ],
                batch_size=CHUNK,
            )
            incidents = []
            for r, (bed, a, b) in zip(stays, plans, strict=True):
                days = (b or end) - a
                n_days += days
                for _i in range(sum(1 for _k in range(days // 50) if rng.random() < 0.2)):
                    d = a + rng.randint(0, days - 1)
                    at = dt.datetime.combine(dt.date.fromordinal(d), dt.time(10), tzinfo=tz)
                    incidents.append(
                        Incident(
                            site=site, residency=r, zone_id=bed.zone_id, kind="fall", occurred_at=at, day=d,
                            place="房间", severity="minor", immediate_action="扶起", department=dept,
                        )
                    )  # fmt: skip
            Incident.objects.bulk_create(incidents, batch_size=CHUNK)
            n_stays += len(plans)
            n_incidents += len(incidents)
    return n_stays, n_days, n_incidents


def _months_cte(spans, vendor: str) -> tuple[str, list]:
    rows = ", ".join(["(%s, %s, %s)"] * len(spans))
    params = [p for m, (a, b) in spans for p in (m.isoformat(), a, b)]
    return f"m(ms, a, b) AS (VALUES {rows})", params


def hand_resident_days(spans, cap: int, by: str = "site_id", site_id: int | None = None) -> dict:
    from django.db import connection

    lo, hi = "MAX", "MIN"
    if connection.vendor == "postgresql":
        lo, hi = "GREATEST", "LEAST"
    cte, params = _months_cte(spans, connection.vendor)
    where = "AND o.site_id = %s" if site_id else ""
    sql = f"""WITH {cte}
        SELECT o.{by}, m.ms, SUM({hi}(COALESCE(o.end_day, %s), m.b) - {lo}(o.start_day, m.a))
        FROM care_occupancy o JOIN m ON o.start_day < m.b AND COALESCE(o.end_day, %s) > m.a {where}
        GROUP BY o.{by}, m.ms"""
    args = [*params, cap, cap] + ([site_id] if site_id else [])
    with connection.cursor() as cur:
        cur.execute(sql, args)
        return {(k, dt.date.fromisoformat(str(ms)[:10])): int(v) for k, ms, v in cur.fetchall() if v}


def hand_incidents(spans, by: str = "site_id", site_id: int | None = None) -> dict:
    from django.db import connection

    cte, params = _months_cte(spans, connection.vendor)
    where = "WHERE i.site_id = %s" if site_id else ""
    sql = f"""WITH {cte}
        SELECT i.{by}, m.ms, COUNT(*) FROM care_incident i JOIN m ON i.day >= m.a AND i.day < m.b {where}
        GROUP BY i.{by}, m.ms"""
    with connection.cursor() as cur:
        cur.execute(sql, params + ([site_id] if site_id else []))
        return {(k, dt.date.fromisoformat(str(ms)[:10])): int(v) for k, ms, v in cur.fetchall()}


def hand_vacancies(site_id: int, today: int) -> dict:
    """Beds and beds occupied today per zone, one statement."""
    from django.db import connection

    sql = """SELECT b.zone_id, COUNT(*), SUM(CASE WHEN EXISTS (SELECT 1 FROM care_occupancy o WHERE o.bed_id = b.id
             AND o.start_day <= %s AND (o.end_day IS NULL OR o.end_day > %s)) THEN 1 ELSE 0 END)
             FROM care_bed b WHERE b.site_id = %s AND b.is_active GROUP BY b.zone_id"""
    with connection.cursor() as cur:
        cur.execute(sql, [today, today, site_id])
        return {z: (n, int(o)) for z, n, o in cur.fetchall()}


def timed(fn, repeat: int):
    from django.db import connection, reset_queries

    times, result, queries = [], None, 0
    for _ in range(repeat):
        reset_queries()
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
        queries = len(connection.queries)
    return statistics.median(times), result, queries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scale", type=float, default=1.0, help="fraction of the beds per site (default 1 = 120)"
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=16)
    args = parser.parse_args()
    setup_django()
    from django.conf import settings
    from django.utils import timezone

    from opscenter.care.selectors.census import (
        census,
        incident_counts,
        incident_rates,
        month_spans,
        resident_days,
    )
    from opscenter.org.models import Site

    settings.DEBUG = True  # count queries
    today = timezone.localdate()
    first = today.replace(day=1, year=today.year - YEARS)
    beds = max(6, int(BEDS * args.scale))
    t = time.perf_counter()
    stays, days, incidents = load(beds, first, today, random.Random(args.seed))
    print(f"loaded {SITES} sites × {beds} beds: {stays:,} stays, {days:,} resident-days, {incidents:,} incidents "
          f"in {time.perf_counter() - t:.1f}s")  # fmt: skip
    spans = month_spans(first, today)
    cap = today.toordinal() + 1
    site = Site.objects.filter(code="bench-0").get()
    results = []
    for label, ours, hand in (
        ("resident-days, all sites × months", lambda: resident_days(site_ids=None, spans=spans, by="site_id"),
         lambda: hand_resident_days(spans, cap)),
        ("incidents, all sites × months", lambda: incident_counts(site_ids=None, spans=spans, by="site_id"),
         lambda: hand_incidents(spans)),
        ("census page, one site", lambda: census(site_id=site.pk, first=first, last=today, today=today),
         lambda: (hand_resident_days(spans, cap, by="zone_id", site_id=site.pk),
                  hand_vacancies(site.pk, today.toordinal()))),
        ("incident-rate page, one site", lambda: incident_rates(site_id=site.pk, first=first, last=today),
         lambda: (hand_resident_days(spans, cap, by="zone_id", site_id=site.pk),
                  hand_incidents(spans, by="zone_id", site_id=site.pk))),
    ):  # fmt: skip
        t_ours, r_ours, q = timed(ours, args.repeat)
        t_hand, r_hand, _q = timed(hand, args.repeat)
        if "rows" not in r_ours:
            assert {k: v for k, v in r_ours.items() if v} == r_hand, label
        else:
            days = r_hand if isinstance(r_hand, dict) else r_hand[0]
            got = {(r["zone"].pk, r["month"]): r["days"] for r in r_ours["rows"] if r["days"]}
            assert got == days, label
            if "vacancies" in r_ours:
                beds = {v["zone"].pk: (v["beds"], v["occupied"]) for v in r_ours["vacancies"] if v["beds"]}
                assert beds == r_hand[1], label
            elif not isinstance(r_hand, dict):
                counts = {
                    (r["zone"].pk, r["month"]): r["incidents"] for r in r_ours["rows"] if r["incidents"]
                }
                assert counts == r_hand[1], label
        results.append((label, t_ours, t_hand, q))
    from django.db import connection

    print(f"database: {connection.vendor}; medians of {args.repeat}")
    for label, a, b, q in results:
        print(
            f"  {label:<34} ours {a * 1000:8.1f} ms ({q} queries)   hand SQL {b * 1000:8.1f} ms   ratio {a / b:5.2f}×"
        )


if __name__ == "__main__":
    main()
