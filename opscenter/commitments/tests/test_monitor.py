"""The monitor pass: warnings, breaches, notifications, breach work orders, idempotency, anomalies."""

import datetime as dt
import threading

import pytest
from django.db import connection

from opscenter.commitments import services
from opscenter.commitments.choices import Event, Source, StageStatus
from opscenter.commitments.models import Anomaly, StageMeasurement, WorkOrder
from opscenter.commitments.monitor import run_monitor
from opscenter.commitments.tests.factories import delivery_tree
from opscenter.core.businesstime import SHANGHAI
from opscenter.org.models import Liaison
from opscenter.targets.models import Notification


def at(d, h, mi=0):
    return dt.datetime(2026, 11, d, h, mi, tzinfo=SHANGHAI)


def _open_order(tree, ref="O1"):
    return services.measurement_record(
        tree=tree,
        subject_kind="order",
        subject_ref=ref,
        events={Event.ORDER_PLACED: at(2, 9), Event.ORDER_ENTERED: at(2, 10)},
    )


@pytest.mark.django_db
def test_monitor_warns_then_breaches_once_and_opens_one_work_order(personas):
    tree = delivery_tree(personas.site_a, opens_work_order=True)
    customer = tree.commitments.get(level=1).department
    Liaison.objects.create(department=customer, staff=personas.customer_a.staff)
    m = _open_order(tree)
    # 发货等待 started 10:00, 4 h → warn at 13:12, due 14:00.
    result = run_monitor(at(2, 13, 30), sync=False)
    assert result.warned == 1 and result.breached == 0
    stage = StageMeasurement.objects.get(measurement=m, commitment__name="发货等待")
    assert stage.status == StageStatus.WARNING
    result = run_monitor(at(2, 13, 31), sync=False)
    assert result.warned == 0  # idempotent: nothing new
    # Level 1 (送货, 18 h from Mon 09:00) is due Wed 09:00; at Wed 10:00 both have breached.
    result = run_monitor(at(4, 10), sync=False)
    assert result.breached == 2
    root = StageMeasurement.objects.get(measurement=m, level=1)
    assert root.status == StageStatus.BREACHED
    assert "二级「发货等待」超出" in root.attribution
    assert WorkOrder.objects.filter(source=Source.BREACH, source_ref=str(root.pk)).count() == 1
    assert Notification.objects.filter(recipient=personas.customer_a, title__startswith="承诺超时").exists()
    again = run_monitor(at(4, 11), sync=False)
    assert again.breached == 0 and WorkOrder.objects.filter(source=Source.BREACH).count() == 1
    m.refresh_from_db()
    assert m.status == StageStatus.BREACHED


@pytest.mark.django_db(transaction=True)
def test_two_monitor_passes_at_once_change_each_stage_once(personas):
    if connection.vendor == "sqlite":
        pytest.skip("in-memory SQLite cannot be written from two threads; run on PostgreSQL")
    tree = delivery_tree(personas.site_a, opens_work_order=True)
    for i in range(20):
        _open_order(tree, ref=f"P{i}")
    results = []

    def worker():
        try:
            results.append(run_monitor(at(4, 10), sync=False))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r.breached for r in results) == 40  # 20 × (送货 + 发货等待), each once
    assert WorkOrder.objects.filter(source=Source.BREACH).count() == 20


@pytest.mark.django_db
def test_anomaly_rule_opens_one_work_order_per_episode_and_closes_on_recovery(personas):
    from opscenter.core.testing import make_department

    tree = delivery_tree(personas.site_a)
    logistics = make_department(personas.site_a, "logistics")
    services.anomaly_rule_create(
        actor=None,
        site_id=personas.site_a.pk,
        name="物流部周按时率低于 50%",
        metric="commitments.on_time_rate",
        grain="department",
        period="week",
        comparison="below",
        bound="0.5",
        consecutive=2,
        department_id=logistics.pk,
    )
    # Two weeks of late shipping (weeks of 2 and 9 Nov), each stage closed late.
    for i, day in enumerate((3, 10)):
        services.measurement_record(
            tree=tree,
            subject_kind="order",
            subject_ref=f"L{i}",
            events={
                Event.ORDER_PLACED: at(day - 1, 9),
                Event.ORDER_ENTERED: at(day - 1, 10),
                Event.SHIPPED: at(day, 16),
                Event.DELIVERED: at(day + 3, 9),
            },
        )
    result = run_monitor(at(16, 9), sync=False)
    assert result.anomalies_opened == 1
    assert run_monitor(at(16, 10), sync=False).anomalies_opened == 0  # same episode, no new work order
    assert WorkOrder.objects.filter(source=Source.ANOMALY).count() == 1
    # The week of 16 Nov ships on time: the episode closes at the next week's pass.
    services.measurement_record(
        tree=tree,
        subject_kind="order",
        subject_ref="L9",
        events={
            Event.ORDER_PLACED: at(16, 9),
            Event.ORDER_ENTERED: at(16, 10),
            Event.SHIPPED: at(16, 11),
            Event.DELIVERED: at(17, 9),
        },
    )
    assert run_monitor(at(23, 9), sync=False).anomalies_closed == 1
    assert Anomaly.objects.get().closed_at is not None


@pytest.mark.django_db
def test_breach_notice_is_mailed_when_a_mail_server_is_configured(
    personas, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.EMAIL_HOST = "mail.example.org"
    personas.customer_a.email = "kehu@example.org"
    personas.customer_a.save()
    tree = delivery_tree(personas.site_a)
    Liaison.objects.create(
        department=tree.commitments.get(level=1).department, staff=personas.customer_a.staff
    )
    _open_order(tree)
    with django_capture_on_commit_callbacks(execute=True):
        run_monitor(at(4, 10), sync=False)
    assert any(m.to == ["kehu@example.org"] and m.subject.startswith("承诺超时") for m in mailoutbox)
