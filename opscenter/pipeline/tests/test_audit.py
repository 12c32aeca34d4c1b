"""Pipeline writes are audited and attributed to the acting user, whichever door they came through."""

import pytest

from opscenter.core.audit import audit_context, history_for
from opscenter.pipeline import services

pytestmark = pytest.mark.django_db


def test_a_service_called_outside_any_request_is_attributed_to_its_actor(make_customer, personas):
    customer = make_customer(personas.consultant_a)
    entry = history_for(customer).filter(action="create").get()
    assert entry.actor == personas.consultant_a
    assert entry.source == "system"


def test_the_channel_of_the_surrounding_context_is_kept(make_customer, personas):
    customer = make_customer(personas.consultant_a)
    with audit_context(None, "cli"):
        services.customer_update(actor=personas.consultant_a, customer_id=customer.pk, profession="教师")
    entry = history_for(customer).filter(action="update").get()
    assert (entry.actor, entry.source) == (personas.consultant_a, "cli")
    assert entry.changes["profession"][1] == "教师"
