"""Follow-up completion (回访完成量) as a plan metric: exact actuals per unit with the completion
rate beside them, the drill-down page behind every actual, scoping, and alerts."""

import datetime as dt
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from opscenter.pipeline import selectors as pipeline
from opscenter.pipeline.tests.aftercare import build_followups
from opscenter.targets import services
from opscenter.targets.alerts import check_alerts
from opscenter.targets.models import Notification
from opscenter.targets.progress import Period, plan_progress
from opscenter.targets.tests.conftest import TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def followups(personas):
    build_followups(personas)


@pytest.fixture
def plan(personas, followups):
    """2026: 12 completed follow-ups a month for site A, split to team 一组 and consultant_a2."""
    plan = services.plan_create(actor=personas.ops_a, site_id=personas.site_a.pk, year=2026,
                                targets={"followups_done": 144}, month_split="even", today=TODAY)  # fmt: skip
    team = personas.consultant_a.staff.team
    services.plan_split_units(actor=personas.ops_a, plan_id=plan.pk, units=[f"team:{team.pk}"],
                              method="even", today=TODAY)  # fmt: skip
    services.plan_split_units(actor=personas.ops_a, plan_id=plan.pk, parent=f"team:{team.pk}",
                              units=[f"staff:{personas.consultant_a2.staff.pk}"], method="even",
                              today=TODAY)  # fmt: skip
    return plan


def _lines(progress) -> dict[str, tuple[int, int | None]]:
    return {line.unit.key: (line.actual, line.base) for line in progress.lines["followups_done"]}


def test_actual_is_done_follow_ups_of_the_scheduled_month_with_the_rate(personas, plan):
    team, a2 = f"team:{personas.consultant_a.staff.team_id}", f"staff:{personas.consultant_a2.staff.pk}"
    march = plan_progress(user=personas.ops_a, plan=plan, period=Period(202603, 202603), today=TODAY)
    # Done on 3-06 and (late) on 4-02 of 4 scheduled; consultant_a2's one call was unanswered.
    assert _lines(march) == {"site": (2, 4), team: (2, 4), a2: (0, 1)}
    site = march.site_line("followups_done")
    assert (site.target, site.ratio, site.ratio_label) == (12, Decimal("0.5000"), "完成率")
    assert site.ratio_note == "完成率 50.0%（计划回访量 4）"
    assert site.as_dict()["ratio"] == "0.5000" and site.as_dict()["ratio_base"] == 4
    april = plan_progress(user=personas.ops_a, plan=plan, period=Period(202604, 202604), today=TODAY)
    assert _lines(april) == {"site": (1, 1), team: (1, 1), a2: (0, 0)}
    assert april.site_line("followups_done").ratio == Decimal(1)
    a2_line = next(line for line in april.lines["followups_done"] if line.unit.key == a2)
    assert a2_line.ratio is None and a2_line.ratio_note == "完成率 —（计划回访量 0）"
    year = plan_progress(user=personas.ops_a, plan=plan, period=Period(202601, 202612), today=TODAY)
    assert _lines(year)["site"] == (3, 5)


def test_funnel_metrics_carry_no_rate(personas, followups):
    plan = services.plan_create(actor=personas.ops_a, site_id=personas.site_a.pk, year=2026,
                                targets={"deals": 12}, month_split="even", today=TODAY)  # fmt: skip
    line = plan_progress(
        user=personas.ops_a, plan=plan, period=Period(202603, 202603), today=TODAY
    ).site_line("deals")
    assert line.base is None and line.ratio is None and line.ratio_note == ""


def test_every_actual_drills_down_to_its_follow_ups(client, personas, plan):
    march = plan_progress(user=personas.ops_a, plan=plan, period=Period(202603, 202603), today=TODAY)
    client.force_login(personas.ops_a)
    for line in march.lines["followups_done"]:
        url = urlsplit(line.url)
        assert url.path == reverse("pipeline:followup_rows")
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        assert query["metric"] == "followups_done"
        rows = pipeline.followup_rows(user=personas.ops_a, filters=pipeline.parse_funnel_filters(query))
        assert rows.count() == line.actual
        page = client.get(line.url)
        assert page.status_code == 200
        assert (page.context["page"].paginator.count, page.context["scheduled"]) == (line.actual, line.base)


def test_progress_page_links_the_actual(client, personas, plan, django_assert_max_num_queries):
    client.force_login(personas.ops_a)
    with django_assert_max_num_queries(30):
        page = client.get(
            reverse("targets:plan_progress", args=[plan.pk]) + "?period=2026-03&metric=followups_done"
        )
    assert page.status_code == 200
    body = page.content.decode()
    assert "回访完成量" in body
    site = next(line for line in page.context["lines"] if line.unit.kind == "site")
    assert site.actual == 2 and f'href="{site.url.replace("&", "&amp;")}"' in body


def test_another_sites_manager_cannot_read_the_plan_or_the_rows(client, personas, plan):
    url = (
        plan_progress(user=personas.ops_a, plan=plan, period=Period(202603, 202603), today=TODAY)
        .site_line("followups_done")
        .url
    )
    client.force_login(personas.ops_b)
    assert client.get(reverse("targets:plan_progress", args=[plan.pk])).status_code == 403
    page = client.get(url)
    assert page.status_code == 200 and page.context["page"].paginator.count == 0


def test_a_follow_up_target_at_risk_notifies_like_any_other(personas, plan):
    services.plan_transition(actor=personas.ops_a, plan_id=plan.pk, to="active")
    # November: 12 to complete, none done by the 20th → red for the site, the team and consultant_a2.
    assert check_alerts(today=dt.date(2026, 11, 20)) >= 1
    note = Notification.objects.filter(recipient=personas.ops_a).first()
    assert note is not None and "回访完成量" in note.title and "metric=followups_done" in note.link
    assert "至今完成 0，完成率 —（计划回访量 0）" in note.body
