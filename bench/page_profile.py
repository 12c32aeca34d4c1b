#!/usr/bin/env python
"""Server time per page, without HTTP or concurrency: where a page's time goes.

    # the demo in its own database (the one bench/load_bench.py --serve creates), then:
    OPSCENTER_DATABASE_URL=sqlite:///var/bench/load.sqlite3 .venv/bin/python bench/page_profile.py
    .venv/bin/python bench/page_profile.py --users demo-ops --pages / /reports/cockpit/ --repeat 9
    .venv/bin/python bench/page_profile.py --profile /reports/cockpit/ --users demo-exec   # cProfile

Each page is requested through Django's test client (the whole middleware stack, templates, the
database of OPSCENTER_DATABASE_URL) as each demo user, once to warm up and then `--repeat` times.
Reported per page: the best and the median wall time, the best CPU time of the serving thread
(Python work plus SQLite, which runs in-process; PostgreSQL's own work is not in it), the queries
and their time (the rest is Python: views, forms, template rendering). Best-of-N CPU time is the figure to compare before and after a
change on a shared, noisy machine; run both in the same session.
"""

from __future__ import annotations

import argparse
import cProfile
import logging
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

USERS = ["demo-ops", "demo-exec", "demo-consultant", "demo-customer", "demo-callcenter", "demo-nursing"]
PAGES = [
    "/",
    "/reports/cockpit/",
    "/pipeline/",
    "{customer}",
    "/pipeline/funnel/",
    "/pipeline/funnel/data.json",
    "/pipeline/followups/",
    "/members/",
    "/members/care/",
    "/targets/",
    "/commitments/",
    "/callcenter/",
    "/care/",
    "/marketing/",
    "/workday/",
    "/reports/",
    "/appraisal/",
    "/clinic/",
]


class SqlTimer:
    """A database execute wrapper adding up the number and the time of the queries."""

    def __init__(self):
        self.count = 0
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.count += 1
            self.seconds += time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", nargs="+", default=USERS)
    parser.add_argument("--pages", nargs="+", default=PAGES)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--profile", metavar="PAGE", help="cProfile this page (as the first user) and print the top"
    )
    parser.add_argument("--filter", default="", help="with --profile: only functions whose path matches")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opscenter.settings")
    os.environ.setdefault("OPSCENTER_DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench' / 'load.sqlite3'}")
    os.environ["OPSCENTER_DEBUG"] = "0"
    os.environ["OPSCENTER_HTTPS"] = "0"
    os.environ["OPSCENTER_ALLOWED_HOSTS"] = "testserver"
    os.environ.setdefault("OPSCENTER_LOG_LEVEL", "ERROR")
    import django

    django.setup()
    logging.getLogger("django.request").setLevel(logging.ERROR)  # the 403s of roles without a page
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    users = {u.username: u for u in get_user_model().objects.filter(username__in=args.users)}
    if args.profile:
        client = Client()
        client.force_login(users[args.users[0]])
        path = _path(client, args.profile)
        client.get(path)
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.repeat):
            client.get(path)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.filter, 45)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
        return

    print(
        f"{'user':<16} {'page':<28} {'status':>6} {'best ms':>8} {'median':>8} {'cpu ms':>7} "
        f"{'queries':>8} {'sql ms':>7} {'KB':>6}"
    )
    totals: dict[str, list[float]] = {}
    for username in args.users:
        if username not in users:
            print(f"{username}: no such user in this database", file=sys.stderr)
            continue
        client = Client()
        client.force_login(users[username])
        for page in args.pages:
            path = _path(client, page)
            if path is None:
                continue
            client.get(path)  # warm: template loader cache, per-process caches
            walls, cpus, sql = [], [], None
            for _ in range(args.repeat):
                timer = SqlTimer()
                with connection.execute_wrapper(timer):
                    start, cpu = time.perf_counter(), time.thread_time()
                    response = client.get(path)
                    walls.append(time.perf_counter() - start)
                    cpus.append(time.thread_time() - cpu)
                if sql is None or timer.seconds < sql.seconds:
                    sql = timer
            best = min(walls)
            totals.setdefault(page, []).append(min(cpus))
            print(
                f"{username:<16} {page[:28]:<28} {response.status_code:>6} {best * 1000:>8.1f} "
                f"{statistics.median(walls) * 1000:>8.1f} {min(cpus) * 1000:>7.1f} "
                f"{sql.count:>8} {sql.seconds * 1000:>7.1f} "
                f"{len(response.content) / 1024:>6.0f}"
            )
    print(
        "\nbest CPU ms per page (the server's own work, less sensitive to a busy machine), mean over users:"
    )
    for page, values in totals.items():
        print(f"  {page:<28} {statistics.mean(values) * 1000:>8.1f}")


def _path(client, page: str) -> str | None:
    if page != "{customer}":
        return page
    response = client.get("/api/pipeline/customers?limit=5")
    items = response.json().get("items", []) if response.status_code == 200 else []
    return f"/pipeline/customers/{items[0]['id']}/" if items else None


if __name__ == "__main__":
    main()
