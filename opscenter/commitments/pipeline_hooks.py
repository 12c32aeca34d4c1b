"""What the commitments app does when the pipeline writes a row (registered in AppConfig.ready
through `pipeline.services.hooks.register_pipeline_event_hook`).

- Stage measurements of the site's pipeline trees are recorded for that customer at once, not only
  by the monitor's half-year sync (which stays as the repair path for rows written around the
  services: imports, bulk loads).
- A follow-up completed with outcome 投诉 opens a complaint linked to it.
"""

from __future__ import annotations

from django.utils import timezone

from opscenter.commitments.pipeline_sync import sync_pipeline
from opscenter.commitments.services.complaints import complaint_from_followup


def on_pipeline_event(kind: str, row) -> None:
    if kind == "followup":
        from opscenter.pipeline.choices import FollowUpOutcome

        if row.outcome == FollowUpOutcome.COMPLAINT:
            complaint_from_followup(followup=row)
    sync_pipeline(now=timezone.now(), site_id=row.site_id, customer_ids=[row.customer_id])
