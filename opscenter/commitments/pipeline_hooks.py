"""What the commitments app does when the pipeline writes a row (registered in AppConfig.ready
through `pipeline.services.hooks.register_pipeline_event_hook`).

- Stage measurements of the site's pipeline trees are recorded for that customer at once, not only
  by the monitor's half-year sync (which stays as the repair path for rows written around the
  services: imports, bulk loads).
- A follow-up completed with outcome 投诉 opens a complaint linked to it; `complaints_from_followups`
  is the monitor's repair path for follow-ups written around the service (the follow-ups import).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from opscenter.commitments.pipeline_sync import sync_pipeline
from opscenter.commitments.services.complaints import complaint_from_followup


def on_pipeline_event(kind: str, row) -> None:
    if kind == "followup":
        from opscenter.pipeline.choices import FollowUpOutcome

        if row.outcome == FollowUpOutcome.COMPLAINT:
            complaint_from_followup(followup=row)
    sync_pipeline(now=timezone.now(), site_id=row.site_id, customer_ids=[row.customer_id])


def complaints_from_followups(*, now: dt.datetime | None = None, window_days: int = 180) -> int:
    """Open the complaint of every follow-up done in the last `window_days` with outcome 投诉 that
    has none yet (rows imported in bulk never passed through the hook). One query finds them."""
    from opscenter.commitments.models import Complaint
    from opscenter.pipeline.choices import FollowUpOutcome
    from opscenter.pipeline.models import FollowUp

    now = now or timezone.now()
    since = timezone.localtime(now).date() - dt.timedelta(days=window_days)
    pending = (
        FollowUp.objects.filter(outcome=FollowUpOutcome.COMPLAINT, done_on__gte=since)
        .exclude(pk__in=Complaint.objects.filter(followup__isnull=False).values("followup_id"))
        .select_related("customer__owner__department", "staff__department")
        .order_by("pk")
    )
    return sum(1 for followup in pending if complaint_from_followup(followup=followup) is not None)
