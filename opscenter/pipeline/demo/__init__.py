"""Demo pipeline data: the year up to the day it is loaded, for the demo elder-care community and clinic.

`generate(seed=…, stdout=…)` is a demo step (opscenter/demo/steps.py). It builds on the demo
organization (sites by code `sunshine` and `meilai`, their sales teams and consultants) and is
idempotent: a site that already has customers is skipped. Rows are bulk-inserted in batches
(audit signals do not fire for demo data; one audit event per site records the load).
Deterministic for a seed and a date: every random draw comes from one `random.Random` per site,
and the window ends the day before `today` (default: the local date), with today's and the coming
week's appointments and follow-ups open (`common.set_window`).
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from opscenter.core import audit
from opscenter.org.models import Site
from opscenter.pipeline.demo import common
from opscenter.pipeline.demo.clinic import build_clinic
from opscenter.pipeline.demo.eldercare import build_eldercare
from opscenter.pipeline.models import Customer

BUILDERS = (("sunshine", build_eldercare), ("meilai", build_clinic))


def generate(
    *, seed: int, stdout, sites: tuple[str, ...] | None = None, today: dt.date | None = None
) -> None:
    """Generate the demo year for each demo site that exists and has no customers yet
    (`sites` limits it to some site codes)."""
    common.set_window(today or timezone.localdate())
    for code, build in BUILDERS:
        if sites is not None and code not in sites:
            continue
        site = Site.objects.filter(code=code).first()
        if site is None:
            stdout.write(f"院区 {code} 不存在，跳过客户数据 (site {code} missing, skipped)")
            continue
        if Customer.objects.filter(site=site).exists():
            stdout.write(f"{site.name} 已有客户数据，跳过 (pipeline data already loaded)")
            continue
        with transaction.atomic():
            counts = build(site, random.Random(f"opscenter-pipeline-{seed}-{code}"))
            audit.record_event(site, "演示数据：客户管道 " + "，".join(f"{k} {v}" for k, v in counts.items()))
        stdout.write(f"{site.name}：" + ", ".join(f"{k} {v}" for k, v in counts.items()))
