"""Import benchmark: transactions from a CSV, end to end, for a skewed and a spread file.

    .venv/bin/python bench/import_bench.py [--rows 200000] [--repeat 3] [--save-sample 20000]
    scripts/with-postgres.sh .venv/bin/python bench/import_bench.py     # the same on PostgreSQL

Two shapes of the same row count: *skewed* (8 customers — a clinic's regulars, or one family's
ledger) and *spread* (20,000 customers). For each it prints, measured in the same run on the same
throwaway database (SQLite in a temp dir unless OPSCENTER_DATABASE_URL is set):

- **end to end**: `opscenter import transactions FILE --site …` as a subprocess, from process start
  to the committed job (Python start-up, Django set-up, reading, parsing, resolving, checking what
  is stored, writing, the job's bookkeeping) — what a user waits for; target ≥ 50,000 rows/s;
- **bare baseline**: the same file parsed with `csv` and inserted with executemany (COPY on
  PostgreSQL) in one transaction, no checks at all — the floor; their ratio (target ≤ 3×);
- **follow-up**: members' aggregates and tiers of the touched customers, which a background task
  recomputes after the commit (`imports.followups`; the job's page shows it running), timed apart;
- once, Django `save()` on a sample (engine target ≥ 20× save()).

On a shared machine absolute rates swing with the load (printed beside each line): each repeat
is a paired run (engine and baseline back to back, on a fresh site), and the best of each is
reported. The code is byte-compiled first, as an installed package is (a checkout run with
PYTHONDONTWRITEBYTECODE would otherwise recompile every module at each CLI start).

Issue 10 §9: skewed files used to import at a third of the speed of spread ones: the transactions
kind re-probed every (customer, date) pair of every batch, so a file with few customers re-read
all the rows it had just written (`find_existing` now probes each pair once per import).
"""

from __future__ import annotations

import argparse
import compileall
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
from typing import NamedTuple

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
TARGET_ROWS_PER_S = 50_000
TARGET_RATIO = 3.0
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
    parser.add_argument("--repeat", type=int, default=3, help="paired runs per shape; the best is reported")
    parser.add_argument("--save-sample", type=int, default=20_000)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="import-bench-"))
    os.environ.setdefault("OPSCENTER_VAR_DIR", str(tmp))
    os.environ.setdefault("OPSCENTER_DATABASE_URL", f"sqlite:///{tmp / 'bench.sqlite3'}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opscenter.settings")
    os.environ.pop("OPSCENTER_TASKS_IMMEDIATE", None)  # the follow-up goes to the queue, as in production
    compileall.compile_dir(ROOT / "opscenter", quiet=1)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    print(f"{args.rows:,} rows per file, db: {connection.vendor}, best of {args.repeat} paired runs")
    results = {}
    for number, (shape, customers) in enumerate({"skewed": 8, "spread": 20_000}.items()):
        phones = [f"13{number}{i:08d}" for i in range(customers)]
        path = tmp / f"transactions-{shape}.csv"
        _write_file(path, phones, args.rows, seed=7)
        runs = [_paired_run(f"{shape}{r}", phones, path, args.rows) for r in range(args.repeat)]
        for r in runs:
            print(f"  {shape:7} run: end to end {r.engine:>9,.0f} rows/s | bare {r.bare:>9,.0f} rows/s | "
                  f"ratio {r.bare / r.engine:4.2f}× | per CPU second: end to end {r.engine_cpu:>7,.0f}, "
                  f"bare {r.bare_cpu:>7,.0f} | follow-up {r.followup:5.2f} s | load {r.load:.1f}")  # fmt: skip
        engine = max(r.engine for r in runs)
        bare = max(r.bare for r in runs)
        ratio = min(r.bare / r.engine for r in runs)
        followup = min(r.followup for r in runs)
        engine_cpu = max(r.engine_cpu for r in runs)
        results[shape] = engine
        print(
            f"{shape:7} ({customers:>6,} customers): end to end {engine:>9,.0f} rows/s "
            f"{'OK' if engine >= TARGET_ROWS_PER_S else 'MISSED'} (target ≥ {TARGET_ROWS_PER_S:,})"
            f"  | bare csv+executemany {bare:>9,.0f} rows/s  | bare / end to end {ratio:4.2f}× "
            f"{'OK' if ratio <= TARGET_RATIO else 'MISSED'} (target ≤ {TARGET_RATIO}×)"
            f"  | per CPU second {engine_cpu:,.0f} rows  | background follow-up {followup:.2f} s"
            f"  | load average {_load()}"
        )

    # Django save(), one row at a time, on a sample (for the engine ≥ 20× save() target).
    from django.db import transaction

    from opscenter.pipeline.models import Customer, Transaction

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
    slowest = min(results.values())
    print(f"save():  {save_rate:,.0f} rows/s (sample of {args.save_sample:,}); slowest end to end / save() = "
          f"{slowest / save_rate:.1f}× (target ≥ 20×)")  # fmt: skip
    print(
        f"skewed / spread end to end = {results['skewed'] / results['spread']:.2f}  (was ≈ 0.33 before issue 10 §9)"
    )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS (this process) = {peak_mb:,.0f} MB")


class Run(NamedTuple):
    """One paired run: rows/s by the wall clock (engine, bare), the follow-up's seconds, the load
    average, and rows/s per CPU second (engine: the CLI process; bare: this process) — on a
    loaded machine the CPU rates show what a quiet one would do with SQLite, which works inside
    the process and waits little on I/O. On PostgreSQL the server's CPU is not in them."""

    engine: float
    bare: float
    followup: float
    load: float
    engine_cpu: float
    bare_cpu: float


def _paired_run(code: str, phones: list[str], path: Path, rows: int) -> Run:
    """One fresh site with the file's customers: the bare baseline, then the CLI import, then the
    import's follow-up run in this process."""
    from django.db import connection, transaction
    from django.utils import timezone

    from opscenter.core.testing import make_site
    from opscenter.imports.bulk import bulk_session, insert_rows
    from opscenter.imports.followups import followup_run
    from opscenter.imports.models import ImportFollowUp, ImportJob
    from opscenter.pipeline.models import Customer, Transaction

    now = timezone.now()
    site = make_site(f"bench-{code}", f"基准院区{code}")
    Customer.objects.bulk_create(
        [
            Customer(site=site, name=f"客户{i}", phone=p, cohort_month=202401, created_at=now)
            for i, p in enumerate(phones)
        ],
        batch_size=5000,
    )
    ids = dict(Customer.objects.filter(site=site).values_list("phone", "id"))

    # The bare baseline: csv parse + executemany of every row, one transaction, rolled back.
    columns = ("site_id", "customer_id", "occurred_on", "month", "item", "category", "sessions", "amount_fen",
               "kind", "receipt_no", "deal_id", "import_job_id", "created_at")  # fmt: skip
    t, cpu = time.perf_counter(), time.process_time()
    with bulk_session(), transaction.atomic():
        for chunk in _chunks(_file_rows(path), 5000):
            insert_rows(Transaction, columns, [
                (site.pk, ids[p], d, d.year * 100 + d.month, it, "other", 1, f, "purchase", "", None, None, now)
                for p, d, it, f in chunk
            ])  # fmt: skip
        transaction.set_rollback(True)
    bare = rows / (time.perf_counter() - t)
    bare_cpu = rows / (time.process_time() - cpu)
    connection.close()  # the CLI subprocess writes next

    # End to end: the CLI, from process start to the committed job.
    t, children = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(
        [sys.executable, "-m", "opscenter", "import", "transactions", str(path), "--site", site.code, "--no-progress"],
        cwd=ROOT, env=os.environ.copy(), capture_output=True, text=True,
    )  # fmt: skip
    elapsed = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    engine_cpu = rows / (after.ru_utime + after.ru_stime - children.ru_utime - children.ru_stime)
    load = os.getloadavg()[0]
    if done.returncode != 0:
        print(done.stdout, done.stderr)
        raise SystemExit(f"{code}: the import failed")
    job = ImportJob.objects.filter(site=site).latest("pk")
    assert job.rows_created == rows, job.rows_created

    # The follow-up a worker runs after the commit (members' aggregates and tiers).
    t = time.perf_counter()
    for followup in ImportFollowUp.objects.filter(job=job):
        assert followup_run(followup_id=followup.pk) == "done"
    followup_s = time.perf_counter() - t
    return Run(rows / elapsed, bare, followup_s, load, engine_cpu, bare_cpu)


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
