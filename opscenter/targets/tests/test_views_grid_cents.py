"""Issue 12 item 9: the plan grid keeps yuan with cents — a cell of ¥100,000.50 shows its cents,
and so does the half-yuan difference it leaves against its parent."""

import pytest
from django.urls import reverse

from opscenter.targets import services
from opscenter.targets.models import Allocation
from opscenter.targets.tests.conftest import TODAY

pytestmark = pytest.mark.django_db


def test_a_cell_with_cents_shows_them_and_so_does_the_difference(
    client, personas, history, frozen_today, team_b
):
    client.force_login(personas.ops_a)
    plan = services.plan_create(
        actor=personas.ops_a,
        site_id=history.pk,
        year=2027,
        targets={"revenue_fen": 120_000_000},
        month_split="even",
        today=TODAY,
    )
    services.plan_split_units(
        actor=personas.ops_a, plan_id=plan.pk, units=[f"team:{team_b.pk}"], method="even", today=TODAY
    )
    cell = Allocation.objects.get(plan_metric__plan=plan, unit_key=f"team:{team_b.pk}", month=202703)
    response = client.post(
        reverse("targets:allocation_edit", args=[cell.pk]), {"target": "99999.50"}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    cell.refresh_from_db()
    assert cell.target == 9_999_950
    assert "+¥0.50" in body  # parent ¥100,000 − children ¥99,999.50: not "+¥1" nor "¥0"
    assert 'value="99999.50"' in body
    # The team's yearly total carries the cents too.
    assert "¥1,199,999.50" in body
