"""`GET /api/targets/plans/{id}/progress` and `opscenter targets solve`."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from opscenter.targets import services
from opscenter.targets.tests.conftest import TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(personas, history):
    return services.plan_create(actor=personas.ops_a, site_id=history.pk, year=2026,
                                targets={"revenue_fen": 60_000_000}, month_split="even", today=TODAY)  # fmt: skip


def test_progress_endpoint_returns_every_line_with_its_drill_down(client, personas, plan, frozen_today):
    client.force_login(personas.ops_a)
    response = client.get(f"/api/targets/plans/{plan.pk}/progress?period=2026-03")
    assert response.status_code == 200
    data = response.json()
    assert data["period"] == "2026-03" and data["elapsed"] == "1.0000"
    line = next(x for x in data["lines"] if x["metric"] == "revenue_fen")
    assert line["actual"] == 10_000_000 and line["target"] == 5_000_000 and line["light"] == "green"
    assert line["drill_url"].startswith("/pipeline/funnel/rows/?")


def test_progress_endpoint_refuses_other_sites(client, personas, plan):
    client.force_login(personas.ops_b)
    assert client.get(f"/api/targets/plans/{plan.pk}/progress").status_code == 403


def test_solve_command_prints_the_monthly_plan_as_json(personas, history, frozen_today, capsys):
    call_command("targets", "solve", "--revenue", "1200000", "--year", "2027", "--site", "sunshine", "--json")
    data = json.loads(capsys.readouterr().out)
    assert len(data["months"]) == 12
    assert data["total"]["revenue_fen"] == 120_000_000
    assert data["months"][2]["revenue_fen"] == 80_000_000 and data["months"][2]["deals"] == 22


def test_solve_command_text_and_bad_input(personas, history, frozen_today, capsys):
    call_command("targets", "solve", "--revenue", "1200000", "--year", "2027", "--site", "sunshine")
    out = capsys.readouterr().out
    assert "阳光养老社区 2027 年月度计划" in out and "2027-03" in out and "合计" in out
    with pytest.raises(CommandError, match="不能为负数"):
        call_command("targets", "solve", "--revenue", "-1", "--year", "2027", "--site", "sunshine")
    with pytest.raises(CommandError, match="不存在"):
        call_command("targets", "solve", "--revenue", "1", "--year", "2027", "--site", "nowhere")
