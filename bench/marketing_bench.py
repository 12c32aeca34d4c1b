#!/usr/bin/env python
"""Marketing ROI at scale: `roi_by_campaign` (first- and last-touch attribution: a correlated
subquery per event row picking the campaign) and `roi_by_channel` against the pipeline `funnel`
over the same rows, measured in the same run (the baseline).

    .venv/bin/python bench/marketing_bench.py                  # 20,000 customers
    .venv/bin/python bench/marketing_bench.py --customers 2000 # a quick run
    scripts/with-postgres.sh .venv/bin/python bench/marketing_bench.py --customers 20000

Database: a throwaway SQLite file var/bench/marketing.sqlite3 (recreated each run), or the database
in OPSCENTER_DATABASE_URL (migrated; refused if it already holds customers). Each customer has one
consultation; 40 % visit, a third of those sign; 60 % are touched by one campaign, a quarter of
those by a second one later. Contenders run `--repeat` times interleaved; medians and ratios to
the funnel are printed, with the number of queries each issues. Target: ROI within 5× of the funnel.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
import zoneinfo
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench"
SQLITE_PATH = BENCH_DIR / "marketing.sqlite3"
sys.path.insert(0, str(ROOT))
TZ = zoneinfo.ZoneInfo("Asia/Shanghai")


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


def load(customers: int, seed: int = 2026):
    from opscenter.core.models import User
    from opscenter.marketing.models import Campaign, CostLine, Touch
    from opscenter.org.models import Department, Site, Staff
    from opscenter.pipeline.models import Channel, Consultation, Customer, Deal, Visit

    if Customer.objects.exists():
        sys.exit("the database already holds customers; use an empty one")
    rng = random.Random(seed)
    site = Site.objects.create(code="bench", name="bench", kind="elder_care", city="宁波")
    dept = Department.objects.create(site=site, name="市场部", kind="marketing")
    staff = Staff.objects.create(employee_no="B0001", name="bench", department=dept)
    channels = [Channel.objects.create(site=site, name=f"渠道{i}", kind="offline") for i in range(8)]
    campaigns = Campaign.objects.bulk_create(
        Campaign(site=site, name=f"活动{i}", code=f"c{i}", kind="seminar", channel=channels[i % 8],
                 starts_on=dt.date(2026, 1 + i % 11, 1), ends_on=dt.date(2026, 1 + i % 11, 28))
        for i in range(120)
    )  # fmt: skip
    CostLine.objects.bulk_create(
        CostLine(site=site, campaign=c, channel=c.channel, item="x", quantity=1, unit_price_fen=100_000,
                 amount_fen=100_000, spent_on=c.starts_on, month=c.starts_on.year * 100 + c.starts_on.month)
        for c in campaigns
    )  # fmt: skip
    rows_c, rows_v, rows_d, touches = [], [], [], []
    people = []
    for i in range(customers):
        day = dt.date(2026, 1, 1) + dt.timedelta(days=rng.randrange(0, 300))
        month = day.year * 100 + day.month
        people.append(Customer(site=site, name=f"客户{i}", phone=f"139{i:08d}", channel=channels[i % 8],
                               channel_kind="offline", cohort_month=month, first_contact_on=day))  # fmt: skip
    people = Customer.objects.bulk_create(people, batch_size=5000)
    for person in people:
        day = person.first_contact_on
        common = {"site": site, "customer": person, "cohort_month": person.cohort_month, "channel_id": person.channel_id,
                  "channel_kind": "offline", "owner": staff}  # fmt: skip
        moment = dt.datetime.combine(day, dt.time(10), tzinfo=TZ)
        rows_c.append(Consultation(**common, month=person.cohort_month, mode="phone", staff=staff,
                                   occurred_at=moment, is_first=True))  # fmt: skip
        if rng.random() < 0.6:
            campaign = rng.choice(campaigns)
            touches.append(
                Touch(site=site, campaign=campaign, customer=person, touched_on=day, method="source_code")
            )
            if rng.random() < 0.25:
                touches.append(Touch(site=site, campaign=rng.choice(campaigns), customer=person,
                                     touched_on=day + dt.timedelta(days=3), method="attendance"))  # fmt: skip
        if rng.random() < 0.4:
            visit_day = day + dt.timedelta(days=5)
            rows_v.append(Visit(**common, month=visit_day.year * 100 + visit_day.month, source="phone",
                                arrived_at=dt.datetime.combine(visit_day, dt.time(14), tzinfo=TZ)))  # fmt: skip
            if rng.random() < 0.33:
                deal_day = day + dt.timedelta(days=12)
                rows_d.append(Deal(**common, month=deal_day.year * 100 + deal_day.month, consultant=staff,
                                   signed_on=deal_day, amount_fen=rng.randrange(100_000, 5_000_000)))  # fmt: skip
    for model, rows in ((Consultation, rows_c), (Visit, rows_v), (Deal, rows_d), (Touch, touches)):
        model.objects.bulk_create(rows, batch_size=5000)
    return User.objects.create_superuser("bench", password="x"), site


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    setup_django()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from opscenter.marketing import selectors
    from opscenter.pipeline import selectors as pipeline

    started = time.perf_counter()
    user, site = load(args.customers)
    print(f"loaded {args.customers} customers in {time.perf_counter() - started:.1f}s ({connection.vendor})")
    filters = pipeline.FunnelFilters(month_from=202601, month_to=202612, view="cohort", site_id=site.pk)
    contenders = {
        "funnel (baseline)": lambda: pipeline.funnel(user=user, filters=filters),
        "roi_by_campaign": lambda: selectors.roi_by_campaign(user=user, filters=filters),
        "roi_by_channel": lambda: selectors.roi_by_channel(user=user, filters=filters),
        "roi_by_month": lambda: selectors.roi_by_month(user=user, filters=filters),
    }
    times: dict[str, list[float]] = {name: [] for name in contenders}
    queries: dict[str, int] = {}
    for _ in range(args.repeat):
        for name, run in contenders.items():
            with CaptureQueriesContext(connection) as captured:
                t0 = time.perf_counter()
                run()
                times[name].append(time.perf_counter() - t0)
            queries[name] = len(captured)
    base = statistics.median(times["funnel (baseline)"])
    for name, values in times.items():
        median = statistics.median(values)
        print(
            f"{name:20s} median {median * 1000:8.1f} ms  ×{median / base:5.2f} of funnel  {queries[name]} queries"
        )


if __name__ == "__main__":
    main()
