"""The treatment journey as commitments: the 皮肤 and 口腔 example trees measure each quote from
方案设计 through 收费, 首次治疗 and 疗程结束 to the doctor's 术后回访."""

import datetime as dt

import pytest

from opscenter.clinic import journey, services
from opscenter.clinic.models import Package
from opscenter.clinic.tests.conftest import at
from opscenter.commitments.models import Measurement
from opscenter.pipeline.models import FollowUp

pytestmark = pytest.mark.django_db


def test_skin_journey_is_measured_stage_by_stage(personas, clinic, customer):
    trees = journey.install_examples(clinic.site)
    assert [t.name for t in trees] == ["皮肤美容中心客户价值链", "口腔美容中心客户价值链"]
    assert journey.install_examples(clinic.site) == trees  # idempotent
    c = customer()
    quote = services.quote_create(
        actor=personas.consultant_b, customer_id=c.pk, quoted_on=dt.date(2026, 3, 10), valid_until=dt.date(2026, 3, 31),
        lines=[{"item": "皮肤疗程", "category": "skin_package", "center_id": clinic.skin.pk, "list_price_fen": 300_000,
                "sessions": 2, "valid_days": 90}],
    )  # fmt: skip
    services.quote_accept(actor=personas.consultant_b, quote_id=quote.pk, accepted_on=dt.date(2026, 3, 12))
    package = Package.objects.get(customer=c)
    for day in (dt.date(2026, 3, 20), dt.date(2026, 4, 3)):
        services.session_consume(actor=personas.ops_b, package_id=package.pk, performed_by_id=clinic.doctor.pk,
                                 used_at=at(day))  # fmt: skip
    followup = FollowUp.objects.get(kind="clinical", customer=c)
    services.clinical_answer(actor=clinic.doctor_user, followup_id=followup.pk, answer="恢复良好")
    [measurement] = Measurement.objects.filter(subject_kind="clinic_quote", subject_ref=str(quote.pk))
    assert measurement.tree == trees[0]
    assert set(measurement.events) == {
        "treatment_planned",
        "charged",
        "treated",
        "course_ended",
        "clinical_followup",
    }
    stages = {s.commitment.name: s.status for s in measurement.stages.select_related("commitment")}
    # 3-10 noon → 3-12 noon is 2 business days (≤ 3); 3-12 noon → 3-20 10:00 is over 7 days;
    # 3-20 → 4-03 within 180 days; the answer came long after the course ended (≤ 1 business day).
    assert stages == {
        "皮肤美容中心客户价值链": "breached", "方案到收费": "on_time", "收费到治疗": "breached",
        "治疗到疗程结束": "on_time", "疗程结束到术后回访": "breached",
    }  # fmt: skip
    assert not Measurement.objects.filter(tree=trees[1]).exists()


def test_events_out_of_order_never_fail_the_clinic_write(personas, clinic, customer):
    journey.install_examples(clinic.site)
    c = customer()
    quote = services.quote_create(
        actor=personas.consultant_b, customer_id=c.pk, quoted_on=dt.date(2026, 3, 10), valid_until=dt.date(2026, 3, 31),
        lines=[{"item": "种牙", "category": "dental", "center_id": clinic.dental.pk, "list_price_fen": 300_000,
                "sessions": 2, "valid_days": 90}],
    )  # fmt: skip
    services.quote_accept(actor=personas.consultant_b, quote_id=quote.pk, accepted_on=dt.date(2026, 3, 12))
    package = Package.objects.get(customer=c)
    # Back-dated before the charge: the session is recorded, the journey leaves that event out.
    use = services.session_consume(actor=personas.ops_b, package_id=package.pk, performed_by_id=clinic.dentist.pk,
                                   used_at=at(dt.date(2026, 3, 12), 9))  # fmt: skip
    assert use.number == 1
    measurement = Measurement.objects.get(subject_kind="clinic_quote", subject_ref=str(quote.pk))
    assert "treated" not in measurement.events
