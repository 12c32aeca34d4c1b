"""Object graphs for the commitments tests."""

from __future__ import annotations

from opscenter.commitments import services
from opscenter.commitments.choices import AllowanceKind, Event, Process, TreeStatus
from opscenter.commitments.services import NodeSpec
from opscenter.core.testing import make_department


def delivery_tree(site, *, kind=AllowanceKind.BUSINESS, warning_pct=80, opens_work_order=False):
    """Seed 001's example: 送货 ≤ 2 天; 录单 ≤ 2 h, 发货等待 ≤ 4 h, 物流 ≤ 1.5 天 (business time)."""
    logistics = make_department(site, "logistics")
    customer = make_department(site, "customer")
    root = NodeSpec(
        name="送货",
        wording="下单后两天内送达",
        start_event=Event.ORDER_PLACED,
        end_event=Event.DELIVERED,
        allowance_minutes=2 * 9 * 60,
        allowance_kind=kind,
        warning_pct=warning_pct,
        department_id=customer.pk,
        opens_work_order=opens_work_order,
        children=[
            NodeSpec(
                name="录单",
                start_event=Event.ORDER_PLACED,
                end_event=Event.ORDER_ENTERED,
                allowance_minutes=120,
                allowance_kind=kind,
                department_id=customer.pk,
            ),
            NodeSpec(
                name="发货等待",
                start_event=Event.ORDER_ENTERED,
                end_event=Event.SHIPPED,
                allowance_minutes=240,
                allowance_kind=kind,
                department_id=logistics.pk,
            ),
            NodeSpec(
                name="物流",
                start_event=Event.SHIPPED,
                end_event=Event.DELIVERED,
                allowance_minutes=int(1.5 * 9 * 60),
                allowance_kind=kind,
                department_id=logistics.pk,
            ),
        ],
    )
    tree = services.commitment_tree_create(
        actor=None, site_id=site.pk, family="delivery", name="送货承诺", root=root, process=Process.EXTERNAL
    )
    return services.commitment_tree_transition(actor=None, tree_id=tree.pk, to_status=TreeStatus.ACTIVE)
