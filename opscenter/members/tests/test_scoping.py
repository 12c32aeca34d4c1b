"""Member screens list only customers the user may see: the what-if preview as a consultant shows
their own customers only, and the care-task list needs the members permission."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from opscenter.core.testing import make_person
from opscenter.members import selectors, services
from opscenter.members.constants import LADDER
from opscenter.members.tests.conftest import buy, rate

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def members(personas, member, seed_rules):
    made = []
    for n in range(3):
        c = member(f"会员{n}")
        buy(c, D(2025, 1, 5), 10_000 * (n + 1))
        rate(c, D(2025, 3, 1), 5)
        made.append(c)
    services.tiers_evaluate(actor=personas.ops_b, site_id=personas.site_b.pk)
    return made


@pytest.fixture
def ladder(personas):
    return services.tier_rules_create(
        actor=personas.ops_b, site_id=personas.site_b.pk, name="消费折扣等级", definition=LADDER
    )


def test_the_preview_shows_another_consultants_customers_to_nobody_but_managers(
    client, personas, members, ladder
):
    other = make_person("consultant_b2", "consultant", personas.site_b, "marketing", name="咨询乙二")
    client.force_login(other)
    page = client.get(reverse("members:ruleset_preview", args=[ladder.pk])).content.decode()
    api = client.get(f"/api/members/rule-sets/{ladder.pk}/preview").json()
    for c in members:
        assert c.phone not in page and c.name not in page
    assert 'id="moving-count">0<' in page
    assert api["movers"] == [] and api["moving"] == 0
    # The owner sees their own members move, the manager all of them.
    assert selectors.tier_preview(user=personas.consultant_b, rule_set_id=ladder.pk).moving == 3
    assert selectors.tier_preview(user=personas.ops_b, rule_set_id=ladder.pk).moving == 3


def test_the_care_task_list_needs_the_members_permission(client, personas, members):
    services.care_tasks_generate(site_id=personas.site_b.pk)
    nurse = make_person("nursing_b", "nursing", personas.site_b, "nursing", name="护理乙")
    assert selectors.care_task_list(user=nurse).count() == 0
    assert selectors.care_task_list(user=personas.ops_b).count() > 0
    client.force_login(nurse)
    assert client.get("/api/members/care-tasks").json()["count"] == 0
    page = client.get(reverse("members:caretask_list")).content.decode()
    assert all(c.phone not in page for c in members)
