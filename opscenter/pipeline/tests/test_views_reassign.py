"""A manager's reassignment of a customer's owner: who may, the required reason, where it shows."""

from __future__ import annotations

import pytest
from django.urls import reverse

from opscenter.pipeline.choices import OwnershipChangeKind
from opscenter.pipeline.models import OwnershipChange

pytestmark = [pytest.mark.django_db]

HX = {"HTTP_HX_REQUEST": "true"}


def reassign_url(customer) -> str:
    return reverse("pipeline:customer_reassign", args=[customer.pk])


def detail(client, customer, **params) -> str:
    return client.get(reverse("pipeline:customer_detail", args=[customer.pk]), params).content.decode()


@pytest.mark.parametrize("manager", ["ops_a", "marketing_a"])
def test_a_manager_reassigns_with_a_reason_shown_on_the_timeline_and_in_the_history(
    client, personas, make_customer, manager
):
    customer = make_customer(name="冯阿姨")
    client.force_login(getattr(personas, manager))
    assert reassign_url(customer) in detail(client, customer)
    form = client.get(reassign_url(customer)).content.decode()
    assert "咨询甲二" in form
    assert f'value="{personas.consultant_a.staff.pk}"' not in form  # the current owner is not offered
    assert "咨询乙" not in form  # nor staff of another site

    response = client.post(
        reassign_url(customer), {"owner": personas.consultant_a2.staff.pk, "reason": "客户要求更换咨询师"}
    )
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.owner == personas.consultant_a2.staff
    change = customer.ownership_changes.first()
    assert (change.kind, change.reason) == (OwnershipChangeKind.REASSIGN, "客户要求更换咨询师")

    timeline = detail(client, customer)
    assert 'data-kind="ownership"' in timeline
    assert "主管改派：咨询甲 → 咨询甲二" in timeline and "原因：客户要求更换咨询师" in timeline
    history = detail(client, customer, tab="history")
    assert "客户要求更换咨询师" in history


def test_a_reassignment_over_htmx_answers_with_a_redirect(client, personas, make_customer):
    customer = make_customer()
    client.force_login(personas.ops_a)
    response = client.post(
        reassign_url(customer), {"owner": personas.consultant_a2.staff.pk, "reason": "工作调整"}, **HX
    )
    assert response.status_code == 204
    assert response["HX-Redirect"] == reverse("pipeline:customer_detail", args=[customer.pk])


def test_a_reassignment_without_a_reason_shows_the_message_and_changes_nothing(
    client, personas, make_customer
):
    customer = make_customer()
    client.force_login(personas.ops_a)
    response = client.post(reassign_url(customer), {"owner": personas.consultant_a2.staff.pk, "reason": " "})
    html = response.content.decode()
    assert response.status_code == 200
    assert "改派客户归属必须填写原因" in html
    assert html.index("改派客户归属必须填写原因") > html.index('id="row-reason"')
    customer.refresh_from_db()
    assert customer.owner == personas.consultant_a.staff
    assert not OwnershipChange.objects.filter(kind=OwnershipChangeKind.REASSIGN).exists()


def test_a_new_owner_from_another_site_is_rejected(client, personas, make_customer):
    customer = make_customer()
    client.force_login(personas.ops_a)
    response = client.post(
        reassign_url(customer), {"owner": personas.consultant_b.staff.pk, "reason": "试试"}
    )
    assert response.status_code == 200 and 'id="row-owner"' in response.content.decode()
    customer.refresh_from_db()
    assert customer.owner == personas.consultant_a.staff


@pytest.mark.parametrize("user", ["consultant_a", "nursing_a", "callcenter_a", "executive"])
def test_non_managers_get_no_form_and_are_refused(client, personas, make_customer, user):
    customer = make_customer()
    client.force_login(getattr(personas, user))
    assert reassign_url(customer) not in detail(client, customer)
    assert client.get(reassign_url(customer)).status_code == 403
    response = client.post(
        reassign_url(customer), {"owner": personas.consultant_a2.staff.pk, "reason": "想换"}
    )
    assert response.status_code == 403
    customer.refresh_from_db()
    assert customer.owner == personas.consultant_a.staff


def test_operations_of_another_site_cannot_reassign_a_site_a_customer(client, personas, make_customer):
    customer = make_customer()
    client.force_login(personas.ops_b)
    assert client.get(reassign_url(customer)).status_code == 404
    response = client.post(
        reassign_url(customer), {"owner": personas.consultant_a2.staff.pk, "reason": "想换"}
    )
    assert response.status_code == 404
    customer.refresh_from_db()
    assert customer.owner == personas.consultant_a.staff
