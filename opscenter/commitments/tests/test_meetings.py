"""Review meetings: the agenda comes from the week's breaches and overdue work orders; a decision
may open a work order."""

import datetime as dt

import pytest
from django.utils import timezone

from opscenter.commitments import services
from opscenter.commitments.choices import Event, Source
from opscenter.commitments.models import WorkOrder
from opscenter.commitments.monitor import run_monitor
from opscenter.commitments.tests.factories import delivery_tree
from opscenter.core.exceptions import ValidationError
from opscenter.core.testing import make_department

pytestmark = pytest.mark.django_db


def test_weekly_agenda_lists_breaches_and_overdue_work_orders_and_decisions_open_work_orders(
    personas, client
):
    now = timezone.now()
    tree = delivery_tree(personas.site_a)
    services.measurement_record(
        tree=tree,
        subject_kind="order",
        subject_ref="SO-9",
        label="订单 SO-9",
        events={Event.ORDER_PLACED: now - dt.timedelta(days=6)},
    )
    nursing = make_department(personas.site_a, "nursing")
    services.work_order_open(department_id=nursing.pk, title="呼叫器维修", now=now - dt.timedelta(days=10))
    run_monitor(now, sync=False)
    meeting = services.review_meeting_create(
        actor=personas.ops_a,
        site_id=personas.site_a.pk,
        kind="weekly",
        held_on=timezone.localdate() + dt.timedelta(days=1),
    )
    texts = [item["text"] for item in meeting.agenda]
    assert any(t.startswith("超时：送货（订单 SO-9）一级承诺超时") for t in texts), texts
    assert any("超期工单" in t and "呼叫器维修" in t for t in texts), texts

    decision = services.meeting_decision_record(
        actor=personas.ops_a,
        meeting_id=meeting.pk,
        text="护理部两天内完成呼叫器排查",
        owner_id=personas.nursing_a.staff.pk,
        due_on=timezone.localdate() + dt.timedelta(days=3),
        open_work_order=True,
    )
    wo = WorkOrder.objects.get(source=Source.MEETING, source_ref=str(decision.pk))
    assert wo.department == personas.nursing_a.staff.department and decision.work_order == wo

    client.force_login(personas.ops_a)
    page = client.get(f"/commitments/meetings/{meeting.pk}/").content.decode()
    assert "订单 SO-9" in page and "护理部两天内完成呼叫器排查" in page


def test_a_decision_owner_from_another_site_is_refused(personas):
    meeting = services.review_meeting_create(
        actor=personas.ops_a, site_id=personas.site_a.pk, kind="adhoc", held_on=timezone.localdate()
    )
    with pytest.raises(ValidationError, match="负责人必须是本院区在职员工"):
        services.meeting_decision_record(
            actor=personas.ops_a,
            meeting_id=meeting.pk,
            text="x",
            owner_id=personas.consultant_b.staff.pk,
            due_on=timezone.localdate(),
        )
