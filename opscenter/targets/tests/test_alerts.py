"""Alerts: a unit whose projection falls below the alert share notifies its manager, once."""

import datetime as dt

import pytest
from django.core.management import call_command

from opscenter.targets import services
from opscenter.targets.alerts import check_alerts
from opscenter.targets.models import Allocation, Notification
from opscenter.targets.tasks import check_alerts_task
from opscenter.targets.tests.conftest import TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def active_plan(personas, history):
    team = personas.consultant_a.staff.team
    team.leader = personas.consultant_a2.staff
    team.save()
    plan = services.plan_create(actor=personas.ops_a, site_id=history.pk, year=2026,
                                targets={"revenue_fen": 12_000_000}, month_split="even", today=TODAY)  # fmt: skip
    services.plan_split_units(actor=personas.ops_a, plan_id=plan.pk, units=[f"team:{team.pk}"], method="even",
                              today=TODAY)  # fmt: skip
    services.plan_transition(actor=personas.ops_a, plan_id=plan.pk, to="active")
    return plan


def test_projection_below_share_notifies_the_team_leader_and_site_managers_once(personas, active_plan):
    sent = check_alerts(today=dt.date(2026, 11, 20))  # November: nothing sold, target ¥10,000
    assert sent == 2  # the site's row → ops_a; the team's row → its leader
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {
        "ops_a",
        "consultant_a2",
    }
    note = Notification.objects.get(recipient=personas.consultant_a2)
    assert "一组" in note.title and "/progress/" in note.link
    assert check_alerts(today=dt.date(2026, 11, 21)) == 0  # claimed: never twice
    assert Allocation.objects.filter(alert_sent_at__isnull=False).count() == 2


def test_no_alert_in_the_first_days_of_a_month_or_for_drafts(personas, history, active_plan):
    assert check_alerts(today=dt.date(2026, 11, 3)) == 0
    Allocation.objects.update(alert_sent_at=None)
    active_plan.status = "draft"
    active_plan.save()
    assert check_alerts(today=dt.date(2026, 11, 20)) == 0


def test_the_task_and_the_command_run_the_same_check(personas, active_plan, frozen_today, capsys):
    assert check_alerts_task.call() == 2
    call_command("targets", "check-alerts")
    assert "已发送 0 条" in capsys.readouterr().out
