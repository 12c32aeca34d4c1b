"""Issue 11, speed under load: what every request costs before its page does any work.

The main pages of each role (the pages `bench/load_bench.py` drives) run a bounded number of
queries that does not grow with the data, and a GET writes nothing — no session save, no
login-attempt (axes) bookkeeping, no derived refresh. The per-request base (session, user,
groups, staff, sites, permissions) is pinned separately so that a middleware or context
processor adding a query to every page shows up here.
"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from opscenter.pipeline import services

pytestmark = pytest.mark.django_db

# page → the most queries it may run (as any role), measured with 2 and 8 customers.
PAGES = {
    "/": 15,
    "/pipeline/": 14,
    "/pipeline/funnel/": 20,
    "/pipeline/funnel/data.json": 11,
    "/pipeline/followups/": 9,
    "/members/": 11,
    "/members/care/": 9,
    "customer": 19,  # + the channel grade behind the ownership protection window
    "/reports/cockpit/": 37,  # the site figures computed (tests run with the cockpit cache off)
}
ROLES = ("executive", "ops_a", "marketing_a", "customer_a", "consultant_a", "callcenter_a", "nursing_a")
WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.I)


def _customers(personas, make_customer, count):
    out = []
    for i in range(count):
        customer = make_customer(name=f"客户{i}")
        services.followup_schedule(
            actor=personas.consultant_a, customer_id=customer.pk, scheduled_on=timezone.localdate()
        )
        out.append(customer)
    return out


@pytest.fixture
def make_customer(personas):
    from opscenter.pipeline.models import Channel
    from opscenter.pipeline.tests.conftest import next_phone

    channel = Channel.objects.filter(site__isnull=True, kind="phone").first()

    def make(**kwargs):
        actor = personas.consultant_a
        return services.customer_register(
            actor=actor,
            site_id=actor.staff.department.site.pk,
            channel_id=channel.pk,
            phone=next_phone(),
            **kwargs,
        )

    return make


@pytest.mark.parametrize("count", [2, 8])
def test_main_pages_of_every_role_run_bounded_queries_and_write_nothing(
    client, personas, make_customer, count
):
    customers = _customers(personas, make_customer, count)
    for role in ROLES:
        client.force_login(getattr(personas, role))
        for page, bound in PAGES.items():
            path = f"/pipeline/customers/{customers[-1].pk}/" if page == "customer" else page
            client.get(path)  # first visit: anything done once per session is done
            with CaptureQueriesContext(connection) as queries:
                response = client.get(path)
            assert response.status_code in (200, 404), (role, path, response.status_code)
            writes = [q["sql"] for q in queries.captured_queries if WRITE.match(q["sql"])]
            assert not writes, (role, path, writes)
            assert len(queries) <= bound, (role, path, len(queries), [q["sql"][:90] for q in queries])


def test_a_signed_in_request_costs_a_fixed_base_of_queries(client, personas, password):
    """Signed in through the real login form (sessions and axes as in production)."""
    response = client.post("/accounts/login/", {"username": personas.ops_a.username, "password": password})
    assert response.status_code == 302
    client.get("/healthz")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/pipeline/followups/")
    assert response.status_code == 200
    assert not [q for q in queries.captured_queries if WRITE.match(q["sql"])]
    # session, user, groups, staff, extra sites, two permission queries, the page's own (≤ 3)
    assert len(queries) <= 10, [q["sql"][:90] for q in queries]
