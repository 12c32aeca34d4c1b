"""The treatment journey as commitments (seed 004's center value chains: 医生诊断 → 方案设计 →
收费 → 检查 → 治疗前沟通 → 麻醉 → 治疗 → 治疗后护理 → 疗程结束 → 关怀).

The measurable stages are the ones the clinic records: 方案设计 (a quote is made), 收费 (it is
accepted and charged), 首次治疗 (the first session), 疗程结束 (the last session) and 术后回访 (the
doctor answers the course-end follow-up). Each quote is one instance (subject "clinic_quote"),
measured by the journey tree of each center its lines are credited to: the tree whose level-1
promise belongs to that center. The 皮肤 and 口腔 trees ship as editable examples
(`install_examples`); their allowances are data, edited like any commitment tree.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone

from opscenter.commitments.choices import AllowanceKind, Event, Process, TreeStatus
from opscenter.commitments.models import Commitment, CommitmentTree
from opscenter.commitments.services import NodeSpec
from opscenter.core.exceptions import ValidationError
from opscenter.org.models import Department, Site

logger = logging.getLogger(__name__)
SUBJECT = "clinic_quote"
FAMILY_PREFIX = "clinic-journey-"
DAY = 9 * 60  # one business day of the default 08:30–17:30 calendar, in minutes
CALENDAR_DAY = 24 * 60


def _tree(site: Site, center: Department, family: str, name: str, timings: dict[str, int]) -> CommitmentTree:
    """One center's journey tree (level 1: 方案设计 → 术后回访; level 2: its four stages)."""
    from opscenter.commitments.examples import _activate

    def node(label, start, end, minutes, kind=AllowanceKind.BUSINESS):
        return NodeSpec(name=label, start_event=start, end_event=end, allowance_minutes=minutes,
                        allowance_kind=kind, department_id=center.pk)  # fmt: skip

    root = NodeSpec(
        name=name,  # i18n: data
        wording="方案确定后按约完成疗程，疗程结束次日内医生回访",  # i18n: data
        start_event=Event.TREATMENT_PLANNED,
        end_event=Event.CLINICAL_FOLLOWUP,
        allowance_minutes=timings["total"],
        allowance_kind=AllowanceKind.CALENDAR,
        department_id=center.pk,
        children=[
            node("方案到收费", Event.TREATMENT_PLANNED, Event.CHARGED, timings["charge"]),  # i18n: data
            node("收费到治疗", Event.CHARGED, Event.TREATED, timings["treat"], AllowanceKind.CALENDAR),  # i18n: data
            node("治疗到疗程结束", Event.TREATED, Event.COURSE_ENDED, timings["course"], AllowanceKind.CALENDAR),  # i18n: data
            node("疗程结束到术后回访", Event.COURSE_ENDED, Event.CLINICAL_FOLLOWUP, timings["followup"]),  # i18n: data
        ],
    )  # fmt: skip
    return _activate(site, family, name, root, Process.EXTERNAL, None)


def install_examples(site: Site) -> list[CommitmentTree]:
    """The 皮肤 and 口腔 journey trees of a clinic site, for its centers named 皮肤… and 口腔…
    (skipped when the site has no such center). Idempotent."""
    trees = []
    skin = Department.objects.filter(site=site, name__contains="皮肤").order_by("pk").first()  # i18n: data
    if skin is not None:
        trees.append(
            _tree(
                site,
                skin,
                FAMILY_PREFIX + "skin",
                "皮肤美容中心客户价值链",  # i18n: data
                {
                    "charge": 3 * DAY,
                    "treat": 7 * CALENDAR_DAY,
                    "course": 180 * CALENDAR_DAY,
                    "followup": DAY,
                    "total": 200 * CALENDAR_DAY,
                },
            )
        )
    dental = Department.objects.filter(site=site, name__contains="口腔").order_by("pk").first()  # i18n: data
    if dental is not None:
        trees.append(
            _tree(
                site,
                dental,
                FAMILY_PREFIX + "dental",
                "口腔美容中心客户价值链",  # i18n: data
                {
                    "charge": 2 * DAY,
                    "treat": 5 * CALENDAR_DAY,
                    "course": 90 * CALENDAR_DAY,
                    "followup": DAY,
                    "total": 110 * CALENDAR_DAY,
                },
            )
        )
    return trees


def moment(day: dt.date) -> dt.datetime:
    """When a dated step happened: now if it is today, else noon of that day (local time)."""
    if day == timezone.localdate():
        return timezone.now()
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12, 0)))


def record(*, quote_id: int, site_id: int, center_ids, events: dict[str, dt.datetime]) -> int:
    """Record journey events of a quote into the active journey tree of each of its centers.
    Derived data: events out of order (e.g. a session back-dated before the order) are logged
    and left out, never failing the clinic write (a savepoint keeps nothing half-written)."""
    roots = Commitment.objects.filter(
        level=1, tree__site_id=site_id, tree__status=TreeStatus.ACTIVE, tree__family__startswith=FAMILY_PREFIX,
        department_id__in=list(center_ids),
    ).select_related("tree__site__calendar")  # fmt: skip
    from opscenter.commitments.services.measurements import measurement_record

    touched = 0
    for root in roots:
        try:
            with transaction.atomic():
                measurement_record(tree=root.tree, subject_kind=SUBJECT, subject_ref=str(quote_id), events=events,
                                   department_id=root.department_id, label=f"#{quote_id}")  # fmt: skip
                touched += 1
        except ValidationError as exc:
            logger.warning(
                "journey of quote %s not recorded in tree %s: %s", quote_id, root.tree_id, exc.message
            )
    return touched


def record_for_deal(*, deal_id: int | None, center_id: int, events: dict[str, dt.datetime]) -> int:
    """`record` for the quote an order came from (orders placed without a quote have no journey)."""
    from opscenter.clinic.models import Quote

    quote = None if deal_id is None else Quote.objects.filter(deal_id=deal_id).values("pk", "site_id").first()
    if quote is None:
        return 0
    return record(quote_id=quote["pk"], site_id=quote["site_id"], center_ids=[center_id], events=events)
