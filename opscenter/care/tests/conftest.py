"""Care test helpers: the standard zones at site A with rooms and beds, a nursing manager as
arbiter, and signed elder-care deals made straight through the ORM."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from opscenter.care import services
from opscenter.care.models import Bed, Zone
from opscenter.core.testing import make_person
from opscenter.pipeline.models import Customer, Deal

_phones = itertools.count(13700000001)

BARTHEL_FULL = {
    "feeding": 10, "bathing": 5, "grooming": 5, "dressing": 10, "bowels": 10,
    "bladder": 10, "toilet": 10, "transfer": 15, "mobility": 15, "stairs": 10,
}  # fmt: skip
BARTHEL_55 = {
    **BARTHEL_FULL,
    "bathing": 0,
    "transfer": 5,
    "mobility": 5,
    "stairs": 0,
    "dressing": 5,
    "toilet": 5,
}
MINICOG_OK = {"recall": 3, "clock": 2}
MINICOG_BAD = {"recall": 0, "clock": 0}
MORSE_LOW = {
    "history": 0,
    "secondary_diagnosis": 0,
    "ambulatory_aid": 0,
    "iv": 0,
    "gait": 0,
    "mental_status": 0,
}
MORSE_HIGH = {**MORSE_LOW, "history": 25, "gait": 20}


def answers(barthel=BARTHEL_FULL, cognitive=MINICOG_OK, morse=MORSE_LOW) -> dict:
    return {"barthel": dict(barthel), "cognitive": dict(cognitive), "morse": dict(morse)}


@pytest.fixture
def care(personas):
    """Zones at site A (3 rooms × 2 beds each, one room per zone), an arbiter (operations manager)."""
    site = personas.site_a
    services.zones_ensure(site_id=site.pk)
    zones = {z.care_zone: z for z in Zone.objects.filter(site=site)}
    for i, zone in enumerate(zones.values()):
        services.room_create(actor=personas.ops_a, zone_id=zone.pk, number=f"{i + 1}01", beds=2)
    beds = {
        code: list(Bed.objects.filter(zone=zone).order_by("room__number", "label"))
        for code, zone in zones.items()
    }
    nurse_manager = make_person("nurse_mgr", "nursing", site, "nursing", name="护理经理")

    class Care:
        pass

    c = Care()
    c.site, c.zones, c.beds, c.personas, c.nurse_manager = site, zones, beds, personas, nurse_manager
    return c


@pytest.fixture
def signed(personas):
    """Factory: a customer of site A with a signed elder-care deal."""

    def make(name="张奶奶", *, zone="assisted", stay_type="long", signed_on=dt.date(2026, 1, 5)) -> Deal:
        customer = Customer.objects.create(
            site=personas.site_a,
            name=name,
            phone=str(next(_phones)),
            cohort_month=202601,
            owner=personas.marketing_a.staff,
            status="customer",
        )
        return Deal.objects.create(
            site=personas.site_a,
            customer=customer,
            month=signed_on.year * 100 + signed_on.month,
            cohort_month=202601,
            consultant=personas.marketing_a.staff,
            owner=personas.marketing_a.staff,
            signed_on=signed_on,
            amount_fen=500000,
            stay_type=stay_type,
            care_zone=zone,
        )

    return make
