"""Measurements, attribution, work orders, complaints and anomaly rules through the services."""

import datetime as dt

import pytest

from opscenter.commitments import services
from opscenter.commitments.choices import Event, Source, StageStatus, TreeStatus, WorkOrderStatus
from opscenter.commitments.models import CommitmentTree, StageMeasurement, WorkOrder, WorkOrderEvent
from opscenter.commitments.services import ConflictError
from opscenter.commitments.tests.factories import delivery_tree
from opscenter.core.businesstime import SHANGHAI
from opscenter.core.exceptions import ValidationError
from opscenter.core.testing import make_department
from opscenter.org.models import Liaison

pytestmark = pytest.mark.django_db


def at(d, h, mi=0, month=11):
    return dt.datetime(2026, month, d, h, mi, tzinfo=SHANGHAI)


def _stages(measurement):
    return {s.commitment.name: s for s in measurement.stages.select_related("commitment")}


def test_level_one_breach_is_attributed_to_the_level_two_stage_that_overran(personas):
    tree = delivery_tree(personas.site_a)
    m = services.measurement_record(
        tree=tree,
        subject_kind="order",
        subject_ref="A1",
        events={
            Event.ORDER_PLACED: at(2, 9),
            Event.ORDER_ENTERED: at(2, 10),  # 1 h ≤ 2 h
            Event.SHIPPED: at(3, 10),  # 9 business hours of waiting: 5 h over its 4 h
            Event.DELIVERED: at(4, 16, 30),  # 15.5 h of logistics: 2 h over its 13.5 h
        },
    )
    stages = _stages(m)
    assert stages["录单"].status == StageStatus.ON_TIME
    assert stages["发货等待"].overrun_minutes == 300
    assert stages["物流"].overrun_minutes == 120
    assert stages["送货"].status == StageStatus.BREACHED
    # 2026-11-02 09:00 → 11-04 16:30 is 8.5 + 9 + 8 = 25.5 business hours; allowance 18 h.
    assert stages["送货"].overrun_minutes == 450
    assert (
        stages["送货"].attribution
        == "一级承诺超时 7.5 小时：二级「发货等待」超出 5 小时；二级「物流」超出 2 小时"
    )
    assert m.status == StageStatus.BREACHED


def test_level_one_breach_names_the_single_stage_that_overran(personas):
    tree = delivery_tree(personas.site_a)
    m = services.measurement_record(
        tree=tree,
        subject_kind="order",
        subject_ref="A2",
        events={
            Event.ORDER_PLACED: at(2, 9),
            Event.ORDER_ENTERED: at(2, 10),
            Event.SHIPPED: at(3, 9, 30),  # 8 h: 4 h over
            Event.DELIVERED: at(4, 14),  # 13.5 h logistics: on time
        },
    )
    root = _stages(m)["送货"]
    assert root.status == StageStatus.BREACHED
    assert root.attribution == "一级承诺超时 5 小时：二级「发货等待」超出 4.5 小时"


def test_a_measurement_whose_end_is_before_its_start_is_rejected_naming_the_stage(personas):
    tree = delivery_tree(personas.site_a)
    with pytest.raises(ValidationError, match="「录单」的结束时间"):
        services.measurement_record(
            tree=tree,
            subject_kind="order",
            subject_ref="bad",
            events={Event.ORDER_PLACED: at(2, 10), Event.ORDER_ENTERED: at(2, 9)},
        )
    assert not StageMeasurement.objects.exists()


def test_children_exceeding_the_parent_are_saved_and_shown_with_a_warning(personas, client):
    tree = delivery_tree(personas.site_a)
    root = tree.commitments.get(level=1)
    # 2 h + 4 h + 13.5 h = 19.5 h > a shortened parent of 10 h: allowed, then flagged.
    updated = services.commitment_update(
        actor=None, commitment_id=root.pk, allowance_minutes=600, warning_pct=80
    )
    assert updated.tree.status == TreeStatus.DRAFT and updated.tree.version == 2
    assert CommitmentTree.objects.get(pk=tree.pk).status == TreeStatus.ACTIVE  # measured version kept
    client.force_login(personas.ops_a)
    page = client.get(f"/commitments/trees/{updated.tree_id}/").content.decode()
    assert "下级时限合计 1170 分钟，超过本级 600 分钟" in page


def _liaison(site, kind, user):
    department = make_department(site, kind)
    Liaison.objects.create(department=department, staff=user.staff)
    return department


def test_complaint_opens_a_work_order_dispatched_to_the_liaison(personas):
    nursing = _liaison(personas.site_a, "nursing", personas.nursing_a)
    complaint = services.complaint_register(
        actor=personas.callcenter_a,
        department_id=nursing.pk,
        customer_name="张阿姨",
        channel="phone",
        category="护理服务",
        content="夜间呼叫响应慢",
        severity="medium",
    )
    wo = WorkOrder.objects.get(source=Source.COMPLAINT, source_ref=str(complaint.pk))
    assert wo.status == WorkOrderStatus.DISPATCHED
    assert wo.assignee == personas.nursing_a.staff
    assert personas.nursing_a.notifications.filter(title__contains="新工单").exists()


def test_a_forbidden_transition_is_refused_listing_the_allowed_ones(personas):
    nursing = _liaison(personas.site_a, "nursing", personas.nursing_a)
    wo = services.work_order_open(actor=personas.ops_a, department_id=nursing.pk, title="床位清洁不及时")
    with pytest.raises(ValidationError) as exc:
        services.work_order_transition(
            actor=personas.ops_a, work_order_id=wo.pk, to_status=WorkOrderStatus.VERIFIED, version=wo.version
        )
    assert exc.value.message == "工单当前为「已派发」，不能改为「已验证关闭」；允许的操作：已派发、处理中"


def test_full_loop_and_a_stale_version_loses(personas):
    nursing = _liaison(personas.site_a, "nursing", personas.nursing_a)
    wo = services.work_order_open(actor=personas.ops_a, department_id=nursing.pk, title="床位清洁不及时")
    v = wo.version
    services.work_order_transition(
        actor=personas.nursing_a, work_order_id=wo.pk, to_status="in_progress", version=v
    )
    with pytest.raises(ConflictError):  # the other person still holds the old version
        services.work_order_transition(
            actor=personas.ops_a, work_order_id=wo.pk, to_status="in_progress", version=v
        )
    wo.refresh_from_db()
    services.work_order_transition(
        actor=personas.nursing_a,
        work_order_id=wo.pk,
        to_status="resolved",
        version=wo.version,
        resolution="已清洁",
    )
    wo.refresh_from_db()
    with pytest.raises(ValidationError, match="只有工单提出人"):
        services.work_order_transition(
            actor=personas.nursing_a, work_order_id=wo.pk, to_status="verified", version=wo.version
        )
    services.work_order_transition(
        actor=personas.ops_a, work_order_id=wo.pk, to_status="verified", version=wo.version, satisfaction=5
    )
    wo.refresh_from_db()
    assert wo.status == WorkOrderStatus.VERIFIED and wo.satisfaction == 5
    kinds = list(WorkOrderEvent.objects.filter(work_order=wo).values_list("to_status", flat=True))
    assert kinds == ["opened", "dispatched", "in_progress", "resolved", "verified"]


def test_work_order_open_is_one_per_source(personas):
    nursing = make_department(personas.site_a, "nursing")
    a = services.work_order_open(department_id=nursing.pk, title="x", source=Source.BREACH, source_ref="7")
    b = services.work_order_open(department_id=nursing.pk, title="x", source=Source.BREACH, source_ref="7")
    assert a.pk == b.pk and WorkOrder.objects.count() == 1


def test_work_order_due_is_on_business_time_by_priority(personas):
    nursing = make_department(personas.site_a, "nursing")
    wo = services.work_order_open(department_id=nursing.pk, title="x", priority="urgent", now=at(6, 16, 30))
    assert wo.due_at == at(9, 11, 30)  # 4 business hours from Friday 16:30


def test_an_anomaly_rule_on_an_unknown_metric_is_rejected(personas):
    dept = make_department(personas.site_a, "marketing")
    with pytest.raises(ValidationError, match=r"未知的指标：no\.such") as exc:
        services.anomaly_rule_create(
            actor=personas.ops_a,
            site_id=personas.site_a.pk,
            name="x",
            metric="no.such",
            grain="team",
            period="week",
            comparison="below",
            bound="0.2",
            consecutive=2,
            department_id=dept.pk,
        )
    assert exc.value.field == "metric"


def test_people_of_another_site_cannot_act_on_a_work_order(personas):
    nursing = make_department(personas.site_a, "nursing")
    wo = services.work_order_open(department_id=nursing.pk, title="x")
    from opscenter.core.exceptions import NotFound

    with pytest.raises(NotFound):
        services.work_order_transition(
            actor=personas.ops_b, work_order_id=wo.pk, to_status="dispatched", version=1
        )
