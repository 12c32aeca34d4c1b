"""Headcount, joiners, leavers and turnover per month per department (issue 12, item 10; seed 000:
市场部 from 16 people to 8)."""

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from opscenter.core.testing import make_staff
from opscenter.org import workforce
from opscenter.org.models import Department
from opscenter.org.selectors import scope_for
from opscenter.pipeline.selectors import FunnelFilters
from opscenter.targets.metrics import get_metric, metric_actuals

pytestmark = pytest.mark.django_db


@pytest.fixture
def marketing(personas):
    """A 市场部 of 16 on 2025-12-31: 4 leave in September, 4 in November, 1 joins in October."""
    dept = Department.objects.create(site=personas.site_a, name="市场部(历史)", kind="marketing")
    people = [make_staff(department=dept, name=f"市场{i}") for i in range(16)]
    for p in people:
        p.hired_on = dt.date(2025, 1, 1)
    for p in people[:4]:
        p.left_on, p.is_active = dt.date(2026, 9, 15), False
    for p in people[4:8]:
        p.left_on, p.is_active = dt.date(2026, 11, 30), False
    for p in people:
        p.save()
    joiner = make_staff(department=dept, name="新人")
    joiner.hired_on = dt.date(2026, 10, 8)
    joiner.save()
    return dept


def test_headcount_joiners_leavers_and_turnover_by_month(personas, marketing, django_assert_num_queries):
    months = [202608, 202609, 202610, 202611, 202612]
    scope_for(personas.ops_a)  # resolved once per request in real use
    with django_assert_num_queries(1):
        counts = workforce.workforce_counts(user=personas.ops_a, months=months, by_department=True)
    mine = counts[marketing.pk]
    assert [mine[m]["staff_headcount"] for m in months] == [16, 12, 13, 9, 9]
    assert [mine[m]["staff_leavers"] for m in months] == [0, 4, 0, 4, 0]
    assert [mine[m]["staff_joiners"] for m in months] == [0, 0, 1, 0, 0]
    assert mine[202609]["staff_headcount_start"] == 16
    assert workforce.turnover(4, 16) == workforce.turnover(4, mine[202609]["staff_headcount_start"]) == 0.25
    rows = workforce.workforce_rows(user=personas.ops_a, key="staff_leavers", month_from=202609, month_to=202609,
                                    department_id=marketing.pk)  # fmt: skip
    assert rows.count() == 4 and all(s.left_on.month == 9 for s in rows)


def test_workforce_metrics_are_in_the_registry_with_turnover_and_drill_down(client, personas, marketing):
    filters = FunnelFilters(month_from=202609, month_to=202609, view="event", site_id=personas.site_a.pk,
                            department_id=marketing.pk)  # fmt: skip
    leavers = get_metric("staff_leavers")
    actual = metric_actuals(
        user=personas.ops_a, filters=filters, metrics=[leavers, get_metric("staff_headcount")]
    )
    assert actual["staff_leavers"].total == 4 and actual["staff_leavers"].base_total == 16
    assert actual["staff_headcount"].total == 12
    url = leavers.drill_url(filters)
    query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    assert query["metric"] == "staff_leavers" and query["department"] == str(marketing.pk)
    client.force_login(personas.ops_a)
    page = client.get(url)
    assert page.status_code == 200 and len(page.context["staff"]) == 4
    client.force_login(personas.ops_b)  # another site sees nobody
    assert len(client.get(url).context["staff"]) == 0


def test_workforce_page_links_every_number(client, personas, marketing):
    client.force_login(personas.ops_a)
    assert reverse("org:workforce") in client.get(reverse("org:org_chart")).content.decode()
    page = client.get(reverse("org:workforce") + "?year=2026")
    assert page.status_code == 200
    row = next(r for r in page.context["rows"] if r["department"].pk == marketing.pk)
    september = row["cells"][8]
    assert september["staff_headcount"] == 12 and september["turnover"] == 0.25
    assert september["urls"]["staff_leavers"] in page.content.decode().replace("&amp;", "&")


def test_a_staff_unit_counts_that_person_alone(client, personas, marketing):
    leaver = marketing.staff.filter(left_on__month=9).order_by("employee_no").first()
    filters = FunnelFilters(month_from=202609, month_to=202609, view="event", site_id=personas.site_a.pk,
                            consultant_id=leaver.pk)  # fmt: skip
    actual = metric_actuals(user=personas.ops_a, filters=filters, metrics=[get_metric("staff_leavers")])
    assert actual["staff_leavers"].total == 1 and actual["staff_leavers"].base_total == 1
    client.force_login(personas.ops_a)
    page = client.get(get_metric("staff_leavers").drill_url(filters))
    assert [s.pk for s in page.context["staff"]] == [leaver.pk]
