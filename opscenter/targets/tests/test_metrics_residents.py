"""New residents by stay type / care zone (新入住, elder care) as plan metrics: offered for
elder-care sites, exact actuals per unit from the pipeline's counts (event view), drill-down links
to exactly those rows, and query counts that do not grow with the number of metrics or months."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from opscenter.core.exceptions import ValidationError
from opscenter.org.selectors import scope_for
from opscenter.pipeline import selectors as pipeline
from opscenter.pipeline.tests.aftercare import build_residents
from opscenter.targets import actuals, services
from opscenter.targets.metrics import all_metrics, get_metric, metrics_for_site
from opscenter.targets.progress import Period, plan_progress
from opscenter.targets.solving import SITE_UNIT
from opscenter.targets.tests.conftest import TODAY

pytestmark = pytest.mark.django_db

RESIDENT_KEYS = [
    "residents_new_trial",
    "residents_new_short",
    "residents_new_long",
    "residents_new_assisted",
    "residents_new_rehab",
    "residents_new_dementia",
]


@pytest.fixture
def residents(personas):
    build_residents(personas)
    return personas.site_a


def _plan(personas, metrics, **kwargs):
    """A 2026 plan of site A split to team 一组 and, under it, to consultant_a2."""
    plan = services.plan_create(actor=personas.ops_a, site_id=personas.site_a.pk, year=2026,
                                targets=dict.fromkeys(metrics, 24), month_split="even", today=TODAY,
                                **kwargs)  # fmt: skip
    team = personas.consultant_a.staff.team
    services.plan_split_units(actor=personas.ops_a, plan_id=plan.pk, units=[f"team:{team.pk}"],
                              method="even", today=TODAY)  # fmt: skip
    services.plan_split_units(actor=personas.ops_a, plan_id=plan.pk, parent=f"team:{team.pk}",
                              units=[f"staff:{personas.consultant_a2.staff.pk}"], method="even",
                              today=TODAY)  # fmt: skip
    return plan


def _actuals(progress) -> dict[str, dict[str, int]]:
    return {
        metric: {line.unit.key: line.actual for line in lines} for metric, lines in progress.lines.items()
    }


def test_new_residents_are_offered_to_elder_care_sites_only():
    assert set(RESIDENT_KEYS) <= set(metrics_for_site("elder_care"))
    clinic = metrics_for_site("aesthetics")
    assert not set(RESIDENT_KEYS) & set(clinic)
    assert {"revenue_fen", "deals", "followups_done"} <= set(clinic)
    assert get_metric("residents_new_long").label == "新入住 · 长住"
    assert get_metric("residents_new_long", site_kind="elder_care").key == "residents_new_long"
    with pytest.raises(ValidationError, match="只适用于养老社区"):
        get_metric("residents_new_long", site_kind="aesthetics")
    assert set(all_metrics()) >= set(RESIDENT_KEYS)


def test_actuals_per_unit_are_the_pipelines_new_resident_counts(personas, residents):
    plan = _plan(personas, ["residents_new_long", "residents_new_assisted", "residents_new_dementia"])
    team, a2 = f"team:{personas.consultant_a.staff.team_id}", f"staff:{personas.consultant_a2.staff.pk}"
    april = _actuals(
        plan_progress(user=personas.ops_a, plan=plan, period=Period(202604, 202604), today=TODAY)
    )
    assert april["residents_new_long"] == {"site": 1, team: 1, a2: 1}
    assert april["residents_new_assisted"] == {"site": 1, team: 1, a2: 1}
    march = _actuals(
        plan_progress(user=personas.ops_a, plan=plan, period=Period(202603, 202603), today=TODAY)
    )
    # 客户甲 (consultant_a) only: the cancelled 长住 · 失智区 does not count; 客户丙's first 长住
    # (after a 短住) counts as a new long-stay resident, not by care zone (not a new customer).
    assert march["residents_new_assisted"] == {"site": 1, team: 1, a2: 0}
    assert march["residents_new_long"] == {"site": 1, team: 1, a2: 0}
    assert march["residents_new_dementia"] == {"site": 0, team: 0, a2: 0}
    year = _actuals(plan_progress(user=personas.ops_a, plan=plan, period=Period(202601, 202612), today=TODAY))
    assert year["residents_new_assisted"] == {"site": 2, team: 2, a2: 1}


def test_each_actual_drills_down_to_exactly_its_rows(client, personas, residents):
    plan = _plan(personas, RESIDENT_KEYS)
    progress = plan_progress(user=personas.ops_a, plan=plan, period=Period(202601, 202612), today=TODAY)
    client.force_login(personas.ops_a)
    for key in RESIDENT_KEYS:
        for line in progress.lines[key]:
            url = urlsplit(line.url)
            assert url.path == reverse("pipeline:funnel_rows")
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            assert query["metric"] == key and query["view"] == "event"
            filters = pipeline.parse_funnel_filters(query)
            assert (
                pipeline.funnel_rows(user=personas.ops_a, metric=key, filters=filters).count() == line.actual
            )
            page = client.get(line.url)
            assert page.status_code == 200 and page.context["page"].paginator.count == line.actual, (
                key,
                line,
            )
    site = next(line for line in progress.lines["residents_new_short"] if line.unit.kind == "site")
    page = client.get(site.url)
    assert "新入住 · 短住" in page.content.decode()
    assert [d.customer.name for d in page.context["page"].object_list] == ["客户丙"]
    assert "新顾客成交 · 短住" in page.content.decode()  # the row says why it counts


def test_another_site_follows_the_link_and_sees_no_rows(client, personas, residents):
    plan = _plan(personas, ["residents_new_assisted"])
    progress = plan_progress(user=personas.ops_a, plan=plan, period=Period(202601, 202612), today=TODAY)
    url = progress.site_line("residents_new_assisted").url
    client.force_login(personas.ops_b)
    assert client.get(reverse("targets:plan_progress", args=[plan.pk])).status_code == 403
    page = client.get(url)
    assert page.status_code == 200 and page.context["page"].paginator.count == 0


def test_progress_page_shows_them_with_their_links(
    client, personas, residents, django_assert_max_num_queries
):
    plan = _plan(personas, ["revenue_fen", *RESIDENT_KEYS])
    client.force_login(personas.ops_a)
    with django_assert_max_num_queries(40):
        page = client.get(
            reverse("targets:plan_progress", args=[plan.pk]) + "?period=2026-04&metric=residents_new_long"
        )
    assert page.status_code == 200
    lines = page.context["lines"]
    assert [line.actual for line in lines] == [1, 1, 1]
    body = page.content.decode()
    assert "新入住 · 长住" in body
    assert all(f'href="{line.url.replace("&", "&amp;")}"' in body for line in lines)


def test_progress_queries_do_not_grow_with_the_number_of_new_resident_metrics(personas, residents):
    one = _plan(personas, ["residents_new_trial"])
    six = _plan(personas, RESIDENT_KEYS)
    scope_for(personas.ops_a)

    def queries(plan) -> int:
        with CaptureQueriesContext(connection) as captured:
            plan_progress(user=personas.ops_a, plan=plan, period=Period(202601, 202612), today=TODAY)
        return len(captured)

    # The targets, the metrics, the units, then one grouped query per unit (three units).
    assert queries(one) == queries(six) == 3 + 3


def test_seasonal_history_reads_them_by_calendar_month(personas, residents):
    history = actuals.seasonal_history(user=personas.ops_a, site_id=personas.site_a.pk, units=[SITE_UNIT],
                                       metrics=["residents_new_assisted", "residents_new_short"],
                                       today=TODAY)[SITE_UNIT.key]  # fmt: skip
    assert history["residents_new_assisted"] == [0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0]
    assert history["residents_new_short"] == [0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]


def test_trial_to_long_stay_conversions_are_a_plan_metric_with_their_rate(personas, residents):
    import datetime as dt

    from opscenter.pipeline import services as pipeline_services

    a = personas.consultant_a
    jia = next(c for c in pipeline.customer_list(user=a) if c.name == "客户甲")  # 试住 in March
    pipeline_services.deal_sign(actor=a, customer_id=jia.pk, signed_on=dt.date(2026, 3, 28),
                                amount_fen=4_000_000, stay_type="long", care_zone="assisted")  # fmt: skip
    assert get_metric("residents_trial_converted").offered_for("elder_care")
    assert not get_metric("residents_trial_converted").offered_for("aesthetics")
    plan = _plan(personas, ["residents_trial_converted"])
    progress = plan_progress(user=personas.ops_a, plan=plan, period=Period(202603, 202603), today=TODAY)
    site = progress.site_line("residents_trial_converted")
    assert site.actual == 1 and site.base == 1  # 1 conversion of 1 new trial resident in March
    assert site.ratio_label == "转化率" and site.ratio_note == "转化率 100.0%（新入住 · 试住 1）"
    url = urlsplit(site.url)
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    rows = pipeline.funnel_rows(
        user=personas.ops_a, metric=query["metric"], filters=pipeline.parse_funnel_filters(query)
    )
    assert [(d.customer.name, d.stay_type) for d in rows] == [("客户甲", "long")]
