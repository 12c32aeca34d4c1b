"""The SQL evaluation (both sources: running aggregates and raw rows) equals the plain Python
reference evaluation of the same rule set, on random data and random rule sets."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opscenter.members import aggregates, selectors
from opscenter.members.constants import LADDER, SEED_004
from opscenter.members.evaluation import evaluate_rows
from opscenter.members.models import TierRuleSet
from opscenter.members.rules import validate_rule_set
from opscenter.members.tests.conftest import buy, dispute, rate
from opscenter.pipeline.choices import ItemCategory

AS_OF = dt.date(2025, 6, 15)
days = st.dates(min_value=dt.date(2023, 1, 1), max_value=dt.date(2025, 8, 31))
txn = st.tuples(
    days,
    st.integers(min_value=0, max_value=30_000),
    st.sampled_from(ItemCategory.values),
    st.integers(min_value=1, max_value=8),
    st.sampled_from(["purchase", "purchase", "purchase", "refund"]),
)
disputes = st.tuples(
    days, st.one_of(st.none(), st.integers(0, 200)), st.sampled_from(["repaired", "compensated", "refunded"])
)
customer_data = st.tuples(
    st.lists(txn, max_size=8),
    st.lists(st.tuples(days, st.integers(1, 5)), max_size=4),
    st.lists(disputes, max_size=2),
)
windows = st.one_of(
    st.just({"kind": "all"}),
    st.just({"kind": "year"}),
    st.integers(1, 24).map(lambda n: {"kind": "months", "months": n}),
)


@st.composite
def conditions(draw):
    metric = draw(
        st.sampled_from(
            [
                "purchase_days",
                "category_sessions",
                "spend",
                "satisfaction_latest",
                "satisfaction_avg",
                "open_dispute",
                "settled_dispute",
                "refund_count",
                "course_sessions",
            ]
        )
    )
    op = draw(st.sampled_from([">=", ">", "<=", "<", "=="]))
    threshold = {
        "purchase_days": st.integers(0, 5),
        "category_sessions": st.integers(0, 12),
        "spend": st.integers(0, 60_000).map(lambda y: y * 100),
        "satisfaction_latest": st.integers(1, 5),
        "satisfaction_avg": st.integers(10, 50).map(lambda t: t / 10),
        "open_dispute": st.integers(0, 2),
        "settled_dispute": st.integers(0, 2),
        "refund_count": st.integers(0, 3),
        "course_sessions": st.integers(0, 3),
    }[metric]
    cond = {"metric": metric, "op": op, "threshold": draw(threshold), "window": draw(windows)}
    if metric in ("category_sessions", "course_sessions") or (metric == "spend" and draw(st.booleans())):
        cond["categories"] = draw(
            st.lists(st.sampled_from(ItemCategory.values), min_size=1, max_size=3, unique=True)
        )
    if metric == "settled_dispute":
        cond["outcomes"] = draw(
            st.lists(
                st.sampled_from(["repaired", "compensated", "refunded"]), min_size=1, max_size=3, unique=True
            )
        )
    return cond


@st.composite
def rule_sets(draw):
    n = draw(st.integers(1, 4))
    criteria = [
        {
            "code": f"K{i}",
            "label": f"K{i}",
            "combine": draw(st.sampled_from(["all", "any"])),
            "conditions": draw(st.lists(conditions(), min_size=1, max_size=3)),
        }
        for i in range(n)
    ]
    codes = [c["code"] for c in criteria]
    levels = [
        {"tier": f"T{i}", "match": draw(st.sampled_from(["all", "any"])), "criteria": [code], "priority": i}
        for i, code in enumerate(codes)
    ]
    levels.append({"tier": "T2", "match": "at_least", "k": 1, "criteria": codes, "priority": 50})
    levels.append({"tier": "Z", "match": "none", "criteria": codes, "priority": 99})
    tiers = [{"code": code, "label": code} for code in sorted({lv["tier"] for lv in levels})]
    return validate_rule_set({"tiers": tiers, "criteria": criteria, "levels": levels})


def _load(member, data) -> int:
    customer = member()
    txns, ratings, ds = data
    for day, yuan, category, sessions, kind in txns:
        buy(customer, day, yuan, category=category, sessions=sessions, kind=kind)
    for day, satisfaction in ratings:
        rate(customer, day, satisfaction)
    for opened, settle_after, outcome in ds:
        settled = opened + dt.timedelta(days=settle_after) if settle_after is not None else None
        dispute(customer, opened, settled=settled, outcome=outcome if settled else "")
    return customer.pk


def _check(personas, definition, ids, as_of):
    rule_set = TierRuleSet(site=personas.site_b, definition=definition)
    expected = {}
    for pk in ids:
        explained = selectors.explain(customer_id=pk, rule_set=rule_set, as_of=as_of)
        if explained.is_member:
            expected[pk] = explained.tier
    raw = {
        pk: tier
        for pk, tier, _ in evaluate_rows(
            definition, site_id=personas.site_b.pk, as_of=as_of, customer_ids=ids, fast=False
        )
    }
    assert raw == expected
    return expected


SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.mark.django_db
@SETTINGS
@given(
    definition=st.one_of(st.just(SEED_004), st.just(LADDER), rule_sets()),
    data=st.lists(customer_data, min_size=1, max_size=3),
)
def test_sql_evaluation_equals_the_python_reference(personas, member, definition, data):
    definition = validate_rule_set(definition)
    ids = [_load(member, d) for d in data]
    _check(personas, definition, ids, AS_OF)
    # The running aggregates read as of the last data date equal the reference too.
    latest = dt.date(2025, 8, 31)
    expected = _check(personas, definition, ids, latest)
    fast = evaluate_rows(definition, site_id=personas.site_b.pk, as_of=latest, customer_ids=ids, fast=True)
    assert {pk: tier for pk, tier, _ in fast} == expected
    assert aggregates.verify(site_id=personas.site_b.pk) == []
