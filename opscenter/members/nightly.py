"""The nightly job of the member tiers: for each site with an active rule set, evaluate every
member (`services.tiers_evaluate`) and then generate the due care tasks
(`services.care_tasks_generate`) — what `opscenter tiers evaluate` followed by `opscenter tiers
care` does by hand.

It runs once per site and day: the site's `NightlyRun` row for the day is inserted if missing and
then claimed with `filter(…, status in (pending, failed)).update(status=running) == 1`; whoever
loses the claim (a second cron run, a task delivered twice, another worker) skips the site. A
site that fails is recorded as failed and may be claimed again by a later run the same day.

A worker that dies mid-way (killed, out of memory, a lost connection) leaves its row "running".
Before claiming, every run still running `OPSCENTER_TIERS_NIGHTLY_STALE_MINUTES` (default
`constants.NIGHTLY_STALE_MINUTES`) after its claim is marked failed with the reason — one
conditional UPDATE, so it is visible and claimable again, still by exactly one worker. The claim
time is the run's token: a worker that was given up on and finishes late no longer writes over
the row (it may have been claimed again).

The `opscenter tiers nightly` command and `members.tasks.evaluate_all_sites_task` both call
`evaluate_all_sites`; tests call it directly.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import asdict, dataclass
from typing import Any

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from opscenter.core.exceptions import DomainError
from opscenter.members import services
from opscenter.members.choices import NightlyRunStatus, RuleSetStatus
from opscenter.members.constants import NIGHTLY_STALE_MINUTES
from opscenter.members.models import NightlyRun, TierRuleSet
from opscenter.org.models import Site

log = logging.getLogger(__name__)
CLAIMABLE = (NightlyRunStatus.PENDING, NightlyRunStatus.FAILED)


@dataclass(frozen=True)
class SiteResult:
    """What the nightly job did for one site: `done`, `already` (done earlier today), `running`
    (claimed by another worker, not yet stale), `no_rules` (no active rule set: skipped) or
    `failed` (see `error`). `retried` is why the previous attempt of a retried run failed."""

    site: str
    status: str
    members: int = 0
    changes: int = 0
    care_tasks: int = 0
    error: str = ""
    retried: str = ""

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def evaluate_all_sites(*, as_of: dt.date | None = None) -> list[SiteResult]:
    """Evaluate and generate care tasks for every active site with an active rule set, once per
    site and day (see the module docstring). Returns one result per active site, by site code."""
    day = as_of or timezone.localdate()
    expire_stale_runs()
    with_rules = set(
        TierRuleSet.objects.filter(status=RuleSetStatus.ACTIVE).values_list("site_id", flat=True)
    )
    sites = list(Site.objects.filter(is_active=True).order_by("code"))
    NightlyRun.objects.bulk_create(
        [NightlyRun(site=s, day=day, status=NightlyRunStatus.PENDING) for s in sites if s.pk in with_rules],
        ignore_conflicts=True,
    )
    results = []
    for site in sites:
        if site.pk not in with_rules:
            results.append(SiteResult(site=site.code, status="no_rules"))
            continue
        claimed_at = claim(site.pk, day)
        if claimed_at is None:
            status = (
                NightlyRun.objects.filter(site_id=site.pk, day=day).values_list("status", flat=True).first()
            )
            results.append(
                SiteResult(
                    site=site.code, status="running" if status == NightlyRunStatus.RUNNING else "already"
                )
            )
        else:
            results.append(_run_site(site, day, claimed_at))
    return results


def stale_after() -> dt.timedelta:
    return dt.timedelta(
        minutes=getattr(settings, "OPSCENTER_TIERS_NIGHTLY_STALE_MINUTES", NIGHTLY_STALE_MINUTES)
    )


def expire_stale_runs(*, now: dt.datetime | None = None) -> int:
    """Mark failed every run (any site, any day) still running longer than `stale_after()` since
    its claim, with the reason, so that it can be claimed again. One conditional UPDATE: a run
    claimed again meanwhile has a fresh `started_at` and is left alone."""
    now = now or timezone.now()
    limit = stale_after()
    minutes = int(limit.total_seconds() // 60)
    n = NightlyRun.objects.filter(status=NightlyRunStatus.RUNNING, started_at__lt=now - limit).update(
        status=NightlyRunStatus.FAILED,
        # i18n: data (stored on the run)
        error=f"运行超时：开始后超过 {minutes} 分钟仍未完成（进程可能已中断），已视为失败，可重新运行",
        finished_at=now,
    )
    if n:
        log.warning("marked %d nightly tiers run(s) running for over %s as failed (stale)", n, limit)
    return n


def claim(site_id: int, day: dt.date) -> dt.datetime | None:
    """Claim the site's run of the day: the claim time (the run's token), or None when another
    worker holds it or it is done. A single conditional UPDATE, so exactly one caller wins."""
    now = timezone.now()
    won = NightlyRun.objects.filter(site_id=site_id, day=day, status__in=CLAIMABLE).update(
        status=NightlyRunStatus.RUNNING, started_at=now, finished_at=None, attempts=F("attempts") + 1
    )
    return now if won == 1 else None


def _run_site(site: Site, day: dt.date, claimed_at: dt.datetime) -> SiteResult:
    # Only the claim that is still ours: if this run was given up on as stale and claimed again by
    # another worker, its row is no longer ours to write.
    rows = NightlyRun.objects.filter(
        site_id=site.pk, day=day, status=NightlyRunStatus.RUNNING, started_at=claimed_at
    )
    retried = (
        NightlyRun.objects.filter(site_id=site.pk, day=day, attempts__gt=1)
        .values_list("error", flat=True)
        .first()
        or ""
    )
    try:
        run = services.tiers_evaluate(actor=None, site_id=site.pk, as_of=day)
        created = services.care_tasks_generate(site_id=site.pk, as_of=day)
    except Exception as exc:  # one site's failure must not stop the others; retried on the next run
        message = exc.message if isinstance(exc, DomainError) else f"{type(exc).__name__}: {exc}"
        log.exception("nightly tiers run failed for site %s on %s", site.code, day)
        rows.update(status=NightlyRunStatus.FAILED, error=message[:300], finished_at=timezone.now())
        return SiteResult(site=site.code, status="failed", error=message, retried=retried)
    if not rows.update(
        status=NightlyRunStatus.DONE, evaluation=run, care_tasks=created, finished_at=timezone.now()
    ):
        log.warning(
            "nightly tiers run of site %s on %s finished after it was given up as stale", site.code, day
        )
    return SiteResult(
        site=site.code,
        status="done",
        members=run.members,
        changes=run.changes,
        care_tasks=created,
        retried=retried,
    )
