"""Clinical follow-ups: routed to the performing doctor (or the center's on-duty doctor) with a
due time; only the assigned doctor answers; the answer is on the customer's follow-ups."""

import datetime as dt

import pytest

from opscenter.clinic import selectors, services
from opscenter.clinic.models import Package
from opscenter.clinic.services import OrderLine
from opscenter.clinic.tests.conftest import at
from opscenter.core.exceptions import PermissionDenied, ValidationError

pytestmark = pytest.mark.django_db


def test_question_goes_to_the_doctor_who_treated_and_the_doctor_answers(personas, clinic, customer):
    c = customer()
    services.order_place(
        actor=personas.consultant_b, customer_id=c.pk, signed_on=dt.date(2026, 3, 1),
        lines=[OrderLine(item="皮肤疗程", category="skin_package", amount_fen=600_000, center_id=clinic.skin.pk,
                         sessions=6, valid_days=180)],
    )  # fmt: skip
    package = Package.objects.get(customer=c)
    services.session_consume(actor=personas.ops_b, package_id=package.pk, performed_by_id=clinic.doctor.pk,
                             used_at=at(dt.date(2026, 3, 2)))  # fmt: skip
    # Monday 2026-03-09 17:00 → 8 business hours later.
    followup = services.clinical_question_raise(actor=personas.consultant_b, customer_id=c.pk,
                                                question="治疗后发红正常吗？", raised_at=at(dt.date(2026, 3, 9), 17))  # fmt: skip
    assert (followup.kind, followup.staff_id) == ("clinical", clinic.doctor.pk)
    assert followup.due_at > at(dt.date(2026, 3, 9), 17)
    assert list(selectors.clinical_queue(user=clinic.doctor_user)) == [followup]
    with pytest.raises(PermissionDenied):
        services.clinical_answer(actor=personas.consultant_b, followup_id=followup.pk, answer="正常")
    services.clinical_answer(
        actor=clinic.doctor_user, followup_id=followup.pk, answer="属正常反应，三天内消退"
    )
    followup.refresh_from_db()
    assert (followup.answer, followup.outcome) == ("属正常反应，三天内消退", "reached")
    assert followup.done_on is not None and list(selectors.clinical_queue(user=clinic.doctor_user)) == []
    with pytest.raises(ValidationError, match="该回访已答复"):
        services.clinical_answer(actor=clinic.doctor_user, followup_id=followup.pk, answer="再答")


def test_without_a_treating_doctor_the_center_on_duty_doctor_gets_it(personas, clinic, customer):
    c = customer()
    followup = services.clinical_question_raise(actor=personas.consultant_b, customer_id=c.pk,
                                                question="术前需要停药吗？", center_id=clinic.skin.pk)  # fmt: skip
    assert followup.staff_id == clinic.on_duty.pk
    with pytest.raises(ValidationError, match="该科室未设置负责（值班）医生"):
        services.clinical_question_raise(actor=personas.consultant_b, customer_id=c.pk, question="牙齿敏感？",
                                         center_id=clinic.dental.pk)  # fmt: skip
