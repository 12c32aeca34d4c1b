import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from opscenter.commitments.models import WorkOrder
from opscenter.reports.tests.factories import consult

pytestmark = pytest.mark.django_db


def _get(client, user):
    client.force_login(user)
    return client.get(reverse("reports:cockpit"), HTTP_HX_REQUEST="true")


def test_executive_cockpit_query_count_does_not_grow_with_data(
    client, personas, django_assert_max_num_queries
):
    now = timezone.localtime()
    consult(personas, now, deal_fen=100_00)
    with CaptureQueriesContext(connection) as small:
        assert _get(client, personas.executive).status_code == 200
    for i in range(8):
        consult(personas, now - dt.timedelta(minutes=i + 1), deal_fen=(i + 1) * 100_00)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = _get(client, personas.executive)
    html = response.content.decode()
    for section in ("funnel-day", "funnel-month", "commitments", "callcenter", "care", "marketing"):
        assert f'data-section="{section}"' in html, section
    for tile in ("sl", "abandon", "occupancy", "incidents", "spend", "cost-per-deal"):
        assert f'data-tile="{tile}"' in html, tile
    # every figure links to the rows behind it
    import re

    assert not re.search(r'href="" data-tile=', html)
    sl = re.search(r'href="([^"]+)" data-tile="sl"', html).group(1)
    assert sl.startswith("/callcenter/") or "callcenter" in sl
    # the funnel counts through the targets metrics: 9 consultations today, 9 deals, ¥3,700
    day = html.split('data-section="funnel-day"')[1].split("</section>")[0]
    assert '<span class="counter-value">9</span>' in day and "¥3,700" in day


def test_cockpit_figures_drill_down(client, personas):
    now = timezone.localtime()
    consult(personas, now)
    html = _get(client, personas.ops_a).content.decode()
    assert 'data-tile="day-consultations"' in html
    assert f"{reverse('commitments:work_order_list')}?list=overdue" in html
    # one visible site: today's consultations drill to that site's rows
    assert "metric=consultations" in html


def test_overdue_work_orders_tile_counts_open_past_due_only(client, personas):
    from opscenter.commitments.services.workorders import work_order_open
    from opscenter.core.testing import make_department

    dept = make_department(personas.site_a, "operations")
    wo = work_order_open(actor=personas.ops_a, department_id=dept.pk, title="超期测试")
    WorkOrder.objects.filter(pk=wo.pk).update(due_at=timezone.now() - dt.timedelta(hours=1))
    html = _get(client, personas.ops_a).content.decode()
    tile = html.split('data-tile="wo-overdue"')[1]
    assert '<span class="counter-value">1</span>' in tile.split("</a>")[0]


def test_consultant_sees_own_day_not_the_sites_figures(client, personas):
    html = _get(client, personas.consultant_a).content.decode()
    assert 'data-role="staff"' in html and 'data-section="mine"' in html
    assert "funnel-day" not in html


def test_executive_drill_covers_every_visible_site(client, personas):
    import re

    html = _get(client, personas.executive).content.decode()
    link = re.search(r'href="([^"]+)" data-tile="month-consultations"', html).group(1)
    assert "metric=consultations" in link and "site=" not in link


def test_day_and_week_figures_drill_to_exactly_their_rows(client, personas):
    from opscenter.metrics import get_metric, metric_values
    from opscenter.reports.tests.factories import at

    for day in ((2026, 11, 3), (2026, 11, 4), (2026, 11, 30), (2026, 12, 1), (2026, 12, 7)):
        consult(personas, at(*day))
    metric = get_metric("targets.consultations")
    site = personas.site_a.pk
    client.force_login(personas.ops_a)

    def drilled(period, start):
        response = client.get(metric.drill("site", site, period, start))
        return response.context["page"].paginator.count

    week = dt.date(2026, 11, 30)  # Monday of a week spanning November and December
    values = metric_values(
        "targets.consultations",
        grain="site",
        period="week",
        start=week,
        end=week + dt.timedelta(days=6),
        unit_ids=[site],
    )
    assert values[(site, week)].numerator == 2 == drilled("week", week)
    assert drilled("day", dt.date(2026, 11, 3)) == 1
    assert drilled("month", dt.date(2026, 11, 1)) == 3


def _tile(html: str, key: str) -> str:
    return (
        html.split(f'data-tile="{key}"')[1].split("</a>")[0].split('class="counter-value">')[1].split("<")[0]
    )


def test_site_figures_are_cached_briefly_per_set_of_visible_sites(client, personas, settings, monkeypatch):
    """Issue 11: the cockpit's registry sums are kept for OPSCENTER_COCKPIT_CACHE_SECONDS, keyed
    by the visible sites, so nobody sees figures of sites they cannot see and no figure is older
    than that; user-scoped tiles (work orders) are never cached."""
    import time
    from types import SimpleNamespace

    from django.core.cache import cache
    from django.core.cache.backends import locmem

    from opscenter.commitments.services.workorders import work_order_open
    from opscenter.core.testing import make_department

    settings.OPSCENTER_COCKPIT_CACHE_SECONDS = 60
    cache.clear()
    now = timezone.localtime()
    consult(personas, now)
    first = _get(client, personas.ops_a).content.decode()
    assert _tile(first, "day-consultations") == "1"
    assert "data-cockpit-freshness" in first and "60" in first.split("data-cockpit-freshness")[1]

    consult(personas, now)
    dept = make_department(personas.site_a, "operations")
    work_order_open(actor=personas.ops_a, department_id=dept.pk, title="缓存测试")
    client.force_login(personas.ops_a)
    url = reverse("reports:cockpit")
    with CaptureQueriesContext(connection) as cached_queries:
        second = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert _tile(second, "day-consultations") == "1"  # within the minute: the kept figure
    assert _tile(second, "wo-open") == "1"  # the user's own work-order counts are always fresh
    # Another set of visible sites is another entry: site B's operations see site B's zero, the
    # executive (both sites) both consultations.
    assert _tile(_get(client, personas.ops_b).content.decode(), "day-consultations") == "0"
    assert _tile(_get(client, personas.executive).content.decode(), "day-consultations") == "2"

    real = time.time
    monkeypatch.setattr(locmem, "time", SimpleNamespace(time=lambda: real() + 61))
    client.force_login(personas.ops_a)
    with CaptureQueriesContext(connection) as fresh_queries:
        third = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert _tile(third, "day-consultations") == "2"  # a minute later: recomputed
    # Kept figures: the page costs the request's base, the work-order counts and its own day.
    assert len(cached_queries) <= 15 < len(fresh_queries), (len(cached_queries), len(fresh_queries))


def test_cockpit_cache_off_computes_every_time_and_says_nothing(client, personas, settings):
    settings.OPSCENTER_COCKPIT_CACHE_SECONDS = 0
    now = timezone.localtime()
    consult(personas, now)
    assert _tile(_get(client, personas.ops_a).content.decode(), "day-consultations") == "1"
    consult(personas, now)
    html = _get(client, personas.ops_a).content.decode()
    assert _tile(html, "day-consultations") == "2" and "data-cockpit-freshness" not in html
