"""The admission assessment's due time as a service commitment (DESIGN.md: work orders are the one
closed loop, due times on the business clock).

Each admission request is one instance (subject "care_admission") of the site's admission tree,
whose level-1 promise runs from 入住评估申请 to 入住评估定区 on the site's business calendar. The
care services record the two events through the commitments app (`events_for_subject`); the
commitments monitor then warns, breaches, attributes and — when the promise says so — opens the
work order, like every other commitment. The tree is data: installed once per site with the
allowance of `CareSettings.assessment_due_days` business days, then edited (and versioned) on the
commitments screens; a site whose tree was retired has no admission due time.
"""

from __future__ import annotations

import datetime as dt

from opscenter.commitments.choices import AllowanceKind, Event, Process
from opscenter.commitments.models import CommitmentTree
from opscenter.commitments.services import NodeSpec, events_for_subject
from opscenter.core.calendars import work_calendar_for
from opscenter.org.models import Department, Site

SUBJECT = "care_admission"
FAMILY = "care-admission"


def install(site_id: int) -> CommitmentTree | None:
    """The site's admission tree, created and activated the first time (never re-created once the
    family exists, whatever its status: a retired tree stays retired)."""
    from opscenter.care.services.places import care_settings_for
    from opscenter.commitments.examples import _activate

    existing = CommitmentTree.objects.filter(site_id=site_id, family=FAMILY).order_by("-version").first()
    if existing is not None:
        return existing
    site = Site.objects.select_related("calendar").get(pk=site_id)
    nursing = Department.objects.filter(site=site, kind="nursing").order_by("pk").first()
    days = care_settings_for(site_id).assessment_due_days
    minutes = int(work_calendar_for(site.calendar).business_days(days).total_seconds() // 60)
    root = NodeSpec(
        name="入住评估申请到定区",  # i18n: data
        wording=f"提交入住评估申请后 {days} 个工作日内给出定区结论",  # i18n: data
        start_event=Event.ADMISSION_REQUESTED,
        end_event=Event.ADMISSION_DECIDED,
        allowance_minutes=minutes,
        allowance_kind=AllowanceKind.BUSINESS,
        department_id=nursing.pk if nursing else None,
        opens_work_order=nursing is not None,
    )
    return _activate(site, FAMILY, "入住评估定区时限", root, Process.EXTERNAL, None)  # i18n: data


def record(*, request, events: dict[str, dt.datetime]) -> dt.datetime | None:
    """Record admission events of `request` into its commitment instance (the tree version it
    started in, or the site's active one); returns the level-1 stage's due moment (None: the site
    has no active admission tree)."""
    install(request.site_id)
    events_for_subject(
        subject_kind=SUBJECT, subject_ref=str(request.pk), site_id=request.site_id, events=events
    )
    stage = stages_for([request.pk]).get(request.pk)
    return stage["due_at"] if stage else None


def stages_for(request_ids) -> dict[int, dict]:
    """request id → its level-1 stage (status, breached, due moment, measurement id, attribution),
    through the commitments selector: one query for a whole list."""
    from opscenter.commitments.selectors import subject_stages

    stages = subject_stages(subject_kind=SUBJECT, subject_refs=list(request_ids))
    return {int(ref): stage for ref, stage in stages.items()}


def record_many(site_id: int, requests, *, now: dt.datetime | None = None) -> int:
    """Record many requests at once (the demo, the assessments import): each one's 申请 and, when
    decided, 定区 events into the site's active admission tree (one calendar and one commitment list
    for all), classified as the monitor would at `now`; `due_at` is copied back in bulk. Returns
    the number of instances recorded."""
    from opscenter.care.models import AdmissionRequest
    from opscenter.commitments.choices import TreeStatus
    from opscenter.commitments.services import measurement_record

    tree = install(site_id)
    if tree is None or tree.status != TreeStatus.ACTIVE:
        return 0
    calendar = work_calendar_for(tree.site.calendar)
    commitments = list(tree.commitments.all())
    for request in requests:
        events = {Event.ADMISSION_REQUESTED: request.requested_at}
        if request.decided_at is not None:
            events[Event.ADMISSION_DECIDED] = request.decided_at
        measurement_record(tree=tree, subject_kind=SUBJECT, subject_ref=str(request.pk), events=events,
                           calendar=calendar, now=now, commitments=commitments,
                           import_job_id=getattr(request, "import_job_id", None))  # fmt: skip
    stages = stages_for([r.pk for r in requests])
    for request in requests:
        request.due_at = stages.get(request.pk, {}).get("due_at")
    AdmissionRequest.objects.bulk_update(list(requests), ["due_at"], batch_size=500)
    return len(stages)
