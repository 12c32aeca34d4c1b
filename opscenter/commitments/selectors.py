"""Reads of the commitments app, scoped to the acting user's sites (STYLE.md)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from opscenter.commitments.choices import OPEN_WORK_ORDER_STATUSES, StageStatus, TreeStatus
from opscenter.commitments.models import (
    Anomaly,
    AnomalyRule,
    Commitment,
    CommitmentTree,
    Complaint,
    Measurement,
    PerceptionPoint,
    ReviewMeeting,
    StageMeasurement,
    WorkOrder,
)
from opscenter.core.exceptions import NotFound
from opscenter.org.selectors import scope_for

# The unit columns of each list, by metric grain: the metrics count by them and the lists filter by
# them (drill-down param = grain name, `customer_channel` for the channel grain), so a number and
# its rows always agree. See `metrics.py` for what staff / channel mean per list.
UNIT_FIELDS: dict[str, dict[str, str]] = {
    "stagemeasurement": {
        "site": "site_id",
        "department": "department_id",
        "staff": "measurement__staff_id",
        "team": "measurement__staff__team_id",
    },
    "complaint": {
        "site": "site_id",
        "department": "department_id",
        "staff": "customer__owner_id",
        "team": "customer__owner__team_id",
        "channel": "customer__channel_id",
    },
    "workorder": {
        "site": "site_id",
        "department": "department_id",
        "staff": "assignee_id",
        "team": "assignee__team_id",
    },
}
UNIT_PARAMS = {
    "site": "site",
    "department": "department",
    "team": "team",
    "staff": "staff",
    "channel": "customer_channel",
}


def _by_unit(qs: QuerySet, params: dict) -> QuerySet:
    fields = UNIT_FIELDS[qs.model._meta.model_name]
    for grain, field in fields.items():
        value = params.get(UNIT_PARAMS[grain])
        if value:
            try:
                qs = qs.filter(**{field: int(value)})
            except (TypeError, ValueError):
                return qs.none()
    return qs


def _scoped(user, qs: QuerySet, site_field: str = "site") -> QuerySet:
    return scope_for(user).filter_sites(qs, site_field)


def tree_list(*, user) -> QuerySet[CommitmentTree]:
    return _scoped(user, CommitmentTree.objects.select_related("site", "perception_point")).annotate(
        n_commitments=Count("commitments")
    )


def tree_get(*, user, tree_id: int) -> CommitmentTree:
    tree = (
        _scoped(user, CommitmentTree.objects.select_related("site", "perception_point"))
        .filter(pk=tree_id)
        .first()
    )
    if tree is None:
        raise NotFound(_("承诺体系不存在或无权访问"))
    return tree


@dataclass
class TreeNode:
    commitment: Commitment
    children: list[TreeNode]

    @property
    def children_minutes(self) -> int:
        """The children's time allowances (value commitments have none)."""
        return sum(c.commitment.allowance_minutes for c in self.children if not c.commitment.is_value)

    @property
    def children_exceed(self) -> bool:
        """The children's allowances add up to more than this promise's (allowed, but shown)."""
        if self.commitment.is_value:
            return False
        timed = [c for c in self.children if not c.commitment.is_value]
        return bool(timed) and self.children_minutes > self.commitment.allowance_minutes


def tree_nodes(*, tree: CommitmentTree) -> list[TreeNode]:
    """The tree as nested nodes, flattened depth-first for display (one query)."""
    by_parent: dict[int | None, list[Commitment]] = {}
    for c in tree.commitments.select_related("department", "position").order_by(
        "level", "position_in_tree", "pk"
    ):
        by_parent.setdefault(c.parent_id, []).append(c)

    def build(c: Commitment) -> TreeNode:
        return TreeNode(c, [build(k) for k in by_parent.get(c.pk, [])])

    flat: list[TreeNode] = []

    def walk(node: TreeNode) -> None:
        flat.append(node)
        for child in node.children:
            walk(child)

    for root in by_parent.get(None, []):
        walk(build(root))
    return flat


def perception_point_list(*, user) -> QuerySet[PerceptionPoint]:
    return _scoped(user, PerceptionPoint.objects.select_related("site")).order_by(
        "site__code", "-importance", "touchpoint"
    )


def perception_point_get(*, user, point_id: int) -> PerceptionPoint:
    point = perception_point_list(user=user).filter(pk=point_id).first()
    if point is None:
        raise NotFound(_("客户感知点不存在或无权访问"))
    return point


def measurement_get(*, user, measurement_id: int) -> Measurement:
    m = _scoped(user, Measurement.objects.select_related("tree", "site")).filter(pk=measurement_id).first()
    if m is None:
        raise NotFound(_("测量记录不存在或无权访问"))
    return m


def stage_list(*, user, params: dict) -> QuerySet[StageMeasurement]:
    """Stages behind a number of the monitoring page / a metric, filtered by the drill-down params."""
    qs = _scoped(
        user,
        StageMeasurement.objects.select_related("commitment", "measurement__tree", "department", "site"),
    )
    if params.get("status"):
        qs = qs.filter(status=params["status"])
    if params.get("closed"):
        qs = qs.filter(ended_at__isnull=False)
    if params.get("commitment"):
        qs = qs.filter(commitment_id=params["commitment"])
    qs = _by_unit(qs, params)
    if params.get("attributed_to"):
        # Breached stages whose child of this commitment overran.
        qs = qs.filter(
            status=StageStatus.BREACHED,
            children__commitment_id=params["attributed_to"],
            children__overrun_minutes__gt=0,
        )
    moment = "ended_at" if params.get("closed") else "due_at"
    tz = timezone.get_default_timezone()
    if params.get("from"):
        qs = qs.filter(**{f"{moment}__gte": dt.datetime.combine(params["from"], dt.time.min, tzinfo=tz)})
    if params.get("to"):
        end = dt.datetime.combine(params["to"] + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        qs = qs.filter(**{f"{moment}__lt": end})
    return qs.order_by("-due_at", "-pk")


def _by_unit_and_day(qs: QuerySet, params: dict, moment: str) -> QuerySet:
    """The filters every list here shares: the units (`_by_unit`), and local days from / to
    (inclusive) on the `moment` column."""
    qs = _by_unit(qs, params)
    tz = timezone.get_default_timezone()
    if params.get("from"):
        qs = qs.filter(**{f"{moment}__gte": dt.datetime.combine(params["from"], dt.time.min, tzinfo=tz)})
    if params.get("to"):
        day_after = dt.datetime.combine(params["to"] + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        qs = qs.filter(**{f"{moment}__lt": day_after})
    return qs


def complaint_list(*, user, params: dict | None = None) -> QuerySet[Complaint]:
    params = params or {}
    qs = _scoped(user, Complaint.objects.select_related("site", "department"))
    if params.get("escalated"):
        qs = qs.filter(escalated=True)
    if params.get("channel"):
        qs = qs.filter(channel=params["channel"])
    return _by_unit_and_day(qs, params, "received_at")


WORK_ORDER_LISTS = ("mine", "department", "overdue", "all")


def work_order_list(
    *, user, params: dict | None = None, now: dt.datetime | None = None
) -> QuerySet[WorkOrder]:
    """Lists: mine (assigned to me or requested by me), my department's, overdue, all; by source."""
    params = params or {}
    scope = scope_for(user)
    qs = _scoped(user, WorkOrder.objects.select_related("site", "department", "assignee", "requester"))
    which = params.get("list") or "all"
    if which == "mine":
        qs = qs.filter(Q(assignee_id=scope.staff_id) | Q(requester_id=user.pk))
    elif which == "department":
        qs = qs.filter(department_id__in=scope.department_ids)
    elif which == "overdue":
        qs = qs.filter(status__in=OPEN_WORK_ORDER_STATUSES, due_at__lte=now or timezone.now())
    if params.get("source"):
        qs = qs.filter(source=params["source"])
    if params.get("status"):
        qs = qs.filter(status=params["status"])
    return _by_unit_and_day(qs, params, "opened_at")


def work_order_get(*, user, work_order_id: int) -> WorkOrder:
    wo = (
        _scoped(user, WorkOrder.objects.select_related("site", "department", "assignee", "requester"))
        .filter(pk=work_order_id)
        .first()
    )
    if wo is None:
        raise NotFound(_("工单不存在或无权访问"))
    return wo


def anomaly_rule_list(*, user) -> QuerySet[AnomalyRule]:
    return _scoped(user, AnomalyRule.objects.select_related("site", "department")).annotate(
        open_episodes=Count("anomalies", filter=Q(anomalies__closed_at__isnull=True))
    )


def anomaly_list(*, user) -> QuerySet[Anomaly]:
    return _scoped(user, Anomaly.objects.select_related("rule", "work_order"), "rule__site")


def active_trees(*, user) -> QuerySet[CommitmentTree]:
    return tree_list(user=user).filter(status=TreeStatus.ACTIVE)


def meeting_list(*, user) -> QuerySet[ReviewMeeting]:
    return _scoped(user, ReviewMeeting.objects.select_related("site")).annotate(
        n_decisions=Count("decisions")
    )


def meeting_get(*, user, meeting_id: int) -> ReviewMeeting:
    meeting = _scoped(user, ReviewMeeting.objects.select_related("site")).filter(pk=meeting_id).first()
    if meeting is None:
        raise NotFound(_("会商不存在或无权访问"))
    return meeting


def subject_stages(*, subject_kind: str, subject_refs, level: int = 1) -> dict[str, dict]:
    """subject ref → its stage of `level` (status, due moment, measurement id, attribution) for the
    instances of `subject_kind` measured by the other apps (e.g. the care app's admission requests):
    one query for a whole list. Unscoped: the caller has already scoped the subjects."""
    rows = StageMeasurement.objects.filter(
        measurement__subject_kind=subject_kind,
        measurement__subject_ref__in=[str(ref) for ref in subject_refs],
        level=level,
    ).values("measurement__subject_ref", "status", "due_at", "measurement_id", "attribution")
    return {
        r["measurement__subject_ref"]: {
            "status": r["status"],
            "breached": r["status"] == StageStatus.BREACHED,
            "due_at": r["due_at"],
            "measurement_id": r["measurement_id"],
            "attribution": r["attribution"],
        }
        for r in rows
    }
