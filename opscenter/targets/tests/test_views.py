"""The screens: create, split, edit a cell (htmx), solve, progress with drill-down links, 403s and
pinned query counts."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from opscenter.pipeline import selectors as pipeline
from opscenter.targets import services
from opscenter.targets.models import Allocation, Notification, PlanMetric, TargetPlan
from opscenter.targets.tests.conftest import TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan_2026(personas, history, team_b, frozen_today):
    plan = services.plan_create(actor=personas.ops_a, site_id=history.pk, year=2026,
                                targets={"revenue_fen": 60_000_000}, month_split="seasonal",
                                solve_from_revenue=True, today=TODAY)  # fmt: skip
    team_a = personas.consultant_a.staff.team
    services.plan_split_units(actor=personas.ops_a, plan_id=plan.pk, units=[f"team:{team_a.pk}", f"team:{team_b.pk}"],
                              method="even", today=TODAY)  # fmt: skip
    services.plan_transition(actor=personas.ops_a, plan_id=plan.pk, to="active")
    return plan


def test_operations_manager_creates_a_plan_from_a_revenue_target(client, personas, history, frozen_today):
    client.force_login(personas.ops_a)
    page = client.get(reverse("targets:plan_create"))
    assert page.status_code == 200
    response = client.post(reverse("targets:plan_create"), {
        "site": personas.site_a.pk, "year": 2027, "revenue": "1200000", "month_split": "seasonal",
        "solve_from_revenue": "on",
    })  # fmt: skip
    plan = TargetPlan.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "targets:plan_detail", args=[plan.pk]
    )
    assert PlanMetric.objects.get(plan=plan, metric="revenue_fen").annual_target == 120_000_000
    assert set(PlanMetric.objects.filter(plan=plan).values_list("metric", flat=True)) >= {"deals", "visits"}


def test_negative_revenue_is_refused_on_the_form(client, personas, history, frozen_today):
    client.force_login(personas.ops_a)
    response = client.post(reverse("targets:plan_create"), {"site": personas.site_a.pk, "year": 2027,
                                                           "revenue": "-5", "month_split": "even"})  # fmt: skip
    assert response.status_code == 200 and "不能为负数" in response.content.decode()
    assert not TargetPlan.objects.exists()


def test_plan_page_edits_a_cell_by_htmx_and_shows_the_difference(client, personas, history, frozen_today, team_b,
                                                                   django_assert_max_num_queries):  # fmt: skip
    client.force_login(personas.ops_a)
    plan = services.plan_create(actor=personas.ops_a, site_id=history.pk, year=2027,
                                targets={"revenue_fen": 120_000_000}, month_split="even", today=TODAY)  # fmt: skip
    services.plan_split_units(actor=personas.ops_a, plan_id=plan.pk, units=[f"team:{team_b.pk}"], method="even",
                              today=TODAY)  # fmt: skip
    with django_assert_max_num_queries(16):
        page = client.get(reverse("targets:plan_detail", args=[plan.pk]))
    assert page.status_code == 200 and "各级合计一致" in page.content.decode()
    cell = Allocation.objects.get(plan_metric__plan=plan, unit_key=f"team:{team_b.pk}", month=202703)
    response = client.post(reverse("targets:allocation_edit", args=[cell.pk]), {"target": "100050.00"},
                           HTTP_HX_REQUEST="true")  # fmt: skip
    body = response.content.decode()
    assert response.status_code == 200 and 'id="plan-grid"' in body
    assert "−¥50" in body and "存在未对齐的分解" in body
    cell.refresh_from_db()
    assert cell.target == 10_005_000


def test_solve_page_shows_both_directions_and_the_fallback(client, personas, plan_2026, team_b):
    client.force_login(personas.ops_a)
    page = client.get(reverse("targets:plan_solve", args=[plan_2026.pk]) + f"?unit=team:{team_b.pk}")
    body = page.content.decode()
    assert page.status_code == 200
    # 二组 has no history: its department (市场部, where 一组 did all the work) comes before the site.
    assert 'id="fallback-note"' in body and "已改用部门“市场部”的转化率" in body
    assert {r.source for r in page.context["rates"]} == {"department"}
    assert 'id="channel-plan"' in body
    site = client.get(reverse("targets:plan_solve", args=[plan_2026.pk]) + "?unit=site").content.decode()
    assert 'id="fallback-note"' not in site
    assert 'id="back-table"' in body and 'id="forward-table"' in body
    chart = client.get(reverse("targets:plan_solve_data", args=[plan_2026.pk]) + "?unit=site").json()
    assert [s["name"] for s in chart["series"]] == ["营收目标", "按计划咨询预计营收", "需要咨询量(电话+网络)"]


def test_solve_page_names_the_unit_of_every_rate_and_of_the_chain(client, personas, plan_2026):
    client.force_login(personas.ops_a)
    body = client.get(reverse("targets:plan_solve", args=[plan_2026.pk]) + "?unit=site").content.decode()
    assert 'id="solve-unit-note"' in body and "成交按签约笔数" in body
    for key in ("revenue_per_deal_fen", "conversion_rate", "phone_visit_rate", "online_visit_rate"):
        assert f'data-unit="{key}"' in body
    assert "元/笔" in body and "笔/人次" in body
    assert "人均贡献额" not in body  # the per-customer figure is not part of the chain


def test_progress_actuals_are_funnel_numbers_with_drill_down_links(client, personas, plan_2026,
                                                                    django_assert_max_num_queries):  # fmt: skip
    client.force_login(personas.ops_a)
    with django_assert_max_num_queries(40):
        page = client.get(
            reverse("targets:plan_progress", args=[plan_2026.pk]) + "?period=2026&metric=revenue_fen"
        )
    assert page.status_code == 200
    lines = page.context["lines"]
    site = next(line for line in lines if line.unit.kind == "site")
    assert site.actual == 15_000_000 and site.target == 60_000_000
    url = urlsplit(site.url)
    assert url.path == reverse("pipeline:funnel_rows")
    filters = pipeline.parse_funnel_filters({k: v[0] for k, v in parse_qs(url.query).items()})
    assert filters.view == "event" and (filters.month_from, filters.month_to) == (202601, 202612)
    rows = pipeline.funnel_rows(user=personas.ops_a, metric="revenue_fen", filters=filters)
    assert sum(rows.values_list("amount_fen", flat=True)) == site.actual
    assert f'href="{site.url.replace("&", "&amp;")}"' in page.content.decode()
    assert [line.unit.label for line in page.context["ranking"]] == ["一组", "二组"]


def test_another_sites_plan_is_forbidden(client, personas, plan_2026):
    client.force_login(personas.ops_b)
    assert client.get(reverse("targets:plan_detail", args=[plan_2026.pk])).status_code == 403
    assert client.get(reverse("targets:plan_progress", args=[plan_2026.pk])).status_code == 403
    response = client.post(reverse("targets:plan_create"), {"site": personas.site_a.pk, "year": 2027,
                                                           "revenue": "100", "month_split": "even"})  # fmt: skip
    assert response.status_code == 200 and not TargetPlan.objects.filter(year=2027).exists()


def test_notifications_page_lists_and_marks_read(client, personas):
    Notification.objects.create(recipient=personas.ops_a, title="目标预警：一组", body="…", link="/targets/")
    client.force_login(personas.ops_a)
    page = client.get(reverse("targets:notification_list"))
    assert "目标预警：一组" in page.content.decode()
    client.post(reverse("targets:notification_read"))
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_plan_form_takes_yearly_targets_of_other_metrics(client, personas, history, frozen_today):
    """New residents and follow-up completion get a yearly target on the same form, split by month."""
    client.force_login(personas.ops_a)
    page = client.get(reverse("targets:plan_create")).content.decode()
    assert "新入住 · 长住" in page and "回访完成量" in page and "仅养老社区" in page
    response = client.post(reverse("targets:plan_create"), {
        "site": personas.site_a.pk, "year": 2027, "revenue": "", "month_split": "even",
        "metric_residents_new_long": "24", "metric_followups_done": "1200",
    })  # fmt: skip
    plan = TargetPlan.objects.get()
    assert response.status_code == 302
    targets = dict(PlanMetric.objects.filter(plan=plan).values_list("metric", "annual_target"))
    assert targets == {"residents_new_long": 24, "followups_done": 1200}
    assert (
        list(
            plan.metrics.get(metric="residents_new_long")
            .allocations.order_by("month")
            .values_list("target", flat=True)
        )
        == [2] * 12
    )


def test_plan_form_refuses_elder_care_metrics_for_a_clinic(client, personas, history, frozen_today):
    client.force_login(personas.ops_b)
    response = client.post(reverse("targets:plan_create"), {
        "site": personas.site_b.pk, "year": 2027, "revenue": "100000", "month_split": "even",
        "metric_residents_new_long": "5",
    })  # fmt: skip
    assert response.status_code == 200
    assert "“新入住 · 长住”只适用于养老社区" in response.content.decode()
    assert not TargetPlan.objects.exists()


def test_plan_form_needs_revenue_to_back_solve(client, personas, history, frozen_today):
    client.force_login(personas.ops_a)
    response = client.post(reverse("targets:plan_create"), {
        "site": personas.site_a.pk, "year": 2027, "month_split": "even", "solve_from_revenue": "on",
        "metric_followups_done": "100",
    })  # fmt: skip
    assert response.status_code == 200 and "根据营收反推需要填写年度营收目标" in response.content.decode()
    assert not TargetPlan.objects.exists()


def test_allocation_edit_checks_the_plan_scope_before_reading_the_allocation(client, personas, plan_2026):
    cell = Allocation.objects.filter(plan_metric__plan=plan_2026).order_by("pk").first()
    before = cell.target
    url = reverse("targets:allocation_edit", args=[cell.pk])
    missing = reverse("targets:allocation_edit", args=[cell.pk + 10_000_000])
    # Another site's manager: the same 404 as for an id that does not exist, nothing changed.
    client.force_login(personas.ops_b)
    assert client.post(url, {"target": "1"}).status_code == 404
    assert client.post(missing, {"target": "1"}).status_code == 404
    # Without the targets role: refused before any allocation is looked up, existing or not.
    client.force_login(personas.nursing_a)
    assert client.post(url, {"target": "1"}).status_code == 403
    assert client.post(missing, {"target": "1"}).status_code == 403
    cell.refresh_from_db()
    assert cell.target == before
