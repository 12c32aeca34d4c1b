"""Shipped example trees (marked `is_example`): seed 001's delivery promise, a complaint promise
and a pipeline promise per kind of site. Used by the demo and the tests; an admin edits them as
data (each edit of an active tree makes a new version)."""

# i18n: data module — shipped example trees stored in the database as data, edited there by users.

from __future__ import annotations

from opscenter.commitments import services
from opscenter.commitments.choices import Event, Process, TreeStatus
from opscenter.commitments.models import CommitmentTree, PerceptionPoint
from opscenter.commitments.services import NodeSpec
from opscenter.org.choices import SiteKind
from opscenter.org.models import Department, Position, Site

DAY = 9 * 60  # one business day of the default 08:30–17:30 calendar, in minutes


def _dept(site: Site, *kinds: str) -> Department | None:
    for kind in kinds:
        found = Department.objects.filter(site=site, kind=kind).order_by("pk").first()
        if found is not None:
            return found
    return None


def _pos(name: str) -> int | None:
    return Position.objects.filter(name=name).values_list("pk", flat=True).first()


def _activate(
    site: Site,
    family: str,
    name: str,
    root: NodeSpec,
    process: str,
    point: PerceptionPoint | None,
    qualifying_event: str = "",
) -> CommitmentTree:
    existing = CommitmentTree.objects.filter(site=site, family=family).order_by("-version").first()
    if existing is not None:
        return existing
    tree = services.commitment_tree_create(
        actor=None,
        site_id=site.pk,
        family=family,
        name=name,
        root=root,
        process=process,
        perception_point_id=point.pk if point else None,
        qualifying_event=qualifying_event,
        is_example=True,
    )
    return services.commitment_tree_transition(actor=None, tree_id=tree.pk, to_status=TreeStatus.ACTIVE)


def _point(
    site: Site, touchpoint: str, perception: str, importance: int, satisfaction: str
) -> PerceptionPoint:
    point, _ = PerceptionPoint.objects.get_or_create(
        site=site,
        touchpoint=touchpoint,
        perception=perception,
        defaults={"importance": importance, "satisfaction_pct": satisfaction, "is_example": True},
    )
    return point


def delivery_tree(site: Site) -> CommitmentTree:
    """Seed 001: 一级 送货 ≤ 2 天; 二级 录单 ≤ 2 小时, 发货等待 ≤ 4 小时, 物流 ≤ 1.5 天."""
    front = _dept(site, "customer", "call_center", "operations")
    back = _dept(site, "logistics", "operations", "customer", "call_center")
    root = NodeSpec(
        name="送货",
        wording="下单后两天内送达",
        start_event=Event.ORDER_PLACED,
        end_event=Event.DELIVERED,
        allowance_minutes=2 * DAY,
        department_id=front.pk if front else None,
        opens_work_order=True,
        children=[
            NodeSpec(
                name="录单",
                start_event=Event.ORDER_PLACED,
                end_event=Event.ORDER_ENTERED,
                allowance_minutes=120,
                department_id=front.pk if front else None,
            ),
            NodeSpec(
                name="发货等待",
                start_event=Event.ORDER_ENTERED,
                end_event=Event.SHIPPED,
                allowance_minutes=240,
                department_id=back.pk if back else None,
            ),
            NodeSpec(
                name="物流",
                start_event=Event.SHIPPED,
                end_event=Event.DELIVERED,
                allowance_minutes=int(1.5 * DAY),
                department_id=back.pk if back else None,
            ),
        ],
    )
    point = _point(site, "配送", "下单后多久能收到", 4, "82.00")
    return _activate(site, "delivery-example", "送货承诺（种子文档示例）", root, Process.EXTERNAL, point)


def complaint_tree(site: Site) -> CommitmentTree:
    """投诉受理 → 答复 ≤ 2 个工作日: 受理派单 ≤ 2 小时 (客服/运营), 处理 ≤ 1.5 天 (owned by the
    department complained about: no department on the promise), 答复客户 ≤ 2 小时 (客服/运营)."""
    intake = _dept(site, "call_center", "customer", "operations")
    root = NodeSpec(
        name="投诉答复",
        wording="投诉受理后两个工作日内给您答复",
        start_event=Event.COMPLAINT_RECEIVED,
        end_event=Event.COMPLAINT_ANSWERED,
        allowance_minutes=2 * DAY,
        department_id=intake.pk if intake else None,
        children=[
            NodeSpec(
                name="受理派单",
                start_event=Event.COMPLAINT_RECEIVED,
                end_event=Event.WORK_ORDER_DISPATCHED,
                allowance_minutes=120,
                department_id=intake.pk if intake else None,
            ),
            NodeSpec(
                name="部门处理",
                start_event=Event.WORK_ORDER_DISPATCHED,
                end_event=Event.WORK_ORDER_RESOLVED,
                allowance_minutes=int(1.5 * DAY),
            ),
            NodeSpec(
                name="答复客户",
                start_event=Event.WORK_ORDER_RESOLVED,
                end_event=Event.COMPLAINT_ANSWERED,
                allowance_minutes=120,
                department_id=intake.pk if intake else None,
            ),
        ],
    )
    point = _point(site, "投诉处理", "投诉后多久有答复", 5, "71.50")
    return _activate(site, "complaint", "投诉答复承诺", root, Process.COMPLAINT, point)


def pipeline_tree(site: Site) -> CommitmentTree | None:
    """咨询 → 上门 for customers who booked a visit: 预约 ≤ 1 个工作日 (咨询师), 预约后到访 ≤ 4 天."""
    marketing = _dept(site, "marketing")
    if marketing is None:
        return None
    front = _dept(site, "customer", "marketing")
    elder = site.kind == SiteKind.ELDER_CARE
    root = NodeSpec(
        name="咨询到参观" if elder else "咨询到到院",
        wording="咨询后五个工作日内安排参观" if elder else "咨询后五个工作日内安排到院面诊",
        start_event=Event.CONSULTATION,
        end_event=Event.VISIT,
        allowance_minutes=5 * DAY,
        department_id=marketing.pk,
        position_id=_pos("市场经理"),
        children=[
            NodeSpec(
                name="咨询到预约",
                start_event=Event.CONSULTATION,
                end_event=Event.APPOINTMENT,
                allowance_minutes=DAY,
                department_id=marketing.pk,
                position_id=_pos("咨询师"),
            ),
            NodeSpec(
                name="预约到到访",
                start_event=Event.APPOINTMENT,
                end_event=Event.VISIT,
                allowance_minutes=4 * DAY,
                department_id=(front or marketing).pk,
            ),
        ],
    )
    point = _point(site, "咨询", "咨询后多久能来参观" if elder else "咨询后多久能到院面诊", 4, "78.00")
    return _activate(
        site,
        "pipeline-visit",
        root.name + "承诺",
        root,
        Process.PIPELINE,
        point,
        qualifying_event=Event.APPOINTMENT,
    )
