"""Pipeline trees measured from the pipeline's own events (consultation → appointment → visit)."""

import datetime as dt

import pytest

from opscenter.commitments import examples
from opscenter.commitments.models import Measurement, StageMeasurement
from opscenter.commitments.pipeline_sync import sync_pipeline
from opscenter.core.businesstime import SHANGHAI
from opscenter.core.testing import make_department
from opscenter.pipeline import services as pipeline

pytestmark = pytest.mark.django_db


def at(m, d, h, mi=0):
    return dt.datetime(2026, m, d, h, mi, tzinfo=SHANGHAI)


def test_customers_who_booked_are_measured_from_consultation_to_visit(personas, make_customer):
    make_department(personas.site_a, "customer")
    tree = examples.pipeline_tree(personas.site_a)
    booked = make_customer()
    pipeline.consultation_record(
        actor=personas.consultant_a, customer_id=booked.pk, mode="phone", occurred_at=at(11, 6, 16)
    )
    appt = pipeline.appointment_book(
        actor=personas.consultant_a,
        customer_id=booked.pk,
        mode="phone",
        booked_at=at(11, 9, 15),
        scheduled_for=at(11, 12, 10),
    )
    pipeline.visit_register(
        actor=personas.consultant_a, customer_id=booked.pk, arrived_at=at(11, 12, 10), appointment_id=appt.pk
    )
    never_booked = make_customer()
    pipeline.consultation_record(
        actor=personas.consultant_a, customer_id=never_booked.pk, mode="phone", occurred_at=at(11, 6, 16)
    )
    # The services recorded it already (event hook); the sync is the repair path for rows written
    # around them (imports, bulk loads): without the instance it records it again.
    assert Measurement.objects.filter(tree=tree).count() == 1
    Measurement.objects.filter(tree=tree).delete()
    assert sync_pipeline(now=at(11, 20, 9)) == 1
    m = Measurement.objects.get(tree=tree)
    assert m.subject_ref == str(booked.pk)
    stages = {
        s.commitment.name: s
        for s in StageMeasurement.objects.filter(measurement=m).select_related("commitment")
    }
    # Consultation Fri 16:00 → booked Mon 15:00 is 1.5 + 6.5 = 8 business hours ≤ 9: on time.
    assert stages["咨询到预约"].status == "on_time", [
        (s.commitment.name, s.status, s.started_at, s.ended_at, s.due_at) for s in stages.values()
    ]
    assert stages["咨询到参观"].status == "on_time"
    assert sync_pipeline(now=at(11, 20, 10)) == 0  # nothing new: idempotent
