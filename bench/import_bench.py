"""Import benchmark: transactions from a CSV, end to end, for a skewed and a spread file.

    .venv/bin/python bench/import_bench.py [--rows 200000] [--save-sample 20000]

Two shapes of the same row count: *skewed* (8 customers — a clinic's regulars, or one family's
ledger) and *spread* (20,000 customers). For each it prints, measured in the same run on the same
throwaway database (SQLite in a temp dir unless OPSCENTER_DATABASE_URL is set):

- **end to end**: `opscenter import transactions FILE --site …` as a subprocess, from process start
  to the committed job (Python start-up, Django set-up, reading, parsing, resolving, checking what
  is stored, writing, the job's bookkeeping) — what a user waits for; target ≥ 50,000 rows/s;
- **bare baseline**: the same file parsed with `csv` and inserted with executemany (COPY on
  PostgreSQL) in one transaction, no checks at all — the floor;
- their ratio, and once, Django `save()` on a sample (engine target ≥ 20× save()).

Issue 10 §9: skewed files used to import at a third of the speed of spread ones: the transactions
kind re-probed every (customer, date) pair of every batch, so a file with few customers re-read
all the rows it had just written (`find_existing` now probes each pair once per import).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
TARGET_ROWS_PER_S = 50_000
ITEMS = ["热玛吉", "水光针", "洁牙", "光子嫩肤", "床位费", "护理费"]


def _write_file(path: Path, phones: list[str], rows: int, seed: int) -> None:
    rng = random.Random(seed)
    start_day = dt.date(2020, 1, 1)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["客户电话", "消费日期", "项目", "金额"])
        for i in range(rows):
            day = start_day + dt.timedelta(days=i % 1800)
            fen = rng.randint(100, 5_000_000) * 100 + i % 100
            writer.writerow(
                [
                    phones[i % len(phones)],
                    day.isoformat(),
                    ITEMS[i % len(ITEMS)],
                    f"{fen // 100}.{fen % 100:02d}",
                ]
            )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--save-sample", type=int, default=20_000)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="import-bench-"))
    os.environ.setdefault("OPSCENTER_VAR_DIR", str(tmp))
    os.environ.setdefault("OPSCENTER_DATABASE_URL", f"sqlite:///{tmp / 'bench.sqlite3'}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opscenter.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from opscenter.core.testing import make_site
    from opscenter.imports.bulk import bulk_session, insert_rows
    from opscenter.imports.models import ImportJob
    from opscenter.pipeline.models import Customer, Transaction

    now = timezone.now()
    shapes = {"skewed": 8, "spread": 20_000}
    print(f"{args.rows:,} rows per file, db: {connection.vendor}")
    results = {}
    for number, (shape, customers) in enumerate(shapes.items()):
        site = make_site(f"bench-{shape}", f"基准院区{shape}")
        phones = [f"13{number}{i:08d}" for i in range(customers)]
        Customer.objects.bulk_create(
            [
                Customer(site=site, name=f"客户{i}", phone=p, cohort_month=202401, created_at=now)
                for i, p in enumerate(phones)
            ],
            batch_size=5000,
        )
        ids = dict(Customer.objects.filter(site=site).values_list("phone", "id"))
        path = tmp / f"transactions-{shape}.csv"
        _write_file(path, phones, args.rows, seed=7)

        # The bare baseline: csv parse + executemany of every row, one transaction, rolled back.
        columns = ("site_id", "customer_id", "occurred_on", "month", "item", "category", "sessions", "amount_fen",
                   "kind", "receipt_no", "deal_id", "import_job_id", "created_at")  # fmt: skip
        t = time.perf_counter()
        with bulk_session(), transaction.atomic():
            for chunk in _chunks(_file_rows(path), 5000):
                insert_rows(Transaction, columns, [
                    (site.pk, ids[p], d, d.year * 100 + d.month, it, "other", 1, f, "purchase", "", None, None, now)
                    for p, d, it, f in chunk
                ])  # fmt: skip
            transaction.set_rollback(True)
        bare = args.rows / (time.perf_counter() - t)
        connection.close()  # the CLI subprocess writes next

        # End to end: the CLI, from process start to the committed job.
        t = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "opscenter", "import", "transactions", str(path), "--site", site.code, "--no-progress"],
            cwd=ROOT, env=os.environ.copy(), capture_output=True, text=True,
        )  # fmt: skip
        elapsed = time.perf_counter() - t
        if done.returncode != 0:
            print(done.stdout, done.stderr)
            raise SystemExit(f"{shape}: the import failed")
        job = ImportJob.objects.filter(site=site).latest("pk")
        assert job.rows_created == args.rows, job.rows_created
        results[shape] = (args.rows / elapsed, bare)
        print(
            f"{shape:7} ({customers:>6,} customers): end to end {args.rows / elapsed:>9,.0f} rows/s ({elapsed:.1f} s)"
            f"  | bare csv+executemany {bare:>9,.0f} rows/s  | bare / end to end {bare / (args.rows / elapsed):4.1f}×"
            f"  {'OK' if args.rows / elapsed >= TARGET_ROWS_PER_S else 'MISSED'} (target ≥ {TARGET_ROWS_PER_S:,} rows/s)"
            f"  | load average {_load()}"
        )

    # Django save(), one row at a time, on a sample (for the engine ≥ 20× save() target).
    site = Customer.objects.first().site
    customer_id = Customer.objects.filter(site=site).values_list("pk", flat=True).first()
    t = time.perf_counter()
    with transaction.atomic():
        for i in range(args.save_sample):
            day = dt.date(2020, 1, 1) + dt.timedelta(days=i % 1800)
            Transaction(site=site, customer_id=customer_id, occurred_on=day, month=day.year * 100 + day.month,
                        item=ITEMS[i % len(ITEMS)], category="other", amount_fen=100 + i).save()  # fmt: skip
        transaction.set_rollback(True)
    save_rate = args.save_sample / (time.perf_counter() - t)
    slowest = min(rate for rate, _bare in results.values())
    print(f"save():  {save_rate:,.0f} rows/s (sample of {args.save_sample:,}); slowest end to end / save() = "
          f"{slowest / save_rate:.1f}× (target ≥ 20×)")  # fmt: skip
    skew, spread = results["skewed"][0], results["spread"][0]
    print(f"skewed / spread end to end = {skew / spread:.2f}  (was ≈ 0.33 before issue 10 §9)")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS (this process) = {peak_mb:,.0f} MB")


def _load() -> str:
    """The 1-minute load average: on a shared machine the absolute rates say little without it."""
    return f"{os.getloadavg()[0]:.1f}"


def _file_rows(path: Path):
    """(phone, date, item, fen) of every data row of the generated file."""
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        next(reader)
        for phone, day, item, amount in reader:
            yuan, _, fen = amount.partition(".")
            yield phone, dt.date.fromisoformat(day), item, int(yuan) * 100 + int(fen or 0)


def _chunks(iterable, size: int):
    chunk = []
    for item in iterable:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


if __name__ == "__main__":
    main()
