"""Hand-over when staff leave (issue 12, item 10; seed 000 员工离职形成的资源流失)."""

import datetime as dt

import pytest
from django.utils import timezone

from opscenter.core.audit import history_for
from opscenter.core.exceptions import PermissionDenied, ValidationError
from opscenter.core.testing import make_person
from opscenter.members.models import CareTask
from opscenter.org.models import Staff
from opscenter.pipeline import services
from opscenter.pipeline.exceptions import OwnershipProtected
from opscenter.pipeline.models import Appointment, Customer, FollowUp, OwnershipChange
from opscenter.pipeline.services.handover import staff_hand_over
from opscenter.pipeline.tests.conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def leaver_work(personas, make_customer):
    """consultant_a holds three customers, two open follow-ups (one done), a booked and an arrived
    appointment and an open care task."""
    a = personas.consultant_a
    customers = [make_customer(a, name=f"客户{i}") for i in range(3)]
    for c in customers:
        services.consultation_record(actor=a, customer_id=c.pk, mode="phone", occurred_at=at(2026, 3, 1))
    open_fu = services.followup_schedule(
        actor=a, customer_id=customers[0].pk, scheduled_on=dt.date(2026, 5, 1)
    )
    services.followup_schedule(actor=a, customer_id=customers[1].pk, scheduled_on=dt.date(2026, 5, 2))
    done = services.followup_schedule(actor=a, customer_id=customers[2].pk, scheduled_on=dt.date(2026, 3, 2))
    services.followup_complete(
        actor=a, followup_id=done.pk, outcome="reached", satisfaction=4, done_on=dt.date(2026, 3, 2)
    )
    booked = services.appointment_book(actor=a, customer_id=customers[1].pk, mode="phone",
                                       scheduled_for=timezone.now() + dt.timedelta(days=3))  # fmt: skip
    task = CareTask.objects.create(site=personas.site_a, customer=customers[2], assignee=a.staff, kind="followup",
                                   tier="A", due_on=dt.date(2026, 6, 1), key="followup-2026Q2")  # fmt: skip
    return customers, open_fu, booked, task


def test_one_step_hands_everything_to_a_named_colleague_keeping_the_protection(personas, leaver_work):
    customers, _open_fu, booked, task = leaver_work
    a, a2 = personas.consultant_a.staff, personas.consultant_a2.staff
    since = {c.pk: Customer.objects.get(pk=c.pk).owner_since for c in customers}
    result = staff_hand_over(actor=personas.ops_a, staff_id=a.pk, to_staff_id=a2.pk, reason="离职",
                             left_on=dt.date(2026, 4, 30))  # fmt: skip
    assert result.moved == {"customers": 3, "followups": 2, "appointments": 1, "care_tasks": 1}
    for c in Customer.objects.filter(pk__in=[c.pk for c in customers]):
        assert c.owner_id == a2.pk
        assert c.owner_since == since[c.pk]  # protection carried over, neither lapsed nor restarted
        assert c.is_protected(timezone.now()) == (c.protected_until() > timezone.now())
    assert FollowUp.objects.filter(staff=a2).count() == 2
    assert FollowUp.objects.filter(staff=a, done_on__isnull=False).count() == 1  # done work stays his
    assert Appointment.objects.get(pk=booked.pk).owner_id == a2.pk
    assert CareTask.objects.get(pk=task.pk).assignee_id == a2.pk
    a.refresh_from_db()
    assert a.left_on == dt.date(2026, 4, 30) and not a.is_active and not a.user.is_active
    changes = OwnershipChange.objects.filter(from_owner=a, to_owner=a2)
    assert changes.count() == 3 and all(ch.reason == "离职交接：离职" for ch in changes)
    entry = history_for(customers[0]).first()
    assert "离职交接" in entry.message and entry.changes == {"owner_id": [a.pk, a2.pk]}
    assert history_for(task).first().changes == {"assignee_id": [a.pk, a2.pk]}
    assert "离职交接" in history_for(a).first().message


def test_a_protected_customer_stays_protected_against_other_consultants_after_hand_over(
    personas, leaver_work
):
    customers, *_ = leaver_work
    staff_hand_over(actor=personas.ops_a, staff_id=personas.consultant_a.staff.pk,
                    to_staff_id=personas.consultant_a2.staff.pk, reason="离职")  # fmt: skip
    third = make_person("consultant_a3", "consultant", personas.site_a, "marketing",
                        team=personas.consultant_a.staff.team, name="咨询甲三")  # fmt: skip
    with pytest.raises(OwnershipProtected, match="咨询甲二"):
        services.customer_claim(actor=third, customer_id=customers[0].pk)


def test_hand_over_to_the_team_spreads_customers_with_their_work(personas, leaver_work):
    customers, _open_fu, booked, task = leaver_work
    make_person("consultant_a3", "consultant", personas.site_a, "marketing",
                team=personas.consultant_a.staff.team, name="咨询甲三")  # fmt: skip
    result = staff_hand_over(actor=personas.ops_a, staff_id=personas.consultant_a.staff.pk, reason="离职")
    assert sorted(result.customers_by_receiver.values()) == [1, 2]
    for c in Customer.objects.filter(pk__in=[c.pk for c in customers]):
        # each customer's open work went with the customer
        assert set(
            FollowUp.objects.filter(customer=c, done_on__isnull=True).values_list("staff", flat=True)
        ) <= {c.owner_id}
    assert (
        Appointment.objects.get(pk=booked.pk).owner_id == Customer.objects.get(pk=booked.customer_id).owner_id
    )
    assert CareTask.objects.get(pk=task.pk).assignee_id == Customer.objects.get(pk=task.customer_id).owner_id


def test_only_a_manager_hands_over_within_their_sites_with_a_reason(personas, leaver_work):
    a = personas.consultant_a.staff
    with pytest.raises(PermissionDenied):
        staff_hand_over(actor=personas.consultant_a2, staff_id=a.pk, reason="离职")
    with pytest.raises(ValidationError, match="原因"):
        staff_hand_over(actor=personas.ops_a, staff_id=a.pk, reason=" ")
    with pytest.raises(ValidationError, match="同一院区"):
        staff_hand_over(
            actor=personas.ops_a, staff_id=a.pk, to_staff_id=personas.consultant_b.staff.pk, reason="离职"
        )
    with pytest.raises(Exception, match="不存在或无权访问"):
        staff_hand_over(actor=personas.ops_b, staff_id=a.pk, reason="离职")
    assert Customer.objects.filter(owner=a).count() == 3 and Staff.objects.get(pk=a.pk).is_active


def test_hand_over_page_moves_the_work_and_says_what_moved(client, personas, leaver_work):
    from django.urls import reverse

    a, a2 = personas.consultant_a.staff, personas.consultant_a2.staff
    client.force_login(personas.ops_a)
    detail = client.get(reverse("org:staff_detail", args=[a.pk])).content.decode()
    assert reverse("pipeline:staff_hand_over", args=[a.pk]) in detail
    url = reverse("pipeline:staff_hand_over", args=[a.pk])
    page = client.get(url)
    assert page.status_code == 200 and page.context["holds"] == {
        "customers": 3,
        "followups": 2,
        "appointments": 1,
    }
    bad = client.post(url, {"to_staff": a2.pk, "reason": ""})
    assert bad.status_code == 200 and Customer.objects.filter(owner=a).count() == 3
    done = client.post(url, {"to_staff": a2.pk, "reason": "离职", "left_on": "2026-04-30"}, follow=True)
    assert done.status_code == 200
    assert "客户 3 位、回访 2 条、预约 1 个、关怀任务 1 项" in done.content.decode()
    assert Customer.objects.filter(owner=a2).count() == 3
    client.force_login(personas.consultant_a2)
    assert client.get(url).status_code == 403
