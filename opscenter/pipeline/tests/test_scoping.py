"""Role × site: who reads and who writes which customers and events."""

from __future__ import annotations

import datetime as dt

import pytest

from opscenter.core.exceptions import NotFound, PermissionDenied
from opscenter.pipeline import selectors, services
from opscenter.pipeline.tests.conftest import at


@pytest.fixture
def book(personas, make_customer):
    """One customer for A, one for A2 (site A) and one for B (site B), each with a consultation."""
    rows = {}
    for key, actor in (
        ("a", personas.consultant_a),
        ("a2", personas.consultant_a2),
        ("b", personas.consultant_b),
    ):
        customer = make_customer(actor, name=f"客户{key}")
        services.consultation_record(
            actor=actor, customer_id=customer.pk, mode="phone", occurred_at=at(2026, 5, 1)
        )
        rows[key] = customer
    return rows


def _visible(user):
    return {c.name for c in selectors.customer_list(user=user)}


def test_consultant_reads_only_their_own_customers(personas, book):
    assert _visible(personas.consultant_a) == {"客户a"}
    assert {c.customer.name for c in selectors.consultation_list(user=personas.consultant_a)} == {"客户a"}
    for other in ("a2", "b"):
        with pytest.raises(NotFound):
            selectors.customer_get(user=personas.consultant_a, customer_id=book[other].pk)


def test_consultant_cannot_write_a_colleagues_or_another_sites_customer(personas, book):
    for other in ("a2", "b"):
        with pytest.raises(NotFound):
            services.customer_update(actor=personas.consultant_a, customer_id=book[other].pk, name="改")
        with pytest.raises(NotFound):
            services.consultation_record(
                actor=personas.consultant_a,
                customer_id=book[other].pk,
                mode="phone",
                occurred_at=at(2026, 5, 2),
            )
    with pytest.raises(PermissionDenied):  # nor register at site B
        services.customer_register(
            actor=personas.consultant_a, site_id=personas.site_b.pk, name="x", phone="13900000000"
        )


def test_consultant_cannot_register_a_customer_for_a_colleague(personas):
    with pytest.raises(PermissionDenied):
        services.customer_register(
            actor=personas.consultant_a,
            site_id=personas.site_a.pk,
            name="x",
            phone="13900000000",
            owner_id=personas.consultant_a2.staff.pk,
        )


def test_executive_reads_every_site_and_writes_nothing(personas, book):
    assert _visible(personas.executive) == {"客户a", "客户a2", "客户b"}
    with pytest.raises(PermissionDenied):
        services.customer_update(actor=personas.executive, customer_id=book["a"].pk, name="改")
    with pytest.raises(PermissionDenied):
        services.customer_register(
            actor=personas.executive, site_id=personas.site_a.pk, name="x", phone="13900000000"
        )


def test_marketing_of_site_a_writes_site_a_only(personas, book):
    assert _visible(personas.marketing_a) == {"客户a", "客户a2"}
    services.customer_update(actor=personas.marketing_a, customer_id=book["a2"].pk, profession="教师")
    services.consultation_record(
        actor=personas.marketing_a, customer_id=book["a"].pk, mode="onsite", occurred_at=at(2026, 5, 3)
    )
    with pytest.raises(NotFound):
        services.customer_update(actor=personas.marketing_a, customer_id=book["b"].pk, profession="教师")
    with pytest.raises(PermissionDenied):
        services.customer_register(
            actor=personas.marketing_a, site_id=personas.site_b.pk, name="x", phone="13900000000"
        )


def test_nursing_assesses_but_does_not_register_customers(personas, book):
    assert _visible(personas.nursing_a) == {"客户a", "客户a2"}
    services.assessment_record(actor=personas.nursing_a, customer_id=book["a"].pk, zone="rehab")
    with pytest.raises(PermissionDenied):
        services.customer_register(
            actor=personas.nursing_a, site_id=personas.site_a.pk, name="x", phone="13900000000"
        )
    with pytest.raises(PermissionDenied):
        services.deal_sign(
            actor=personas.nursing_a, customer_id=book["a"].pk, signed_on=dt.date(2026, 5, 2), amount_fen=1
        )


def test_call_center_records_consultations_and_followups_only(personas, book):
    services.consultation_record(
        actor=personas.callcenter_a, customer_id=book["a"].pk, mode="phone", occurred_at=at(2026, 5, 4)
    )
    services.followup_schedule(
        actor=personas.callcenter_a, customer_id=book["a"].pk, scheduled_on=dt.date(2026, 6, 1)
    )
    with pytest.raises(PermissionDenied):
        services.visit_register(
            actor=personas.callcenter_a, customer_id=book["a"].pk, arrived_at=at(2026, 5, 4)
        )


def test_funnel_and_share_tables_are_scoped_like_the_lists(personas, book):
    filters = selectors.FunnelFilters(month_from=202605, month_to=202605)
    consultations = {
        user: selectors.funnel(user=getattr(personas, user), filters=filters).total.counts["consultations"]
        for user in ("executive", "ops_a", "ops_b", "consultant_a", "finance_a")
    }
    assert consultations == {"executive": 3, "ops_a": 2, "ops_b": 1, "consultant_a": 1, "finance_a": 2}
    assert sum(s.count for s in selectors.share_table(user=personas.consultant_b, table="source")) == 1
