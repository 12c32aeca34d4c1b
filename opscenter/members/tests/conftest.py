"""Members test helpers: a customer at the clinic site (meilai) and raw rows written through the
ORM (the bookkeeping signal keeps the running aggregates exact), the seed-004 rules activated."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from opscenter.members import services
from opscenter.members.constants import SEED_004, SEED_004_NAME
from opscenter.pipeline.models import Customer, Dispute, FollowUp, Transaction

_phones = itertools.count(13900000001)
TODAY = dt.date(2025, 6, 30)


@pytest.fixture
def member(personas):
    """Factory: a customer of site B owned by consultant_b."""

    def make(name: str = "李四", **kwargs) -> Customer:
        return Customer.objects.create(
            site=personas.site_b,
            name=name,
            phone=str(next(_phones)),
            cohort_month=202401,
            owner=personas.consultant_b.staff,
            **kwargs,
        )

    return make


def buy(customer, day: dt.date, amount_yuan: int = 100, *, category="other", sessions=1, kind="purchase"):
    return Transaction.objects.create(
        site_id=customer.site_id,
        customer=customer,
        occurred_on=day,
        month=day.year * 100 + day.month,
        item="项目",
        category=category,
        sessions=sessions,
        amount_fen=amount_yuan * 100,
        kind=kind,
    )


def rate(customer, day: dt.date, satisfaction: int):
    return FollowUp.objects.create(
        site_id=customer.site_id,
        customer=customer,
        scheduled_on=day,
        month=day.year * 100 + day.month,
        done_on=day,
        outcome="reached",
        satisfaction=satisfaction,
    )


def dispute(customer, opened: dt.date, *, settled: dt.date | None = None, outcome: str = ""):
    return Dispute.objects.create(
        site_id=customer.site_id,
        customer=customer,
        opened_on=opened,
        category="treatment",
        description="术后效果不满意",
        status="settled" if settled else "open",
        settled_on=settled,
        outcome=outcome,
    )


@pytest.fixture
def seed_rules(personas):
    """Seed 004's rules, active at site B."""
    rule_set = services.tier_rules_create(
        actor=personas.ops_b, site_id=personas.site_b.pk, name=SEED_004_NAME, definition=SEED_004
    )
    services.tier_rules_transition(actor=personas.ops_b, rule_set_id=rule_set.pk, to_status="active")
    rule_set.refresh_from_db()
    return rule_set
