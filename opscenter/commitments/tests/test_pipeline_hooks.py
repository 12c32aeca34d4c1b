"""The pipeline's services reach commitments through the event hook: stage measurements recorded at
once, and a follow-up with outcome 投诉 opening a complaint."""

import datetime as dt

import pytest

from opscenter.commitments import examples, services
from opscenter.commitments.choices import Channel, Source, StageStatus, TreeStatus
from opscenter.commitments.models import Complaint, Measurement, StageMeasurement, WorkOrder
from opscenter.commitments.services.trees import commitment_tree_revise, commitment_tree_transition
from opscenter.core.businesstime import SHANGHAI
from opscenter.core.testing import make_department
from opscenter.pipeline import services as pipeline

pytestmark = pytest.mark.django_db


def at(m, d, h, mi=0):
    return dt.datetime(2026, m, d, h, mi, tzinfo=SHANGHAI)


def _followup(personas, customer, *, outcome, note="", satisfaction=None):
    a = personas.consultant_a
    pipeline.consultation_record(actor=a, customer_id=customer.pk, mode="phone", occurred_at=at(3, 2, 10))
    fu = pipeline.followup_schedule(actor=a, customer_id=customer.pk, scheduled_on=dt.date(2026, 3, 4))
    return pipeline.followup_complete(
        actor=a,
        followup_id=fu.pk,
        outcome=outcome,
        satisfaction=satisfaction,
        note=note,
        done_on=dt.date(2026, 3, 4),
    )


def test_a_followup_with_outcome_complaint_opens_a_complaint_linked_to_it(personas, make_customer):
    customer = make_customer(name="李四")
    fu = _followup(personas, customer, outcome="complaint", note="护工态度差")
    complaint = Complaint.objects.get(followup=fu)
    assert complaint.channel == Channel.FOLLOWUP
    assert complaint.customer_id == customer.pk and complaint.customer_name == "李四"
    assert complaint.content == "护工态度差"
    # The department of the consultant who made the call; its work order is opened at once.
    assert complaint.department_id == personas.consultant_a.staff.department_id
    assert complaint.received_at == at(3, 4, 12)
    wo = WorkOrder.objects.get(source=Source.COMPLAINT, source_ref=str(complaint.pk))
    assert wo.department_id == complaint.department_id


def test_the_same_followup_never_opens_a_second_complaint(personas, make_customer):
    fu = _followup(personas, make_customer(), outcome="complaint", note="等待太久")
    first = Complaint.objects.get(followup=fu)
    assert services.complaint_from_followup(followup=fu) == first
    assert Complaint.objects.filter(followup=fu).count() == 1
    assert WorkOrder.objects.filter(source=Source.COMPLAINT).count() == 1


def test_a_followup_reached_without_complaint_opens_none(personas, make_customer):
    _followup(personas, make_customer(), outcome="reached", satisfaction=4)
    assert not Complaint.objects.exists()
    assert not WorkOrder.objects.exists()


def _book_and_visit(personas, customer, *, consulted, booked, visited):
    a = personas.consultant_a
    pipeline.consultation_record(actor=a, customer_id=customer.pk, mode="phone", occurred_at=consulted)
    appt = pipeline.appointment_book(
        actor=a, customer_id=customer.pk, mode="phone", booked_at=booked, scheduled_for=visited
    )
    if visited is not None:
        pipeline.visit_register(actor=a, customer_id=customer.pk, arrived_at=visited, appointment_id=appt.pk)


def test_pipeline_services_record_stage_measurements_without_the_monitor(personas, make_customer):
    make_department(personas.site_a, "customer")
    tree = examples.pipeline_tree(personas.site_a)
    customer = make_customer()
    a = personas.consultant_a
    pipeline.consultation_record(actor=a, customer_id=customer.pk, mode="phone", occurred_at=at(11, 6, 16))
    # Not measured yet: the tree counts only customers who booked (its qualifying event).
    assert not Measurement.objects.filter(tree=tree).exists()
    appt = pipeline.appointment_book(
        actor=a, customer_id=customer.pk, mode="phone", booked_at=at(11, 9, 15), scheduled_for=at(11, 12, 10)
    )
    m = Measurement.objects.get(tree=tree, subject_ref=str(customer.pk))
    assert m.staff_id == customer.owner_id == a.staff.pk  # staff / team grains of the metrics
    stages = {s.commitment.name: s for s in m.stages.select_related("commitment")}
    assert stages["咨询到预约"].status == StageStatus.ON_TIME  # Fri 16:00 → Mon 15:00: 8 business hours
    assert stages["咨询到参观"].ended_at is None
    pipeline.visit_register(
        actor=a, customer_id=customer.pk, arrived_at=at(11, 12, 10), appointment_id=appt.pk
    )
    root = StageMeasurement.objects.get(measurement=m, level=1)
    assert root.ended_at == at(11, 12, 10) and root.status == StageStatus.ON_TIME
    m.refresh_from_db()
    assert m.status == StageStatus.ON_TIME


def test_an_instance_keeps_its_tree_version_when_a_new_version_is_activated(personas, make_customer):
    make_department(personas.site_a, "customer")
    v1 = examples.pipeline_tree(personas.site_a)
    customer = make_customer()
    a = personas.consultant_a
    pipeline.consultation_record(actor=a, customer_id=customer.pk, mode="phone", occurred_at=at(11, 6, 16))
    appt = pipeline.appointment_book(
        actor=a, customer_id=customer.pk, mode="phone", booked_at=at(11, 9, 15), scheduled_for=at(11, 12, 10)
    )
    v2 = commitment_tree_revise(actor=None, tree_id=v1.pk)
    commitment_tree_transition(actor=None, tree_id=v2.pk, to_status=TreeStatus.ACTIVE)
    pipeline.visit_register(
        actor=a, customer_id=customer.pk, arrived_at=at(11, 12, 10), appointment_id=appt.pk
    )
    assert list(
        Measurement.objects.filter(subject_ref=str(customer.pk)).values_list("tree_id", flat=True)
    ) == [v1.pk]
    assert Measurement.objects.get(tree=v1).ended_at == at(11, 12, 10)


def test_the_monitor_opens_complaints_of_followups_written_around_the_service(personas, make_customer):
    from opscenter.commitments.monitor import run_monitor
    from opscenter.pipeline.models import FollowUp

    customer = make_customer()
    # As the follow-ups import writes them: in bulk, no service, no hook.
    imported = FollowUp.objects.create(
        site=personas.site_a,
        customer=customer,
        staff=personas.consultant_a.staff,
        scheduled_on=dt.date(2026, 11, 2),
        month=202611,
        done_on=dt.date(2026, 11, 3),
        outcome="complaint",
        note="房间太冷",
    )
    FollowUp.objects.create(
        site=personas.site_a, customer=customer, scheduled_on=dt.date(2026, 11, 2), month=202611,
        done_on=dt.date(2026, 11, 3), outcome="reached", satisfaction=4,
    )  # fmt: skip
    assert run_monitor(at(11, 20, 9)).complaints_from_followups == 1
    assert Complaint.objects.get().followup_id == imported.pk
    assert run_monitor(at(11, 20, 9, 5)).complaints_from_followups == 0
    assert Complaint.objects.count() == 1
