"""Member API: tier, explanation, history; rule sets with preview and validation errors; disputes."""

from __future__ import annotations

import copy
import datetime as dt

import pytest

from opscenter.members import services
from opscenter.members.constants import SEED_004
from opscenter.members.tests.conftest import buy, rate

pytestmark = pytest.mark.django_db


@pytest.fixture
def aaa(personas, member, seed_rules):
    c = member("接口")
    buy(c, dt.date(2025, 1, 5), 20_000)
    buy(c, dt.date(2025, 3, 2), 8_000)
    rate(c, dt.date(2025, 4, 1), 5)
    services.tiers_evaluate(actor=personas.ops_b, site_id=personas.site_b.pk)
    return c


def test_tier_explanation_and_history(client, personas, aaa):
    client.force_login(personas.ops_b)
    tier = client.get(f"/api/members/customers/{aaa.pk}/tier").json()
    assert (tier["tier"], tier["label"], tier["rule_set_version"]) == ("AAA", "AAA级", 1)
    explained = client.get(f"/api/members/customers/{aaa.pk}/explanation").json()
    assert explained["criteria"][0]["conditions"][0]["detail"] == "2 个消费日：2025-01-05、2025-03-02"
    assert explained["level"]["tier"] == "AAA" and explained["rule_set"]["version"] == 1
    history = client.get(f"/api/members/customers/{aaa.pk}/history").json()
    assert [(h["from_tier"], h["to_tier"]) for h in history] == [("", "AAA")]


def test_out_of_scope_member_is_not_found(client, personas, aaa):
    client.force_login(personas.consultant_a)
    assert client.get(f"/api/members/customers/{aaa.pk}/tier").status_code == 404


def test_an_invalid_rule_set_is_rejected_with_every_problem(client, personas, seed_rules):
    client.force_login(personas.ops_b)
    bad = copy.deepcopy(SEED_004)
    bad["criteria"][1]["conditions"][0]["threshold"] = 28000.5
    bad["levels"][5]["priority"] = None
    response = client.post(
        "/api/members/rule-sets",
        {"site_id": personas.site_b.pk, "name": "x", "definition": bad},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "标准值必须是以分为单位的整数金额" in response.json()["detail"]


def test_dispute_open_and_settle_move_the_member(client, personas, aaa, django_capture_on_commit_callbacks):
    client.force_login(personas.ops_b)
    today = dt.date.today().isoformat()
    with django_capture_on_commit_callbacks(execute=True):  # the tier is refreshed after the commit
        created = client.post(
            "/api/members/disputes",
            {"customer_id": aaa.pk, "opened_on": today, "category": "price", "description": "收费有异议"},
            content_type="application/json",
        )
    assert created.status_code == 201
    assert client.get(f"/api/members/customers/{aaa.pk}/tier").json()["tier"] == "C"
    with django_capture_on_commit_callbacks(execute=True):
        settled = client.post(
            f"/api/members/disputes/{created.json()['id']}/settle",
            {"settled_on": today, "outcome": "repaired"},
            content_type="application/json",
        )
    assert settled.json()["status"] == "settled"
    assert client.get(f"/api/members/customers/{aaa.pk}/tier").json()["tier"] == "B"  # latest 满意度 ≥ 一般
    preview = client.get(f"/api/members/rule-sets/{aaa.member_tier.rule_set_id}/preview").json()
    assert preview["moving"] == 0
