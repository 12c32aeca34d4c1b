"""Tree versions keep their measurements; overdue work orders escalate once per level; the CLI."""

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command

from opscenter.commitments import services
from opscenter.commitments.choices import Event, TreeStatus
from opscenter.commitments.models import CommitmentTree, Measurement, WorkOrderEvent
from opscenter.commitments.monitor import escalate_overdue
from opscenter.commitments.tests.factories import delivery_tree
from opscenter.core.businesstime import SHANGHAI
from opscenter.core.testing import make_department
from opscenter.targets.models import Notification

pytestmark = pytest.mark.django_db


def at(d, h, mi=0):
    return dt.datetime(2026, 11, d, h, mi, tzinfo=SHANGHAI)


def test_a_new_version_measures_new_instances_and_old_ones_keep_theirs(personas):
    v1 = delivery_tree(personas.site_a)
    old = services.measurement_record(
        tree=v1, subject_kind="order", subject_ref="1", events={Event.ORDER_PLACED: at(2, 9)}
    )
    root = v1.commitments.get(level=1)
    draft = services.commitment_update(
        actor=personas.ops_a, commitment_id=root.pk, allowance_minutes=3 * 540, warning_pct=70
    ).tree
    services.commitment_tree_transition(actor=personas.ops_a, tree_id=draft.pk, to_status=TreeStatus.ACTIVE)
    assert CommitmentTree.objects.get(pk=v1.pk).status == TreeStatus.RETIRED
    # The instance started under v1 finishes under v1; a new one is measured under v2.
    services.events_for_subject(
        subject_kind="order", subject_ref="1", site_id=personas.site_a.pk, events={Event.DELIVERED: at(4, 16)}
    )
    services.events_for_subject(
        subject_kind="order",
        subject_ref="2",
        site_id=personas.site_a.pk,
        events={Event.ORDER_PLACED: at(2, 9)},
    )
    old.refresh_from_db()
    assert old.tree_id == v1.pk and old.ended_at is not None
    assert Measurement.objects.get(subject_ref="2").tree_id == draft.pk


def test_activating_an_active_tree_again_is_refused_with_the_allowed_moves(personas):
    tree = delivery_tree(personas.site_a)
    with pytest.raises(Exception, match="可改为：停用"):
        services.commitment_tree_transition(
            actor=personas.ops_a, tree_id=tree.pk, to_status=TreeStatus.ACTIVE
        )


def test_overdue_work_orders_escalate_to_the_head_then_operations_once(personas):
    nursing = make_department(personas.site_a, "nursing")
    nursing.manager = personas.nursing_a.staff
    nursing.save()
    wo = services.work_order_open(department_id=nursing.pk, title="漏水", priority="urgent", now=at(2, 9))
    assert wo.due_at == at(2, 13)
    assert escalate_overdue(now=at(2, 14)) == 1
    assert escalate_overdue(now=at(2, 15)) == 0
    assert (
        Notification.objects.filter(recipient=personas.nursing_a, title__startswith="工单超期").count() == 1
    )
    assert escalate_overdue(now=at(2, 18)) == 1  # overdue by as long again: operations
    assert Notification.objects.filter(recipient=personas.ops_a, title__startswith="工单超期").count() == 1
    assert WorkOrderEvent.objects.filter(work_order=wo, kind="escalation").count() == 2


def test_check_command_prints_what_changed_as_json(personas):
    tree = delivery_tree(personas.site_a)
    services.measurement_record(
        tree=tree, subject_kind="order", subject_ref="1", events={Event.ORDER_PLACED: at(2, 9)}
    )
    out = StringIO()
    call_command("commitments", "check", "--json", "--at", "2026-11-30T09:00+08:00", stdout=out)
    result = json.loads(out.getvalue())
    assert result["breached"] == 2  # 送货 and 录单
    out = StringIO()
    call_command("commitments", "check", "--at", "2026-11-30T09:05+08:00", stdout=out)
    assert "判定超时：0" in out.getvalue()


def test_second_escalation_waits_for_business_time_across_the_weekend(personas):
    nursing = make_department(personas.site_a, "nursing")
    nursing.manager = personas.nursing_a.staff
    nursing.save()
    # Friday 13:30, urgent: 4 business hours (08:30–17:30 days) → due Friday 17:30.
    wo = services.work_order_open(
        department_id=nursing.pk, title="漏水", priority="urgent", now=at(6, 13, 30)
    )
    assert wo.due_at == at(6, 17, 30)
    assert escalate_overdue(now=at(6, 18)) == 1  # department head
    # Overdue by 4 calendar hours on Friday night and all weekend, but not by 4 business hours.
    assert escalate_overdue(now=at(6, 21, 30)) == 0
    assert escalate_overdue(now=at(8, 10)) == 0
    assert escalate_overdue(now=at(9, 12, 29)) == 0
    assert escalate_overdue(now=at(9, 12, 30)) == 1  # Monday 12:30: 4 business hours past due
    wo.refresh_from_db()
    assert wo.escalation_level == 2
