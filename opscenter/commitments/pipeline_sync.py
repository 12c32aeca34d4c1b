"""Measurements of pipeline trees from the pipeline's own events, read set-based: one grouped
query per event kind (first moment per customer), then only new or still-open instances whose
events changed are recorded. Dates (deal, follow-up) count at noon local time.

Two callers: the pipeline's services, through the event hook (`commitments.pipeline_hooks`), for
the one customer whose row just changed (`customer_ids`); and the monitor's pass over the last
half year, which repairs what bypassed the services (imports, bulk loads, the demo)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Min
from django.utils import timezone

from opscenter.commitments.choices import Event, Process, TreeStatus
from opscenter.commitments.models import CommitmentTree, Measurement
from opscenter.commitments.services.measurements import measurement_record
from opscenter.core.calendars import work_calendar_for
from opscenter.core.exceptions import ValidationError

WINDOW_DAYS = 180  # a pipeline stage runs days or weeks: half a year back covers every live one


def _first_moments(
    event: str, site_id: int, since: dt.datetime | None, customer_ids: frozenset[int] | None = None
) -> dict[int, dt.datetime]:
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
    qs = manager.filter(site_id=site_id)
    if since is not None:
        qs = qs.filter(**{f"{field}__gte": since if field.endswith("_at") else since.date()})
    if customer_ids is not None:
        qs = qs.filter(customer_id__in=customer_ids)
    rows = qs.values("customer_id").annotate(first=Min(field)).values_list("customer_id", "first")
    tz = timezone.get_default_timezone()
    out = {}
    for customer_id, first in rows:
        if isinstance(first, dt.datetime):
            out[customer_id] = first
        else:
            out[customer_id] = dt.datetime.combine(first, dt.time(12, 0), tzinfo=tz)
    return out


@dataclass
class _Plan:
    commitments: list
    root: object
    codes: set[str]


def _plan(tree: CommitmentTree) -> _Plan:
    commitments = list(tree.commitments.all())
    codes = {c.start_event for c in commitments} | {c.end_event for c in commitments}
    if tree.qualifying_event:
        codes.add(tree.qualifying_event)
    return _Plan(commitments, next(c for c in commitments if c.level == 1), codes)


def sync_pipeline(
    *,
    now: dt.datetime | None = None,
    site_id: int | None = None,
    window_days: int = WINDOW_DAYS,
    customer_ids: list[int] | None = None,
) -> int:
    """Record pipeline trees' instances whose first event lies in the last `window_days` (or, with
    `customer_ids`, those customers' instances whatever their age); returns the number of instances
    recorded or updated."""
    from opscenter.pipeline.models import Customer

    now = now or timezone.now()
    only = frozenset(customer_ids) if customer_ids is not None else None
    since = None if only is not None else now - dt.timedelta(days=window_days)
    trees = CommitmentTree.objects.filter(process=Process.PIPELINE, status=TreeStatus.ACTIVE).select_related(
        "site__calendar"
    )
    if site_id is not None:
        trees = trees.filter(site_id=site_id)
    touched = 0
    for tree in trees.prefetch_related("commitments"):
        # A customer already measured under an earlier version of this tree stays in that version.
        measured = Measurement.objects.filter(
            tree__site_id=tree.site_id, tree__family=tree.family, subject_kind="customer"
        )
        if only is not None:
            measured = measured.filter(subject_ref__in=[str(pk) for pk in only])
        where = {
            ref: (tree_id, events)
            for ref, tree_id, events in measured.values_list("subject_ref", "tree_id", "events")
        }
        versions = {tree.pk: tree}
        old_ids = {tree_id for tree_id, _events in where.values()} - {tree.pk}
        for old in CommitmentTree.objects.filter(pk__in=old_ids).prefetch_related("commitments"):
            versions[old.pk] = old
        plans = {pk: _plan(t) for pk, t in versions.items()}
        codes = set().union(*(p.codes for p in plans.values()))
        moments = {code: _first_moments(code, tree.site_id, since, only) for code in codes}
        calendar = work_calendar_for(tree.site.calendar)
        customers = set().union(*(moments[p.root.start_event].keys() for p in plans.values()))
        owners = Customer.objects.filter(site_id=tree.site_id)
        owners = dict(
            (owners.filter(pk__in=only) if only is not None else owners).values_list("pk", "owner_id")
        )
        for customer_id in sorted(customers):
            tree_id, known = where.get(str(customer_id), (tree.pk, None))
            plan = plans[tree_id]
            start = moments[plan.root.start_event].get(customer_id)
            if start is None:
                continue
            qualifying = versions[tree_id].qualifying_event
            if qualifying and customer_id not in moments[qualifying]:
                continue
            events = {plan.root.start_event: start}
            for code in plan.codes - {plan.root.start_event}:
                moment = moments[code].get(customer_id)
                if moment is not None and moment >= start:
                    events[code] = moment
            if known is not None and set(known) >= set(events):
                continue
            try:
                measurement_record(
                    tree=versions[tree_id],
                    subject_kind="customer",
                    subject_ref=str(customer_id),
                    events=events,
                    calendar=calendar,
                    now=now,
                    commitments=plan.commitments,
                    staff_id=owners.get(customer_id),
                )
            except ValidationError:
                continue  # events out of order in the source data: that instance is not measurable
            touched += 1
    return touched
