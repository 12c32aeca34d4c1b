"""The nightly job of the member tiers: for each site with an active rule set, evaluate every
member (`services.tiers_evaluate`) and then generate the due care tasks
(`services.care_tasks_generate`) — what `opscenter tiers evaluate` followed by `opscenter tiers
care` does by hand.

It runs once per site and day: the site's `NightlyRun` row for the day is inserted if missing and
then claimed with `filter(…, status in (pending, failed)).update(status=running) == 1`; whoever
loses the claim (a second cron run, a task delivered twice, another worker) skips the site. A
site that fails is recorded as failed and may be claimed again by a later run the same day. The
`opscenter tiers nightly` command and `members.tasks.evaluate_all_sites_task` both call
`evaluate_all_sites`; tests call it directly.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import asdict, dataclass
from typing import Any

from django.utils import timezone

from opscenter.core.exceptions import DomainError
from opscenter.members import services
from opscenter.members.choices import NightlyRunStatus, RuleSetStatus
from opscenter.members.models import NightlyRun, TierRuleSet
from opscenter.org.models import Site

log = logging.getLogger(__name__)
CLAIMABLE = (NightlyRunStatus.PENDING, NightlyRunStatus.FAILED)


@dataclass(frozen=True)
class SiteResult:
    """What the nightly job did for one site: `done`, `already` (claimed earlier today),
    `no_rules` (no active rule set: skipped) or `failed` (see `error`)."""

    site: str
    status: str
    members: int = 0
    changes: int = 0
    care_tasks: int = 0
    error: str = ""

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def evaluate_all_sites(*, as_of: dt.date | None = None) -> list[SiteResult]:
    """Evaluate and generate care tasks for every active site with an active rule set, once per
    site and day (see the module docstring). Returns one result per active site, by site code."""
    day = as_of or timezone.localdate()
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
        elif not _claim(site.pk, day):
            results.append(SiteResult(site=site.code, status="already"))
        else:
            results.append(_run_site(site, day))
    return results


def _claim(site_id: int, day: dt.date) -> bool:
    return (
        NightlyRun.objects.filter(site_id=site_id, day=day, status__in=CLAIMABLE).update(
            status=NightlyRunStatus.RUNNING, started_at=timezone.now(), error=""
        )
        == 1
    )


def _run_site(site: Site, day: dt.date) -> SiteResult:
    rows = NightlyRun.objects.filter(site_id=site.pk, day=day, status=NightlyRunStatus.RUNNING)
    try:
        run = services.tiers_evaluate(actor=None, site_id=site.pk, as_of=day)
        created = services.care_tasks_generate(site_id=site.pk, as_of=day)
    except Exception as exc:  # one site's failure must not stop the others; retried on the next run
        message = exc.message if isinstance(exc, DomainError) else f"{type(exc).__name__}: {exc}"
        log.exception("nightly tiers run failed for site %s on %s", site.code, day)
        rows.update(status=NightlyRunStatus.FAILED, error=message[:300], finished_at=timezone.now())
        return SiteResult(site=site.code, status="failed", error=message)
    rows.update(status=NightlyRunStatus.DONE, evaluation=run, care_tasks=created, finished_at=timezone.now())
    return SiteResult(
        site=site.code, status="done", members=run.members, changes=run.changes, care_tasks=created
    )
