"""Seed 004's member grading, exactly: criteria A (repeat purchase days, skin course, package
items), B (spend ≥ ¥28,000), C (latest satisfaction ≥ 一般); AAA/AA/A/B; C for an open dispute;
settlement rules. Each case is checked through both SQL sources and the Python explanation."""

from __future__ import annotations

import datetime as dt

import pytest

from opscenter.members import selectors
from opscenter.members.evaluation import evaluate_rows
from opscenter.members.tests.conftest import TODAY, buy, dispute, rate

D = dt.date


def tiers(rule_set, customer, as_of=TODAY):
    """(fast SQL, raw SQL, Python explanation) tiers of one customer."""
    definition, site = rule_set.definition, customer.site_id
    fast = evaluate_rows(definition, site_id=site, as_of=as_of, customer_ids=[customer.pk], fast=True)
    raw = evaluate_rows(definition, site_id=site, as_of=as_of, customer_ids=[customer.pk], fast=False)
    explained = selectors.explain(customer_id=customer.pk, rule_set=rule_set, as_of=as_of)
    return (fast[0][1] if fast else None, raw[0][1] if raw else None, explained.tier)


def assert_tier(rule_set, customer, expected, as_of=TODAY):
    assert tiers(rule_set, customer, as_of) == (expected, expected, expected)


@pytest.mark.django_db
class TestSeed004:
    def test_two_purchases_on_the_same_day_are_one_purchase_day(self, member, seed_rules):
        c = member()
        buy(c, D(2024, 1, 5))
        buy(c, D(2024, 1, 5))
        assert_tier(seed_rules, c, "B")

    def test_purchases_on_two_different_days_meet_criterion_a(self, member, seed_rules):
        c = member()
        buy(c, D(2024, 1, 5))
        buy(c, D(2024, 3, 2))
        assert_tier(seed_rules, c, "A")

    def test_a_skin_course_of_six_sessions_bought_but_not_used_is_not_criterion_a(self, member, seed_rules):
        # 皮肤疗程 6 次以上 counts the sessions consumed (clinic/tests/test_member_tiers.py), not bought.
        six = member()
        buy(six, D(2024, 1, 5), category="skin", sessions=6)
        assert_tier(seed_rules, six, "B")

    def test_a_skin_package_item_meets_a(self, member, seed_rules):
        c = member()
        buy(c, D(2024, 1, 5), category="skin_package")
        assert_tier(seed_rules, c, "A")

    def test_spend_of_exactly_28000_meets_b_and_one_fen_less_does_not(self, member, seed_rules):
        exact, short = member(), member()
        buy(exact, D(2024, 1, 5), 28_000)
        buy(short, D(2024, 1, 5), 27_999)
        buy(short, D(2024, 1, 5), 0)  # a free item the same day: still one purchase day
        assert_tier(seed_rules, exact, "A")
        assert_tier(seed_rules, short, "B")

    def test_refunds_are_excluded_from_spend_and_purchase_days(self, member, seed_rules):
        c = member()
        buy(c, D(2024, 1, 5), 28_000)
        buy(c, D(2024, 2, 9), 500, kind="refund")
        assert_tier(seed_rules, c, "B")  # net ¥27,500; the refund day is not a second purchase day

    def test_latest_satisfaction_decides_criterion_c(self, member, seed_rules):
        c = member()
        buy(c, D(2024, 1, 5))
        rate(c, D(2024, 2, 1), 2)
        rate(c, D(2024, 3, 1), 3)
        assert_tier(seed_rules, c, "A")
        rate(c, D(2024, 4, 1), 1)
        assert_tier(seed_rules, c, "B")

    def test_all_three_criteria_make_aaa_and_two_make_aa(self, member, seed_rules):
        aaa, aa = member(), member()
        for c in (aaa, aa):
            buy(c, D(2024, 1, 5), 20_000)
            buy(c, D(2024, 3, 2), 8_000)
        rate(aaa, D(2024, 4, 1), 5)
        assert_tier(seed_rules, aaa, "AAA")
        assert_tier(seed_rules, aa, "AA")

    def test_an_open_dispute_overrides_aaa(self, member, seed_rules):
        c = member()
        buy(c, D(2024, 1, 5), 20_000)
        buy(c, D(2024, 3, 2), 8_000)
        rate(c, D(2024, 4, 1), 5)
        dispute(c, D(2025, 5, 1))
        assert_tier(seed_rules, c, "C")

    def test_a_dispute_settled_by_repair_with_satisfaction_at_least_average_returns_to_b(
        self, member, seed_rules
    ):
        c = member()
        buy(c, D(2024, 1, 5), 20_000)
        buy(c, D(2024, 3, 2), 8_000)
        d = dispute(c, D(2025, 4, 1))
        assert_tier(seed_rules, c, "C")
        d.status, d.settled_on, d.outcome = "settled", D(2025, 5, 1), "repaired"
        d.save()
        assert_tier(seed_rules, c, "C")  # no satisfaction recorded since: not yet upgraded
        rate(c, D(2025, 5, 10), 3)
        assert_tier(seed_rules, c, "B")
        assert_tier(seed_rules, c, "AAA", as_of=D(2026, 6, 30))  # a year on, the normal rules again

    def test_a_dispute_settled_by_refund_archives_the_customer_as_special(self, member, seed_rules):
        c = member()
        buy(c, D(2024, 1, 5), 30_000)
        dispute(c, D(2025, 4, 1), settled=D(2025, 5, 1), outcome="refunded")
        assert_tier(seed_rules, c, "J")

    def test_the_dispute_state_is_read_as_of_the_evaluation_date(self, member, seed_rules):
        c = member()
        buy(c, D(2024, 1, 5))
        dispute(c, D(2025, 4, 1), settled=D(2025, 5, 1), outcome="repaired")
        rate(c, D(2025, 5, 10), 4)
        assert_tier(seed_rules, c, "C", as_of=D(2025, 4, 15))  # open then (raw path for a past date)

    def test_a_customer_without_purchases_is_not_a_member(self, member, seed_rules):
        c = member()
        rate(c, D(2024, 4, 1), 5)
        assert tiers(seed_rules, c) == (None, None, None)

    def test_the_explanation_lists_the_numbers_behind_each_criterion(self, member, seed_rules):
        c = member()
        buy(c, D(2024, 1, 5), 10_000)
        buy(c, D(2024, 3, 2), 20_000)
        buy(c, D(2024, 6, 11), 1_200)
        buy(c, D(2024, 6, 20), 2_000, kind="refund")
        explained = selectors.explain(customer_id=c.pk, rule_set=seed_rules, as_of=TODAY)
        a = explained.criteria[0].conditions[0]
        assert a.holds and a.detail == "3 个消费日：2024-01-05、2024-03-02、2024-06-11"
        b = explained.criteria[1].conditions[0]
        assert b.holds and b.detail.startswith("净消费 ¥29,200（消费 ¥31,200")
        assert b.text == "消费金额（扣除退款） ≥ ¥28,000"
        assert explained.tier == "AA" and explained.level["match"] == "at_least"
