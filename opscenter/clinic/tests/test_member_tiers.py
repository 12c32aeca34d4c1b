"""The member-tier course criterion counts consumed sessions (疗程消耗), read through the clinic's
selectors (members.sources), not the sessions bought: a customer who bought 10 and used 3 has 3."""

import copy
import datetime as dt

import pytest

from opscenter.clinic import services
from opscenter.clinic.models import Package
from opscenter.clinic.services import OrderLine
from opscenter.clinic.tests.conftest import at
from opscenter.members import selectors as members_selectors
from opscenter.members import services as members
from opscenter.members.constants import SEED_004
from opscenter.members.evaluation import evaluate_rows
from opscenter.members.models import MemberTier, TierRuleSet
from opscenter.members.rules import validate_rule_set

pytestmark = pytest.mark.django_db
SOLD = dt.date(2026, 3, 2)


def _rules(*conditions) -> dict:
    return validate_rule_set(
        {
            "tiers": [{"code": "A", "label": "A级"}, {"code": "B", "label": "B级"}],
            "criteria": [
                {"code": "K", "label": "皮肤疗程", "combine": "any", "conditions": list(conditions)}
            ],
            "levels": [
                {"tier": "A", "match": "all", "criteria": ["K"], "priority": 1},
                {"tier": "B", "match": "none", "criteria": ["K"], "priority": 2},
            ],
        }
    )


CONSUMED = {"metric": "course_sessions", "categories": ["skin_package"], "op": ">=", "threshold": 6}
BOUGHT = {"metric": "category_sessions", "categories": ["skin_package"], "op": ">=", "threshold": 6}


def _tiers(definition, customer, as_of):
    """(fast SQL, raw SQL, explanation) tier of one customer, and the explanation."""
    site = customer.site_id
    fast = evaluate_rows(definition, site_id=site, as_of=as_of, customer_ids=[customer.pk], fast=True)
    raw = evaluate_rows(definition, site_id=site, as_of=as_of, customer_ids=[customer.pk], fast=False)
    explained = members_selectors.explain(
        customer_id=customer.pk, rule_set=TierRuleSet(site_id=site, definition=definition), as_of=as_of
    )
    return (fast[0][1], raw[0][1], explained.tier), explained


@pytest.fixture
def bought_ten(personas, clinic, customer):
    """A customer who bought a 皮肤疗程 of 10 sessions (valid a year) and used 3 of them."""
    c = customer(name="十次卡")
    services.order_place(
        actor=personas.consultant_b, customer_id=c.pk, signed_on=SOLD,
        lines=[OrderLine(item="皮肤疗程10次", category="skin_package", amount_fen=1_000_000, center_id=clinic.skin.pk,
                         doctor_id=clinic.doctor.pk, sessions=10, valid_days=365)],
    )  # fmt: skip
    package = Package.objects.get(customer=c)
    for day in (3, 10, 17):
        _use(personas, clinic, package, dt.date(2026, 3, day))
    return c, package


def _use(personas, clinic, package, day):
    return services.session_consume(
        actor=personas.ops_b, package_id=package.pk, performed_by_id=clinic.doctor.pk, used_at=at(day)
    )


def test_bought_ten_used_three_counts_three_consumed_sessions(personas, clinic, bought_ten):
    c, _package = bought_ten
    today = dt.date(2026, 3, 31)
    # What was bought (10) would meet "6 次以上"; what was consumed (3) does not.
    assert _tiers(_rules(BOUGHT), c, today)[0] == ("A", "A", "A")
    tiers, explained = _tiers(_rules(CONSUMED), c, today)
    assert tiers == ("B", "B", "B")
    [condition] = explained.criteria[0].conditions
    assert (condition.holds, condition.value) == (False, "3")
    assert condition.detail.startswith("已消耗 3 次：2026-03-03 皮肤疗程10次 第 1 次")


def test_the_sixth_consumed_session_meets_the_criterion_and_moves_the_member(
    personas, clinic, bought_ten, django_capture_on_commit_callbacks
):
    c, package = bought_ten
    definition = _rules(CONSUMED)
    rule_set = members.tier_rules_create(
        actor=personas.ops_b, site_id=clinic.site.pk, name="疗程", definition=definition
    )
    members.tier_rules_activate(actor=personas.ops_b, rule_set_id=rule_set.pk)
    assert MemberTier.objects.get(customer=c).tier == "B"
    for day in (24, 25):
        _use(personas, clinic, package, dt.date(2026, 3, day))
    with django_capture_on_commit_callbacks(execute=True):
        _use(personas, clinic, package, dt.date(2026, 4, 1))
    assert _tiers(definition, c, dt.date(2026, 4, 2))[0] == ("A", "A", "A")
    # As of the day before the sixth session the member had five.
    assert _tiers(definition, c, dt.date(2026, 3, 31))[0][1:] == ("B", "B")
    # The consumption re-evaluated the member at once (after the commit), not only at night.
    assert MemberTier.objects.get(customer=c).tier == "A"


def test_a_window_counts_only_the_sessions_used_in_it(personas, clinic, bought_ten):
    c, package = bought_ten
    for day in (1, 8, 15):
        _use(personas, clinic, package, dt.date(2026, 4, day))  # six in all: three in March, three in April
    recent = dict(CONSUMED, threshold=4, window={"kind": "months", "months": 1})
    tiers, explained = _tiers(_rules(recent), c, dt.date(2026, 4, 30))
    assert tiers == ("B", "B", "B") and explained.criteria[0].conditions[0].value == "3"
    assert _tiers(_rules(dict(recent, threshold=3)), c, dt.date(2026, 4, 30))[0] == ("A", "A", "A")


def test_seed_004_skin_course_criterion_counts_consumed_sessions(personas, clinic, customer):
    """Seed 004's 皮肤疗程 6 次以上: a 皮肤美容 course of 10 bought on one day with 3 used is not
    criterion A (one purchase day, no package item); with 6 used it is."""
    definition = validate_rule_set(copy.deepcopy(SEED_004))
    c = customer(name="皮肤美容")
    services.order_place(
        actor=personas.consultant_b, customer_id=c.pk, signed_on=SOLD,
        lines=[OrderLine(item="光子嫩肤10次", category="skin", amount_fen=500_000, center_id=clinic.skin.pk,
                         sessions=10, valid_days=365)],
    )  # fmt: skip
    package = Package.objects.get(customer=c)
    for day in (3, 10, 17):
        _use(personas, clinic, package, dt.date(2026, 3, day))
    assert _tiers(definition, c, dt.date(2026, 3, 31))[0] == ("B", "B", "B")
    for day in (24, 25, 26):
        _use(personas, clinic, package, dt.date(2026, 3, day))
    assert _tiers(definition, c, dt.date(2026, 3, 31))[0] == ("A", "A", "A")
