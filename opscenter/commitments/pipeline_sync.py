"""Measurements of pipeline trees from the pipeline's own events, read set-based: one grouped
query per event kind (first moment per customer), then only new or still-open instances whose
events changed are recorded. Dates (deal, follow-up) count at noon local time."""

from __future__ import annotations

import datetime as dt

from django.db.models import Min
from django.utils import timezone

from opscenter.commitments.choices import Event, Process, TreeStatus
from opscenter.commitments.models import CommitmentTree, Measurement
from opscenter.commitments.services.measurements import measurement_record
from opscenter.core.calendars import work_calendar_for
from opscenter.core.exceptions import ValidationError

WINDOW_DAYS = 180  # a pipeline stage runs days or weeks: half a year back covers every live one


def _first_moments(event: str, site_id: int, since: dt.datetime) -> dict[int, dt.datetime]:
    from opscenter.pipeline.models import Appointment, Assessment, Consultation, Deal, FollowUp, Visit

    sources = {
        Event.CONSULTATION: (Consultation.objects, "occurred_at"),
        Event.APPOINTMENT: (Appointment.objects, "booked_at"),
        Event.VISIT: (Visit.objects, "arrived_at"),
        Event.ASSESSMENT: (Assessment.objects, "assessed_at"),
        Event.DEAL: (Deal.objects, "signed_on"),
        Event.FOLLOWUP: (FollowUp.objects.filter(done_on__isnull=False), "done_on"),
    }
    manager, field = sources[event]
    lower = since if field.endswith("_at") else since.date()
    rows = (
        manager.filter(site_id=site_id, **{f"{field}__gte": lower})
        .values("customer_id")
        .annotate(first=Min(field))
        .values_list("customer_id", "first")
    )
    tz = timezone.get_default_timezone()
    out = {}
    for customer_id, first in rows:
        if isinstance(first, dt.datetime):
            out[customer_id] = first
        else:
            out[customer_id] = dt.datetime.combine(first, dt.time(12, 0), tzinfo=tz)
    return out


def sync_pipeline(
    *, now: dt.datetime | None = None, site_id: int | None = None, window_days: int = WINDOW_DAYS
) -> int:
    """Record pipeline trees' instances whose first event lies in the last `window_days`; returns
    the number of instances recorded or updated."""
    now = now or timezone.now()
    since = now - dt.timedelta(days=window_days)
    trees = CommitmentTree.objects.filter(process=Process.PIPELINE, status=TreeStatus.ACTIVE).select_related(
        "site__calendar"
    )
    if site_id is not None:
        trees = trees.filter(site_id=site_id)
    touched = 0
    for tree in trees.prefetch_related("commitments"):
        commitments = list(tree.commitments.all())
        root = next(c for c in commitments if c.level == 1)
        codes = {c.start_event for c in commitments} | {c.end_event for c in commitments}
        if tree.qualifying_event:
            codes.add(tree.qualifying_event)
        moments = {code: _first_moments(code, tree.site_id, since) for code in codes}
        starts = moments[root.start_event]
        if tree.qualifying_event:
            starts = {k: v for k, v in starts.items() if k in moments[tree.qualifying_event]}
        done = dict(
            Measurement.objects.filter(tree=tree, subject_kind="customer").values_list(
                "subject_ref", "events"
            )
        )
        calendar = work_calendar_for(tree.site.calendar)
        for customer_id, start in starts.items():
            events = {root.start_event: start}
            for code in codes - {root.start_event}:
                moment = moments[code].get(customer_id)
                if moment is not None and moment >= start:
                    events[code] = moment
            known = done.get(str(customer_id))
            if known is not None and set(known) >= set(events):
                continue
            try:
                measurement_record(
                    tree=tree,
                    subject_kind="customer",
                    subject_ref=str(customer_id),
                    events=events,
                    calendar=calendar,
                    now=now,
                    commitments=commitments,
                )
            except ValidationError:
                continue  # events out of order in the source data: that instance is not measurable
            touched += 1
    return touched
