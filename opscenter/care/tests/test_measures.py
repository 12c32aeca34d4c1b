"""Risk measures (防范措施): confirmed done by the responsible nurse with an optimistic version
check, refused for others and other sites, audited in words; overdue ones listed and counted in the
`care.overdue_measures` metric whose drill-down lists the same rows."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from opscenter.care import services
from opscenter.care.models import RiskMeasure
from opscenter.core.exceptions import NotFound, PermissionDenied, ValidationError
from opscenter.core.models import AuditEntry
from opscenter.core.testing import make_person
from opscenter.metrics import MetricQuery, get_metric

from .conftest import MORSE_HIGH

pytestmark = pytest.mark.django_db


@pytest.fixture
def measures(care, signed):
    """A resident with a high fall risk 30 days ago and three measures owned by nursing_a: one due
    10 days ago (overdue), one due today, one due in 5 days."""
    today = timezone.localdate()
    p = care.personas
    residency = services.residency_admit(
        actor=p.ops_a, deal_id=signed("李奶奶").pk, bed_id=care.beds["assisted"][0].pk,
        started_on=today - dt.timedelta(days=40),
    )  # fmt: skip
    risk = services.risk_assess(
        actor=p.nursing_a, residency_id=residency.pk, kind="fall", answers=MORSE_HIGH,
        assessed_on=today - dt.timedelta(days=30),
    )  # fmt: skip
    out = {}
    for key, days, text in (("late", -10, "加装床栏"), ("today", 0, "夜间巡视"), ("later", 5, "防滑鞋")):
        out[key] = services.risk_measure_add(
            actor=p.nursing_a, risk_id=risk.pk, description=text, owner_id=p.nursing_a.staff.pk,
            due_on=today + dt.timedelta(days=days),
        )  # fmt: skip
    out["risk"], out["residency"] = risk, residency
    return out


def test_owner_confirms_done_and_the_audit_says_who_what_and_how_late(care, measures):
    today = timezone.localdate()
    m = services.risk_measure_done(
        actor=care.personas.nursing_a, measure_id=measures["late"].pk, done_on=today, version=1, note="已装"
    )
    assert (m.done_on, m.done_by, m.done_note, m.version) == (today, care.personas.nursing_a.staff, "已装", 2)
    entry = AuditEntry.objects.filter(object_id=str(m.pk), action="event").get()
    assert entry.message == f"护理甲确认李奶奶的防范措施“加装床栏”已于 {today} 完成（逾期 10 天）"
    assert entry.actor_label  # who, in the history screen


def test_a_stale_version_is_refused_and_nothing_changes(care, measures):
    m = measures["today"]
    services.risk_measure_done(
        actor=care.personas.nursing_a, measure_id=m.pk, done_on=timezone.localdate(), version=1
    )
    with pytest.raises(ValidationError, match="已于"):
        services.risk_measure_done(
            actor=care.personas.nursing_a, measure_id=m.pk, done_on=timezone.localdate(), version=1
        )
    other = measures["later"]
    RiskMeasure.objects.filter(pk=other.pk).update(version=2)  # someone else edited it meanwhile
    with pytest.raises(ValidationError, match="已被他人修改"):
        services.risk_measure_done(
            actor=care.personas.nursing_a, measure_id=other.pk, done_on=timezone.localdate(), version=1
        )
    other.refresh_from_db()
    assert other.done_on is None and other.version == 2


def test_only_the_owner_their_manager_or_a_nurse_of_the_zone_may_confirm(care, measures):
    stranger = make_person("nurse_x", "nursing", care.site, "nursing", name="护理乙")
    with pytest.raises(PermissionDenied, match="护理甲"):
        services.risk_measure_done(
            actor=stranger, measure_id=measures["late"].pk, done_on=timezone.localdate(), version=1
        )
    services.nurse_assign(
        actor=care.personas.ops_a,
        zone_id=measures["residency"].zone_id,
        staff_id=stranger.staff.pk,
        shift="day",
    )
    m = services.risk_measure_done(
        actor=stranger, measure_id=measures["late"].pk, done_on=timezone.localdate(), version=1
    )
    assert m.done_by == stranger.staff


def test_other_site_cannot_see_or_confirm(care, measures):
    with pytest.raises(NotFound):
        services.risk_measure_done(
            actor=care.personas.ops_b, measure_id=measures["late"].pk, done_on=timezone.localdate(), version=1
        )


def test_bad_dates_are_named(care, measures):
    p, m = care.personas, measures["late"]
    with pytest.raises(ValidationError, match="不能晚于今天"):
        services.risk_measure_done(
            actor=p.nursing_a, measure_id=m.pk, done_on=timezone.localdate() + dt.timedelta(days=1), version=1
        )
    with pytest.raises(ValidationError, match="不能早于风险评估日期"):
        services.risk_measure_done(
            actor=p.nursing_a, measure_id=m.pk, done_on=measures["risk"].assessed_on - dt.timedelta(days=1),
            version=1,
        )  # fmt: skip


def test_overdue_metric_counts_open_and_late_ones_and_drills_to_them(care, measures):
    today = timezone.localdate()
    p = care.personas
    # done late (3 days after its date) still counts; done on time does not; due today not yet.
    late_done = services.risk_measure_add(
        actor=p.nursing_a, risk_id=measures["risk"].pk, description="康复训练", owner_id=p.nursing_a.staff.pk,
        due_on=today - dt.timedelta(days=6),
    )  # fmt: skip
    services.risk_measure_done(
        actor=p.nursing_a, measure_id=late_done.pk, done_on=today - dt.timedelta(days=3), version=1
    )
    on_time = services.risk_measure_add(
        actor=p.nursing_a, risk_id=measures["risk"].pk, description="家属宣教", owner_id=p.nursing_a.staff.pk,
        due_on=today - dt.timedelta(days=5),
    )  # fmt: skip
    services.risk_measure_done(
        actor=p.nursing_a, measure_id=on_time.pk, done_on=today - dt.timedelta(days=5), version=1
    )
    metric = get_metric("care.overdue_measures")
    start = today - dt.timedelta(days=20)
    values = metric.values(MetricQuery(grain="site", period="day", start=start, end=today))
    counted = {day: v.numerator for (site, day), v in values.items() if site == care.site.pk}
    assert counted == {today - dt.timedelta(days=10): 1, today - dt.timedelta(days=6): 1}
    url = metric.drill("site", care.site.pk, "day", today - dt.timedelta(days=6))
    assert "status=late" in url


def test_measure_list_shows_overdue_first_and_confirms_through_the_form(client, care, measures):
    client.force_login(care.personas.nursing_a)
    url = reverse("care:measure_list") + f"?site={care.site.pk}"
    with CaptureQueriesContext(connection) as few:
        page = client.get(url).content.decode()
    for i in range(6):  # more rows, same number of queries (no query per row)
        services.risk_measure_add(
            actor=care.personas.nursing_a, risk_id=measures["risk"].pk, description=f"措施{i}",
            owner_id=care.personas.nursing_a.staff.pk, due_on=timezone.localdate(),
        )  # fmt: skip
    with CaptureQueriesContext(connection) as more:
        client.get(url)
    assert len(more) == len(few) <= 30
    assert page.index("加装床栏") < page.index("夜间巡视") < page.index("防滑鞋")
    assert re.search(r'data-count="overdue">1<', page) and re.search(r'data-count="open">3<', page)
    assert page.count('badge badge--danger">逾期') == 1
    m = measures["late"]
    response = client.post(
        reverse("care:measure_done", args=[m.pk]),
        {"done_on": timezone.localdate().isoformat(), "version": "1", "note": "已装", "next": url},
    )
    assert response.status_code == 302 and response["Location"] == url
    m.refresh_from_db()
    assert m.done_on == timezone.localdate() and m.version == 2
    stale = client.post(
        reverse("care:measure_done", args=[m.pk]),
        {"done_on": timezone.localdate().isoformat(), "version": "1"},
        follow=True,
    ).content.decode()
    assert "已于" in stale  # the domain message on the list page
    late = client.get(url + "&status=late").content.decode()
    assert "加装床栏" in late and "夜间巡视" not in late


def test_metric_drill_down_lists_exactly_the_counted_rows(client, care, measures):
    late_day = timezone.localdate() - dt.timedelta(days=10)
    url = get_metric("care.overdue_measures").drill("site", care.site.pk, "day", late_day)
    client.force_login(care.personas.ops_a)
    page = client.get(url).content.decode()
    assert "加装床栏" in page
    assert "夜间巡视" not in page and "防滑鞋" not in page


def test_other_site_gets_404_on_confirm(client, care, measures):
    client.force_login(care.personas.ops_b)
    response = client.post(
        reverse("care:measure_done", args=[measures["late"].pk]),
        {"done_on": timezone.localdate().isoformat(), "version": "1"},
    )
    assert response.status_code == 404
