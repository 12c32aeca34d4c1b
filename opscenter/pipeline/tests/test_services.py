"""Services: ownership, duplicates, protection window, reassignment, triage, assessments, bad input."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from opscenter.core.audit import history_for
from opscenter.core.exceptions import NotFound, PermissionDenied, ValidationError
from opscenter.pipeline import services
from opscenter.pipeline.choices import AppointmentStatus, CustomerStatus, OwnershipChangeKind, VisitSource
from opscenter.pipeline.exceptions import DuplicateCustomer, OwnershipProtected
from opscenter.pipeline.models import (
    Appointment,
    Assessment,
    Consultation,
    Customer,
    Deal,
    DealLine,
    Exit,
    ExitReason,
    OwnershipChange,
    Transaction,
    Visit,
)
from opscenter.pipeline.tests.conftest import at


def _consult(customer, actor, when, mode="phone"):
    return services.consultation_record(actor=actor, customer_id=customer.pk, mode=mode, occurred_at=when)


# --- registration and ownership ------------------------------------------------------------------


def test_consultant_registering_a_prospect_owns_it_by_first_touch(personas, make_customer):
    customer = make_customer(phone="138 0013 8000", city="宁波市")
    assert customer.phone == "13800138000"
    assert customer.owner == personas.consultant_a.staff
    assert customer.is_local and customer.status == CustomerStatus.PROSPECT
    change = OwnershipChange.objects.get(customer=customer)
    assert change.kind == OwnershipChangeKind.FIRST_TOUCH and change.to_owner == personas.consultant_a.staff


def test_duplicate_phone_shows_who_owns_the_customer_instead_of_creating_one(personas, make_customer):
    make_customer(phone="13800138000")
    with pytest.raises(DuplicateCustomer) as err:
        make_customer(personas.consultant_a2, phone="+86 138-0013-8000", name="张三丰")
    assert err.value.owner_name == "咨询甲"
    assert err.value.site_name == "阳光养老社区"
    assert not err.value.can_claim
    assert "咨询甲" in err.value.message and "保护期" in err.value.message
    assert Customer.objects.count() == 1


def test_the_same_phone_may_be_registered_at_another_site(personas, make_customer):
    make_customer(phone="13800138000")
    other = make_customer(personas.consultant_b, phone="13800138000")
    assert other.site == personas.site_b


def test_another_consultant_cannot_take_a_customer_inside_the_protection_window(personas, make_customer):
    customer = make_customer()
    with pytest.raises(OwnershipProtected) as err:
        services.customer_claim(actor=personas.consultant_a2, customer_id=customer.pk)
    assert "咨询甲" in err.value.message
    customer.refresh_from_db()
    assert customer.owner == personas.consultant_a.staff


def test_after_the_window_another_consultant_may_claim_and_it_is_recorded(personas, make_customer):
    personas.site_a.ownership_protection_days = 10
    personas.site_a.save()
    customer = make_customer()
    Customer.objects.filter(pk=customer.pk).update(owner_since=timezone.now() - dt.timedelta(days=11))
    with pytest.raises(DuplicateCustomer) as err:
        make_customer(personas.consultant_a2, phone=customer.phone)
    assert err.value.can_claim and "可申请认领" in err.value.message
    services.customer_claim(actor=personas.consultant_a2, customer_id=customer.pk)
    customer.refresh_from_db()
    assert customer.owner == personas.consultant_a2.staff
    change = customer.ownership_changes.first()
    assert change.kind == OwnershipChangeKind.CLAIM and change.from_owner == personas.consultant_a.staff


def test_manager_reassigns_with_a_reason_and_it_is_audited(personas, make_customer):
    customer = make_customer()
    services.customer_reassign(
        actor=personas.marketing_a,
        customer_id=customer.pk,
        to_owner_id=personas.consultant_a2.staff.pk,
        reason="客户要求更换",
    )
    customer.refresh_from_db()
    assert customer.owner == personas.consultant_a2.staff
    change = customer.ownership_changes.first()
    assert (change.kind, change.reason, change.changed_by) == (
        OwnershipChangeKind.REASSIGN,
        "客户要求更换",
        personas.marketing_a,
    )
    events = [e for e in history_for(customer) if e.action == "event"]
    assert any("客户要求更换" in e.message for e in events)
    assert events[0].changes == {
        "owner_id": [personas.consultant_a.staff.pk, personas.consultant_a2.staff.pk]
    }


def test_reassignment_needs_a_reason_and_a_manager(personas, make_customer):
    customer = make_customer()
    with pytest.raises(ValidationError) as err:
        services.customer_reassign(
            actor=personas.marketing_a,
            customer_id=customer.pk,
            to_owner_id=personas.consultant_a2.staff.pk,
            reason=" ",
        )
    assert err.value.field == "reason"
    with pytest.raises(PermissionDenied):
        services.customer_reassign(
            actor=personas.consultant_a,
            customer_id=customer.pk,
            to_owner_id=personas.consultant_a2.staff.pk,
            reason="想换",
        )
    customer.refresh_from_db()
    assert customer.owner == personas.consultant_a.staff
    assert customer.ownership_changes.count() == 1


# --- funnel events ------------------------------------------------------------------------------


def test_backdated_first_consultation_moves_the_cohort_on_every_event_row(personas, make_customer):
    customer = make_customer()
    later = _consult(customer, personas.consultant_a, at(2026, 5, 10))
    appointment = services.appointment_book(
        actor=personas.consultant_a,
        customer_id=customer.pk,
        mode="phone",
        booked_at=at(2026, 5, 10),
        scheduled_for=at(2026, 5, 12),
    )
    assert later.is_first and appointment.cohort_month == 202605
    earlier = _consult(customer, personas.consultant_a, at(2026, 3, 2), mode="online")
    customer.refresh_from_db()
    later.refresh_from_db()
    appointment.refresh_from_db()
    assert customer.first_contact_on == dt.date(2026, 3, 2) and customer.cohort_month == 202603
    assert earlier.is_first and not later.is_first
    assert later.cohort_month == appointment.cohort_month == 202603 and later.month == 202605


def test_appointment_lifecycle_follows_the_transition_map(personas, make_customer):
    customer = make_customer()
    _consult(customer, personas.consultant_a, at(2026, 6, 1))
    appt = services.appointment_book(
        actor=personas.consultant_a,
        customer_id=customer.pk,
        mode="online",
        booked_at=at(2026, 6, 1),
        scheduled_for=at(2026, 6, 5),
    )
    new = services.appointment_reschedule(
        actor=personas.consultant_a, appointment_id=appt.pk, scheduled_for=at(2026, 6, 8)
    )
    appt.refresh_from_db()
    assert appt.status == AppointmentStatus.RESCHEDULED and new.rescheduled_from == appt
    assert new.month == 202606 and new.booked_at == appt.booked_at
    visit = services.visit_register(
        actor=personas.consultant_a,
        customer_id=customer.pk,
        arrived_at=at(2026, 6, 8, 14),
        appointment_id=new.pk,
    )
    new.refresh_from_db()
    assert new.status == AppointmentStatus.ARRIVED and visit.source == VisitSource.ONLINE
    with pytest.raises(ValidationError):
        services.appointment_transition(
            actor=personas.consultant_a, appointment_id=new.pk, to_status="no_show"
        )


def test_triage_defaults_to_the_owner_and_serving_is_not_taking(personas, make_customer):
    customer = make_customer()
    _consult(customer, personas.consultant_a, at(2026, 6, 1))
    visit = services.visit_register(
        actor=personas.marketing_a, customer_id=customer.pk, arrived_at=at(2026, 6, 3)
    )
    assert visit.source == VisitSource.PHONE
    services.visit_triage(actor=personas.marketing_a, visit_id=visit.pk)
    visit.refresh_from_db()
    assert visit.onsite_consultant == personas.consultant_a.staff
    # The owner is busy: consultant A2 serves the visit, but A keeps the customer and the credit.
    second = services.visit_register(
        actor=personas.marketing_a,
        customer_id=customer.pk,
        arrived_at=at(2026, 6, 10),
        onsite_consultant_id=personas.consultant_a2.staff.pk,
    )
    customer.refresh_from_db()
    assert second.onsite_consultant == personas.consultant_a2.staff
    assert customer.owner == second.owner == personas.consultant_a.staff


def test_triage_of_an_unowned_walk_in_makes_the_onsite_consultant_the_owner(personas, make_customer):
    walk_in = make_customer(personas.marketing_a, kind="walk_in")
    assert walk_in.owner is None
    visit = services.visit_register(
        actor=personas.marketing_a, customer_id=walk_in.pk, arrived_at=at(2026, 7, 1)
    )
    assert visit.source == VisitSource.WALK_IN
    with pytest.raises(ValidationError):
        services.visit_triage(actor=personas.marketing_a, visit_id=visit.pk)
    services.visit_triage(
        actor=personas.marketing_a, visit_id=visit.pk, consultant_id=personas.consultant_a2.staff.pk
    )
    walk_in.refresh_from_db()
    visit.refresh_from_db()
    assert walk_in.owner == visit.owner == personas.consultant_a2.staff
    assert walk_in.first_contact_on == dt.date(2026, 7, 1)
    with pytest.raises(ValidationError):  # a consultant of another site cannot be assigned
        services.visit_triage(
            actor=personas.marketing_a, visit_id=visit.pk, consultant_id=personas.consultant_b.staff.pk
        )


def test_assessment_disagreement_is_a_second_opinion_and_never_overwrites(personas, make_customer):
    customer = make_customer(personas.marketing_a)
    first = services.assessment_record(
        actor=personas.marketing_a, customer_id=customer.pk, zone="assisted", notes="自理较好"
    )
    second = services.assessment_second_opinion(
        actor=personas.nursing_a, assessment_id=first.pk, zone="dementia", notes="认知评估异常"
    )
    assert (first.assessor_role, second.assessor_role) == ("marketing", "nursing")
    with pytest.raises(ValidationError):  # agreeing is not a second opinion
        services.assessment_second_opinion(
            actor=personas.nursing_a, assessment_id=first.pk, zone="assisted", notes="同意"
        )
    with pytest.raises(PermissionDenied):  # nursing records opinions but does not arbitrate
        services.assessment_resolve(
            actor=personas.nursing_a, second_opinion_id=second.pk, zone="dementia", resolution="x"
        )
    services.assessment_resolve(
        actor=personas.ops_a, second_opinion_id=second.pk, zone="rehab", resolution="经评估小组讨论"
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.zone == "assisted" and first.notes == "自理较好" and not first.resolved_zone
    assert (second.zone, second.resolved_zone, second.resolved_by) == ("dementia", "rehab", personas.ops_a)
    assert Assessment.objects.filter(customer=customer).count() == 2
    with pytest.raises(ValidationError):
        services.assessment_resolve(
            actor=personas.ops_a, second_opinion_id=second.pk, zone="assisted", resolution="再议"
        )


def test_first_signed_deal_is_the_new_customer_deal_and_makes_a_customer(personas, make_customer):
    customer = make_customer()
    _consult(customer, personas.consultant_a, at(2026, 4, 1))
    first = services.deal_sign(
        actor=personas.consultant_a,
        customer_id=customer.pk,
        signed_on=dt.date(2026, 4, 20),
        lines=[
            {"item": "光子嫩肤", "category": "skin", "amount_fen": 380000, "sessions": 6},
            {"item": "洁牙", "category": "dental", "amount_fen": 30000},
        ],
        record_transactions=True,
    )
    again = services.deal_sign(
        actor=personas.consultant_a, customer_id=customer.pk, signed_on=dt.date(2026, 5, 2), amount_fen=120000
    )
    customer.refresh_from_db()
    assert first.amount_fen == 410000 and first.lines.count() == 2 and first.is_new_customer
    assert not again.is_new_customer and customer.status == CustomerStatus.CUSTOMER
    assert Transaction.objects.filter(deal=first).count() == 2


# --- bad input: a clear message and nothing saved -------------------------------------------------


def _row_counts():
    return {
        m.__name__: m.objects.count()
        for m in (Customer, Consultation, Appointment, Visit, Deal, DealLine, Transaction, Exit)
    }


def test_invalid_phone_is_rejected_and_nothing_is_saved(personas, make_customer):
    before = _row_counts()
    with pytest.raises(ValidationError) as err:
        make_customer(phone="1381234")
    assert err.value.field == "phone" and "电话号码" in err.value.message
    assert _row_counts() == before
    assert not OwnershipChange.objects.exists()


def test_deal_dated_before_the_first_consultation_is_rejected(personas, make_customer):
    customer = make_customer()
    _consult(customer, personas.consultant_a, at(2026, 4, 10))
    before = _row_counts()
    with pytest.raises(ValidationError) as err:
        services.deal_sign(
            actor=personas.consultant_a,
            customer_id=customer.pk,
            signed_on=dt.date(2026, 4, 9),
            amount_fen=100,
        )
    assert err.value.field == "signed_on" and "早于客户首次咨询日期" in err.value.message
    assert _row_counts() == before
    customer.refresh_from_db()
    assert customer.status == CustomerStatus.PROSPECT


@pytest.mark.parametrize(
    "kwargs",
    [
        {"amount_fen": -100},
        {
            "lines": [
                {"item": "玻尿酸", "category": "non_invasive", "amount_fen": 500000},
                {"item": "退", "category": "other", "amount_fen": -1},
            ]
        },
    ],
)
def test_negative_deal_amount_is_rejected(personas, make_customer, kwargs):
    customer = make_customer()
    _consult(customer, personas.consultant_a, at(2026, 4, 10))
    before = _row_counts()
    with pytest.raises(ValidationError) as err:
        services.deal_sign(
            actor=personas.consultant_a, customer_id=customer.pk, signed_on=dt.date(2026, 4, 12), **kwargs
        )
    assert "金额不能为负数" in err.value.message
    assert _row_counts() == before


def test_negative_transaction_amount_is_rejected(personas, make_customer):
    customer = make_customer()
    before = _row_counts()
    with pytest.raises(ValidationError) as err:
        services.transaction_record(
            actor=personas.consultant_a,
            customer_id=customer.pk,
            occurred_on=dt.date(2026, 4, 12),
            item="水光针",
            category="skin",
            amount_fen=-5000,
        )
    assert err.value.field == "amount_fen" and "负数" in err.value.message
    assert _row_counts() == before


def test_exit_without_reason_is_rejected_and_the_customer_stays(personas, make_customer):
    customer = make_customer()
    before = _row_counts()
    with pytest.raises(ValidationError) as err:
        services.exit_record(
            actor=personas.consultant_a,
            customer_id=customer.pk,
            exited_on=dt.date(2026, 9, 1),
            reason_id=None,
        )
    assert err.value.field == "reason_id" and "退出原因" in err.value.message
    assert _row_counts() == before
    customer.refresh_from_db()
    assert customer.status == CustomerStatus.PROSPECT
    services.exit_record(
        actor=personas.consultant_a,
        customer_id=customer.pk,
        exited_on=dt.date(2026, 9, 1),
        reason_id=ExitReason.objects.get(code="price").pk,
    )
    customer.refresh_from_db()
    assert customer.status == CustomerStatus.EXITED


def test_followup_reached_needs_a_satisfaction_rating(personas, make_customer):
    customer = make_customer()
    followup = services.followup_schedule(
        actor=personas.consultant_a, customer_id=customer.pk, scheduled_on=dt.date(2026, 9, 1)
    )
    with pytest.raises(ValidationError):
        services.followup_complete(
            actor=personas.consultant_a,
            followup_id=followup.pk,
            done_on=dt.date(2026, 9, 2),
            outcome="reached",
        )
    done = services.followup_complete(
        actor=personas.consultant_a,
        followup_id=followup.pk,
        done_on=dt.date(2026, 9, 2),
        outcome="reached",
        satisfaction=4,
    )
    assert done.get_satisfaction_display() == "满意"


def test_customer_with_history_cannot_be_deleted_but_a_mistake_can(personas, make_customer):
    mistake = make_customer()
    services.customer_delete(actor=personas.ops_a, customer_id=mistake.pk)
    assert not Customer.objects.filter(pk=mistake.pk, is_deleted=False).exists()
    real = make_customer(phone=mistake.phone)  # the phone is free again
    _consult(real, personas.consultant_a, at(2026, 4, 10))
    with pytest.raises(ValidationError):
        services.customer_delete(actor=personas.ops_a, customer_id=real.pk)
    with pytest.raises(NotFound):
        services.customer_update(actor=personas.consultant_a, customer_id=mistake.pk, name="x")


def test_changing_the_channel_is_copied_onto_the_funnel_rows(personas, make_customer, channels):
    customer = make_customer()
    consultation = _consult(customer, personas.consultant_a, at(2026, 4, 10))
    services.customer_update(
        actor=personas.consultant_a,
        customer_id=customer.pk,
        channel_id=channels["referral"].pk,
        city="上海",
        reason="客户是老客户介绍来的",
    )
    consultation.refresh_from_db()
    assert consultation.channel_kind == "referral" and consultation.channel == channels["referral"]
    assert consultation.is_local is False
