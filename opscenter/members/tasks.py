"""Scheduled work of the member tiers (django-tasks). The task wraps the same function the
`opscenter tiers nightly` command calls; it is idempotent per site and day (see `members.nightly`).
Enqueue it once a night (`opscenter tiers nightly --enqueue` from cron or a systemd timer) and let
`opscenter db_worker` run it, or run the command without `--enqueue` to do the work in place. A run
left "running" by a worker that died is retried by the next task once it is stale (older than
OPSCENTER_TIERS_NIGHTLY_STALE_MINUTES, default 120), still by exactly one worker."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django_tasks import task

from opscenter.core.audit import audit_context
from opscenter.members.nightly import evaluate_all_sites


@task()
def evaluate_all_sites_task(as_of: str | None = None) -> list[dict[str, Any]]:
    """`as_of` is an ISO date (task arguments travel as JSON); None means today."""
    day = dt.date.fromisoformat(as_of) if as_of else None
    with audit_context(None, "task", "tiers nightly"):
        return [r.as_json() for r in evaluate_all_sites(as_of=day)]
