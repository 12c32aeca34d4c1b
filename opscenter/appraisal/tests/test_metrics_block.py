"""Appraisal metrics in the registry (published results only) and the report block: average score,
top / lowest band counts, on-time publication, drill-down to the ranked results, scoped."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone

from opscenter.appraisal import services
from opscenter.appraisal.choices import CurveKind, ItemMethod
from opscenter.appraisal.metrics import publish_deadline
from opscenter.appraisal.models import Appraisal, PeriodPublication
from opscenter.core.testing import make_department, make_staff
from opscenter.metrics import get_metric, metric_values
from opscenter.reports.blocks import available_blocks

OCT = dt.date(2026, 10, 1)
OCT_END = dt.date(2026, 10, 31)


def _value(code, grain, unit_id):
    got = metric_values(code, grain=grain, period="month", start=OCT, end=OCT_END, unit_ids=[unit_id])
    return got.get((unit_id, OCT))


@pytest.fixture
def results(personas, test_metric):
    """Site A: 4 consultants' automatic scores 95 / 90 / 70 / 40 (one card, target 100)."""
    from opscenter.org.models import Staff

    site = personas.site_a
    dept = make_department(site, "marketing", "销售二部")
    Staff.objects.filter(pk__in=[personas.consultant_a.staff.pk, personas.consultant_a2.staff.pk]).update(
        department=dept
    )
    card = services.scorecard_create(
        actor=None, site_id=site.pk, name="销售考核", subject_kind="staff", department_id=dept.pk
    )
    services.scorecard_item_save(
        actor=None, scorecard=card, name="成交", weight="100", method=ItemMethod.METRIC,
        metric_code="test.deals", curve=CurveKind.TARGET, target="100",
    )  # fmt: skip
    services.scorecard_publish(actor=None, scorecard=card)
    people = [personas.consultant_a.staff, personas.consultant_a2.staff]
    people += [make_staff(department=dept, name=n) for n in ("丙", "丁")]
    test_metric.update({p.pk: v for p, v in zip(people, (95, 90, 70, 40), strict=True)})
    period = services.period_get_or_create(label="2026-10")
    services.appraisal_run(period=period)
    return period, people


def test_drafts_are_not_counted_published_results_are(personas, results):
    period, _people = results
    assert _value("appraisal.average_score", "site", personas.site_a.pk) is None
    services.period_publish(actor=personas.ops_a, period=period)
    avg = _value("appraisal.average_score", "site", personas.site_a.pk)
    assert avg.value == D("73.7500")  # (95 + 90 + 70 + 40) / 4
    assert _value("appraisal.top_grade_count", "site", personas.site_a.pk).numerator == 2  # 95 and 90.00
    assert _value("appraisal.lowest_grade_count", "site", personas.site_a.pk).numerator == 1
    assert _value("appraisal.lowest_grade_count", "staff", personas.consultant_a.staff.pk) is None


def test_published_on_time_is_by_the_third_business_day(personas, results):
    period, _people = results
    services.period_publish(actor=personas.ops_a, period=period)
    deadline = publish_deadline(OCT_END)
    assert deadline == dt.date(2026, 11, 4)  # Nov 2, 3, 4 (Mon–Wed)
    pub = PeriodPublication.objects.get()
    on_time = timezone.make_aware(dt.datetime(2026, 11, 4, 18, 0))
    PeriodPublication.objects.filter(pk=pub.pk).update(published_at=on_time)
    assert _value("appraisal.published_on_time", "site", personas.site_a.pk).value == 1
    PeriodPublication.objects.filter(pk=pub.pk).update(published_at=on_time + dt.timedelta(days=1))
    assert _value("appraisal.published_on_time", "site", personas.site_a.pk).value == 0


def test_the_report_block_lists_the_metrics_and_drills_to_ranked_scoped_results(client, personas, results):
    period, people = results
    services.period_publish(actor=personas.ops_a, period=period)
    blocks = {b.code: [m.code for m in ms] for b, ms in available_blocks(grain="site", period="month")}
    assert blocks["appraisal"][:4] == [
        "appraisal.average_score",
        "appraisal.top_grade_count",
        "appraisal.lowest_grade_count",
        "appraisal.published_on_time",
    ]
    url = get_metric("appraisal.lowest_grade_count").drill("site", personas.site_a.pk, "month", OCT)
    assert url.startswith(reverse("appraisal:period_detail", args=["2026-10"]))
    client.force_login(personas.ops_a)
    page = client.get(url).content.decode()
    assert "丁" in page and "丙" not in page and "排名" in page
    top = get_metric("appraisal.top_grade_count").drill("site", personas.site_a.pk, "month", OCT)
    page = client.get(top).content.decode()
    first, second = (Appraisal.objects.get(staff=p).pk for p in people[:2])
    statement = reverse("appraisal:statement", args=[first])
    assert statement in page and page.index(statement) < page.index(
        reverse("appraisal:statement", args=[second])
    )
    client.force_login(personas.consultant_a)  # a consultant sees only their own row
    page = client.get(top).content.decode()
    assert statement in page and reverse("appraisal:statement", args=[second]) not in page


def test_the_monthly_site_report_shows_the_appraisal_block(personas, results):
    from opscenter.reports.build import build_report_data
    from opscenter.reports.periods import month

    period, _people = results
    services.period_publish(actor=personas.ops_a, period=period)
    data = build_report_data(site=personas.site_a, period=month(2026, 10))
    block = next(b for b in data["blocks"] if b["code"] == "appraisal")
    rows = {r["code"]: r for r in block["rows"]}
    assert rows["appraisal.average_score"]["display"]["current"] == "73.8"
    assert rows["appraisal.lowest_grade_count"]["current"]["n"] == 1
