#!/usr/bin/env python
"""Cockpit and report build on the demo data: p50 / p95 of the executive cockpit panel and of a
monthly report build, against the home page's old staff-count chart endpoint (the baseline it
replaced), measured in the same run; and the cockpit's query count.

    OPSCENTER_DATABASE_URL=sqlite:///$PWD/var/demo.sqlite3 .venv/bin/python bench/reports_bench.py
    ... --repeat 50 --user demo-exec

Needs a database loaded with `opscenter demo` (the bench reads it; it writes one draft report).
Target: cockpit p95 under 200 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def timed(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, int(len(values) * 0.95) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=int(os.environ.get("BENCH_REPEAT", 30)))
    parser.add_argument("--user", default="demo-exec")
    args = parser.parse_args()
    if not os.environ.get("OPSCENTER_DATABASE_URL"):
        sys.exit("set OPSCENTER_DATABASE_URL to a database loaded with `opscenter demo`")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opscenter.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from opscenter.core.models import User
    from opscenter.org.models import Site
    from opscenter.reports import periods
    from opscenter.reports.build import build_report_data

    settings.ALLOWED_HOSTS = ["*"]
    client = Client()
    client.force_login(User.objects.get(username=args.user))
    cockpit_url = reverse("reports:cockpit")
    chart_url = reverse("core:home_staff_chart")

    def cockpit():
        assert client.get(cockpit_url, HTTP_HX_REQUEST="true", secure=True).status_code == 200

    def chart():
        assert client.get(chart_url, secure=True).status_code == 200

    site = Site.objects.get(code="sunshine")
    period = periods.previous(periods.containing("monthly", django.utils.timezone.localdate()))

    def report():
        build_report_data(site=site, period=period)

    cockpit(), chart(), report()  # warm up
    # (the test client's request_started signal resets connection.queries, so count with a wrapper)
    executed = []

    def counter(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        cockpit()
    base = timed(chart, args.repeat)
    cock = timed(cockpit, args.repeat)
    rep = timed(report, max(3, args.repeat // 5))
    b50 = statistics.median(base)
    print(f"baseline staff chart   p50 {b50:7.1f} ms  p95 {p95(base):7.1f} ms")
    print(
        f"cockpit ({args.user:9}) p50 {statistics.median(cock):7.1f} ms  p95 {p95(cock):7.1f} ms  "
        f"ratio p50 {statistics.median(cock) / b50:5.1f}×  queries {len(executed)}"
    )
    print(
        f"monthly report build   p50 {statistics.median(rep):7.1f} ms  p95 {p95(rep):7.1f} ms  "
        f"ratio p50 {statistics.median(rep) / b50:5.1f}×"
    )


if __name__ == "__main__":
    main()
