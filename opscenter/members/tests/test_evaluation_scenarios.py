"""Set-based evaluation scenarios: switching rule-set version, members who no longer qualify, and
windowed rules (the fast path over monthly aggregates equals the raw path over transactions)."""

import copy
import datetime as dt

import pytest

from opscenter.members import services
from opscenter.members.constants import SEED_004
from opscenter.members.evaluation import evaluate_rows
from opscenter.members.models import MemberTier, TierChange
from opscenter.members.rules import validate_rule_set
from opscenter.members.tests.conftest import buy, dispute, rate
from opscenter.pipeline.models import Transaction

D = dt.date
pytestmark = pytest.mark.django_db


def test_rule_set_switch_keeps_tier_and_moves_rows_to_the_new_version(personas, member, seed_rules):
    a, b = member("甲"), member("乙")
    buy(a, D(2025, 1, 5), 20_000)
    buy(a, D(2025, 3, 2), 8_000)
    rate(a, D(2025, 4, 1), 5)
    buy(b, D(2025, 1, 5))
    first = services.tiers_evaluate(actor=personas.ops_b, site_id=personas.site_b.pk, as_of=D(2030, 1, 1))
    assert first.changes == 2 and first.members == 2
    since = dict(MemberTier.objects.values_list("customer_id", "since"))
    v2 = services.tier_rules_create(
        actor=personas.ops_b,
        site_id=personas.site_b.pk,
        name=seed_rules.name,
        definition=copy.deepcopy(SEED_004),
    )
    services.tier_rules_transition(actor=personas.ops_b, rule_set_id=v2.pk, to_status="active")
    run = services.tiers_evaluate(actor=personas.ops_b, site_id=personas.site_b.pk, as_of=D(2030, 2, 1))
    assert run.changes == 0 and run.counts == first.counts
    assert set(MemberTier.objects.values_list("rule_set_id", flat=True)) == {v2.pk}
    assert dict(MemberTier.objects.values_list("customer_id", "since")) == since
    # a tier change moves `since` and writes history under v2
    dispute(a, D(2025, 5, 1))
    run = services.tiers_evaluate(actor=personas.ops_b, site_id=personas.site_b.pk, as_of=D(2030, 3, 1))
    assert run.changes == 1
    row = MemberTier.objects.get(customer=a)
    assert (row.tier, row.since, row.rule_set_id) == ("C", D(2030, 3, 1), v2.pk)
    assert MemberTier.objects.get(customer=b).since == since[b.pk]
    ch = TierChange.objects.get(evaluation=run)
    assert (ch.from_tier, ch.to_tier, ch.rule_set_id, ch.source) == ("AAA", "C", v2.pk, "evaluation")


def test_a_member_with_no_purchases_left_is_removed_with_a_change_to_nothing(personas, member, seed_rules):
    a, b, c = member("甲"), member("乙"), member("丙")
    for x in (a, b, c):
        buy(x, D(2025, 1, 5))
    services.tiers_evaluate(actor=personas.ops_b, site_id=personas.site_b.pk)
    Transaction.objects.filter(customer=b).delete()
    run = services.tiers_evaluate(actor=personas.ops_b, site_id=personas.site_b.pk)
    assert run.changes == 1 and run.counts == {"B": 2} and run.members == 2
    ch = TierChange.objects.get(evaluation=run)
    assert (ch.customer_id, ch.from_tier, ch.to_tier) == (b.pk, "B", "")
    assert set(MemberTier.objects.values_list("customer_id", flat=True)) == {a.pk, c.pk}
    again = services.tiers_evaluate(actor=personas.ops_b, site_id=personas.site_b.pk)
    assert again.changes == 0
    buy(b, D(2025, 2, 5))
    back = services.tiers_evaluate(actor=personas.ops_b, site_id=personas.site_b.pk)
    assert back.changes == 1 and TierChange.objects.get(evaluation=back).from_tier == ""


def test_windowed_rules_fast_equal_raw(personas, member, seed_rules):
    d = copy.deepcopy(SEED_004)
    d["criteria"][1]["conditions"][0]["window"] = {"kind": "months", "months": 6}
    d["criteria"][1]["conditions"][0]["threshold"] = 10_000
    d["criteria"][2]["conditions"][0]["window"] = {"kind": "year"}
    d = validate_rule_set(d)
    xs = []
    for i in range(6):
        x = member(f"客{i}")
        buy(x, D(2025, 1 + i, 5), 5_000 * i)
        buy(x, D(2024, 12, 5), 200)
        if i % 2:
            rate(x, D(2025 - (i % 3 == 0), 3, 1), 4)
        xs.append(x.pk)
    for as_of in (D(2025, 6, 30), D(2025, 12, 31)):
        fast = evaluate_rows(d, site_id=personas.site_b.pk, as_of=as_of, customer_ids=xs, fast=True)
        raw = evaluate_rows(d, site_id=personas.site_b.pk, as_of=as_of, customer_ids=xs, fast=False)
        assert sorted(fast) == sorted(raw), (as_of, fast, raw)
        assert len(fast) == 6
