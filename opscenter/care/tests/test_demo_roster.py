"""The demo roster: care workers (护理员) spread over the zones' shifts by their residents, so the
staffing ratios look like a real community's — mostly within the limit, one shift at it, one over."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from opscenter.care import demo
from opscenter.care.models import Bed, NurseAssignment, Occupancy, Residency, Room
from opscenter.care.selectors.census import staffing
from opscenter.core.testing import make_person
from opscenter.org.models import Position
from opscenter.pipeline.models import Customer

pytestmark = pytest.mark.django_db

RESIDENTS = {"assisted": 90, "rehab": 50, "dementia": 40}


def test_demo_roster_gives_mostly_green_ratios_with_one_amber_and_one_red(care):
    site, today = care.site, timezone.localdate()
    worker = Position.objects.create(name="护理员")
    for i in range(48):
        person = make_person(f"hly{i}", "nursing", site, "nursing", name=f"护理员{i}")
        person.staff.position = worker
        person.staff.save()
    stays = []
    for code, n in RESIDENTS.items():
        zone = care.zones[code]
        room = Room.objects.create(site=site, zone=zone, number=f"{code}-9")
        beds = Bed.objects.bulk_create([Bed(site=site, zone=zone, room=room, label=str(i)) for i in range(n)])
        for bed in beds:
            customer = Customer.objects.create(site=site, name=f"{code}{bed.label}", phone=f"139{bed.pk:08d}",
                                               cohort_month=202601)  # fmt: skip
            stay = Residency(
                site=site,
                customer=customer,
                stay_type="long",
                zone=zone,
                bed=bed,
                started_on=today - dt.timedelta(days=30),
            )
            stays.append((stay, bed))
    Residency.objects.bulk_create([r for r, _b in stays])
    Occupancy.objects.bulk_create(
        [
            Occupancy(site=site, residency=r, bed=b, zone=b.zone, start_day=r.started_on.toordinal())
            for r, b in stays
        ]
    )
    rostered = demo._roster(site)
    rows = {(r["zone"].care_zone, r["shift"]): r for r in staffing(site_id=site.pk, today=today)}
    assert rostered == NurseAssignment.objects.filter(site=site).count() <= 48
    assert not NurseAssignment.objects.exclude(staff__position=worker).exists()  # head nurse, assessors off
    red = [k for k, r in rows.items() if r["warning"]]
    amber = [k for k, r in rows.items() if r["near"]]
    green = [k for k, r in rows.items() if not r["warning"] and not r["near"]]
    assert red == [("dementia", "夜班")] and amber == [("dementia", "白班")] and len(green) == 4
    assert rows[("assisted", "白班")]["ratio"] <= 8
