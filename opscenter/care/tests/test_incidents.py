"""Incidents: validation, the work order, the risk known at the time and the exact monthly rate."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from opscenter.care import services
from opscenter.care.models import Bed, Incident
from opscenter.care.selectors.census import census, incident_rates, rate_per_thousand
from opscenter.commitments.models import WorkOrder
from opscenter.core.exceptions import ValidationError
from opscenter.metrics import metric_values

from .conftest import MORSE_HIGH


def at(day: dt.date, hour=10):
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_default_timezone())


def admit(care, deal, bed, day):
    return services.residency_admit(actor=care.personas.ops_a, deal_id=deal.pk, bed_id=bed.pk, started_on=day)


def fall(care, residency, when, **kw):
    return services.incident_record(
        actor=care.personas.nursing_a,
        residency_id=residency.pk,
        kind=kw.pop("kind", "fall"),
        occurred_at=when,
        place="卫生间",
        severity="moderate",
        immediate_action="扶起检查，通知医生",
        **kw,
    )


def test_incident_opens_a_work_order_and_links_the_fall_risk_known_then(care, signed):
    residency = admit(care, signed(), care.beds["assisted"][0], dt.date(2026, 2, 1))
    risk = services.risk_assess(
        actor=care.personas.nursing_a,
        residency_id=residency.pk,
        kind="fall",
        answers=MORSE_HIGH,
        assessed_on=dt.date(2026, 2, 2),
    )
    incident = fall(
        care,
        residency,
        at(dt.date(2026, 2, 10)),
        family_informed_at=at(dt.date(2026, 2, 10), 11),
        family_informed_by_id=care.personas.nursing_a.staff.pk,
    )
    assert incident.risk_assessment == risk and risk.level == "high"
    order = WorkOrder.objects.get(pk=incident.work_order_id)
    assert order.source == "incident" and order.source_ref == f"care.incident:{incident.pk}"
    assert order.department.kind == "nursing"
    assert incident.zone == care.zones["assisted"]


def test_incident_dated_before_admission_is_rejected_and_nothing_written(care, signed):
    residency = admit(care, signed(), care.beds["assisted"][0], dt.date(2026, 2, 1))
    with pytest.raises(ValidationError) as err:
        fall(care, residency, at(dt.date(2026, 1, 31)))
    assert "早于入住日期" in err.value.message
    assert Incident.objects.count() == 0 and WorkOrder.objects.count() == 0


def test_incident_rate_over_a_month_with_admissions_and_discharges_inside_it(care, signed):
    """March 2026 (31 days), assisted zone:
    A in residence all month: 31 days; B admitted 11 March: 21 days (11–31);
    C admitted 1 Feb, discharged 16 March: 15 days (1–15, the discharge day not counted);
    D admitted 20 March, transferred to rehab 25 March: 5 days here (20–24), 7 in rehab (25–31).
    Assisted: 31 + 21 + 15 + 5 = 72 resident-days; 3 incidents → 3 × 1000 / 72 = 41.67.
    Rehab: 7 days, 1 incident → 142.86."""
    beds = care.beds["assisted"]
    a = admit(care, signed("甲"), beds[0], dt.date(2026, 2, 1))
    c = admit(care, signed("丙"), beds[1], dt.date(2026, 2, 1))
    services.residency_discharge(actor=care.personas.ops_a, residency_id=c.pk, ended_on=dt.date(2026, 3, 16))
    extra = Bed.objects.create(site=care.site, zone=care.zones["assisted"], room=beds[0].room, label="3")
    b = admit(care, signed("乙"), extra, dt.date(2026, 3, 11))
    d = admit(care, signed("丁"), beds[1], dt.date(2026, 3, 20))
    services.residency_transfer(
        actor=care.personas.ops_a,
        residency_id=d.pk,
        to_bed_id=care.beds["rehab"][0].pk,
        moved_on=dt.date(2026, 3, 25),
        reason="康复",
        decided_by_id=care.nurse_manager.staff.pk,
    )
    fall(care, a, at(dt.date(2026, 3, 3)))
    fall(care, b, at(dt.date(2026, 3, 12)))
    fall(care, c, at(dt.date(2026, 3, 15)), kind="wandering")
    fall(care, d, at(dt.date(2026, 3, 28)))
    fall(care, a, at(dt.date(2026, 2, 27)))  # February: not counted in March

    result = incident_rates(site_id=care.site.pk, first=dt.date(2026, 3, 1), last=dt.date(2026, 3, 31))
    rows = {r["zone"].care_zone: r for r in result["rows"]}
    assert rows["assisted"]["days"] == 72
    assert rows["assisted"]["incidents"] == 3
    assert rows["assisted"]["by_kind"] == {"fall": 2, "wandering": 1}
    assert rows["assisted"]["rate"] == Decimal("41.67")
    assert rows["rehab"]["days"] == 7 and rows["rehab"]["rate"] == Decimal("142.86")
    assert rows["dementia"]["rate"] is None
    assert result["totals"][0]["days"] == 79 and result["totals"][0]["incidents"] == 4

    values = metric_values(
        "care.incident_rate",
        grain="site",
        period="month",
        start=dt.date(2026, 3, 1),
        end=dt.date(2026, 3, 31),
    )
    assert values[(care.site.pk, dt.date(2026, 3, 1))].value == Decimal("50.6329")  # 4000 / 79
    days = metric_values(
        "care.resident_days",
        grain="site",
        period="month",
        start=dt.date(2026, 3, 1),
        end=dt.date(2026, 3, 31),
    )
    assert days[(care.site.pk, dt.date(2026, 3, 1))].value == 79

    c2 = census(
        site_id=care.site.pk, first=dt.date(2026, 3, 1), last=dt.date(2026, 3, 31), today=dt.date(2026, 3, 31)
    )
    assisted = next(r for r in c2["rows"] if r["zone"].care_zone == "assisted")
    assert assisted["average"] == Decimal("2.3")  # 72 / 31
    assert assisted["occupancy"] == Decimal("77.4")  # 72 / (3 beds × 31)


def test_rate_per_thousand_rounds_half_up():
    assert rate_per_thousand(1, 3) == Decimal("333.33")
    assert rate_per_thousand(0, 0) is None


def test_resident_days_query_count_is_bounded(care, signed, django_assert_max_num_queries):
    for i in range(2):
        admit(care, signed(f"人{i}"), care.beds["assisted"][i], dt.date(2026, 1, 10))
    with django_assert_max_num_queries(3):
        incident_rates(site_id=care.site.pk, first=dt.date(2025, 1, 1), last=dt.date(2026, 12, 31))
