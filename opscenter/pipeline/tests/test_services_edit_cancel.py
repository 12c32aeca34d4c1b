"""Issue 12 item 4: editing a customer (reason for the channel, optimistic version check) and
cancelling a deal (reversed, not erased: funnel, money rows, new-customer flag, member tier)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from opscenter.core.exceptions import ValidationError
from opscenter.core.models import AuditEntry
from opscenter.members import selectors as member_selectors
from opscenter.members import services as member_services
from opscenter.members.constants import SEED_004, SEED_004_NAME
from opscenter.members.models import MemberTier
from opscenter.pipeline import selectors, services
from opscenter.pipeline.models import Customer, Deal, Transaction
from opscenter.pipeline.selectors import FunnelFilters
from opscenter.pipeline.tests.conftest import at


def _consulted(make_customer, actor, when):
    customer = make_customer(actor)
    services.consultation_record(actor=actor, customer_id=customer.pk, mode="phone", occurred_at=when)
    return customer


def test_an_edit_drawn_before_someone_elses_save_is_refused_and_overwrites_nothing(personas, make_customer):
    customer = make_customer(name="王五")
    version = services.customer_version(customer)
    services.customer_update(
        actor=personas.consultant_a, customer_id=customer.pk, expected_version=version, profession="教师"
    )
    with pytest.raises(ValidationError) as exc:
        services.customer_update(
            actor=personas.marketing_a, customer_id=customer.pk, expected_version=version, name="王老五"
        )
    assert "已被他人修改" in exc.value.message
    customer.refresh_from_db()
    assert (customer.name, customer.profession) == ("王五", "教师")
    fresh = services.customer_version(customer)
    services.customer_update(
        actor=personas.marketing_a, customer_id=customer.pk, expected_version=fresh, name="王老五"
    )
    customer.refresh_from_db()
    assert customer.name == "王老五"


def test_changing_the_channel_needs_a_reason_that_is_audited(personas, make_customer, channels):
    customer = make_customer()
    with pytest.raises(ValidationError) as exc:
        services.customer_update(
            actor=personas.marketing_a, customer_id=customer.pk, channel_id=channels["referral"].pk
        )
    assert exc.value.field == "reason"
    assert Customer.objects.get(pk=customer.pk).channel_id == channels["phone"].pk
    services.customer_update(
        actor=personas.marketing_a,
        customer_id=customer.pk,
        channel_id=channels["referral"].pk,
        reason="核实为老客户介绍",
    )
    messages = AuditEntry.objects.filter(object_id=str(customer.pk), action="event").values_list(
        "message", flat=True
    )
    assert any("核实为老客户介绍" in m for m in messages)


def test_a_cancelled_deal_leaves_the_funnel_and_the_next_deal_becomes_the_new_customer_deal(
    personas, make_customer
):
    a = personas.consultant_a
    customer = _consulted(make_customer, a, at(2026, 3, 1))
    first = services.deal_sign(
        actor=a, customer_id=customer.pk, signed_on=dt.date(2026, 3, 5), amount_fen=500_000
    )
    second = services.deal_sign(
        actor=a, customer_id=customer.pk, signed_on=dt.date(2026, 3, 9), amount_fen=300_000
    )
    filters = FunnelFilters(month_from=202603, month_to=202603, view="event")
    before = selectors.funnel(user=personas.ops_a, filters=filters).total
    assert (before.counts["deals"], before.revenue_fen) == (2, 800_000)

    services.deal_transition(actor=personas.ops_a, deal_id=first.pk, to_status="cancelled", reason="家属反对")

    after = selectors.funnel(user=personas.ops_a, filters=filters).total
    assert (after.counts["deals"], after.revenue_fen) == (1, 300_000)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == "cancelled" and "家属反对" in first.note  # kept, marked, not deleted
    assert (first.is_new_customer, second.is_new_customer) == (False, True)
    assert Deal.objects.filter(customer=customer).count() == 2


def test_cancelling_the_only_deal_makes_the_customer_a_prospect_again(personas, make_customer):
    a = personas.consultant_a
    customer = _consulted(make_customer, a, at(2026, 3, 1))
    deal = services.deal_sign(actor=a, customer_id=customer.pk, signed_on=dt.date(2026, 3, 5), amount_fen=100)
    assert Customer.objects.get(pk=customer.pk).status == "customer"
    services.deal_transition(actor=a, deal_id=deal.pk, to_status="cancelled", reason="录入错误")
    assert Customer.objects.get(pk=customer.pk).status == "prospect"
    with pytest.raises(ValidationError):
        services.deal_transition(actor=a, deal_id=deal.pk, to_status="cancelled", reason="再次作废")


def test_a_cancelled_order_is_reversed_by_refund_rows_and_its_tier_effect_goes(
    personas, make_customer, django_capture_on_commit_callbacks
):
    """Seed 004 at the clinic: two purchase days (A) and ≥ ¥28,000 (B) make AA; cancelling the
    second order leaves one purchase day and ¥20,000 — no criterion, tier B."""
    rules = member_services.tier_rules_create(
        actor=personas.ops_b, site_id=personas.site_b.pk, name=SEED_004_NAME, definition=SEED_004
    )
    member_services.tier_rules_transition(actor=personas.ops_b, rule_set_id=rules.pk, to_status="active")
    b = personas.consultant_b
    today = timezone.localdate()
    customer = _consulted(make_customer, b, timezone.now() - dt.timedelta(days=30))
    line = {"item": "光子嫩肤", "category": "skin"}
    with django_capture_on_commit_callbacks(execute=True):
        services.deal_sign(
            actor=b,
            customer_id=customer.pk,
            signed_on=today - dt.timedelta(days=20),
            lines=[{**line, "amount_fen": 2_000_000}],
            record_transactions=True,
        )
        second = services.deal_sign(
            actor=b,
            customer_id=customer.pk,
            signed_on=today - dt.timedelta(days=10),
            lines=[{**line, "amount_fen": 1_000_000}],
            record_transactions=True,
        )
    assert MemberTier.objects.get(customer=customer).tier == "AA"

    with django_capture_on_commit_callbacks(execute=True):
        services.deal_transition(
            actor=personas.ops_b, deal_id=second.pk, to_status="cancelled", reason="退订"
        )

    refunds = Transaction.objects.filter(deal=second, kind="refund")
    assert [(r.amount_fen, r.category) for r in refunds] == [(1_000_000, "skin")]
    assert Transaction.objects.filter(deal=second, kind="purchase").count() == 1  # never deleted
    assert MemberTier.objects.get(customer=customer).tier == "B"
    # The member page's explanation reads the raw rows the same way.
    assert member_selectors.explain(customer_id=customer.pk, rule_set=rules).tier == "B"
