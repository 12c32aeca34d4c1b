"""Admission to beds, one resident per bed, transfers (跨区) and discharge."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from opscenter.care import services
from opscenter.care.models import Occupancy, Residency, Transfer
from opscenter.core.exceptions import ValidationError
from opscenter.pipeline.models import Exit, ExitReason


def admit(care, deal, bed, day=dt.date(2026, 2, 1)):
    return services.residency_admit(actor=care.personas.ops_a, deal_id=deal.pk, bed_id=bed.pk, started_on=day)


def test_admission_assigns_the_bed_and_opens_an_occupancy(care, signed):
    deal = signed()
    residency = admit(care, deal, care.beds["assisted"][0])
    assert residency.bed == care.beds["assisted"][0]
    assert residency.stay_type == "long"
    occ = Occupancy.objects.get(residency=residency)
    assert (occ.start_day, occ.end_day) == (dt.date(2026, 2, 1).toordinal(), None)


def test_two_residents_in_one_bed_at_once_are_rejected_and_nothing_is_written(care, signed):
    bed = care.beds["assisted"][0]
    admit(care, signed("甲"), bed)
    with pytest.raises(ValidationError) as err:
        admit(care, signed("乙"), bed, dt.date(2026, 3, 1))
    assert "一张床同一时间只能住一位长者" in err.value.message
    assert Residency.objects.count() == 1 and Occupancy.objects.count() == 1


def test_back_dated_admission_overlapping_a_closed_stay_is_rejected(care, signed):
    bed = care.beds["assisted"][0]
    first = admit(care, signed("甲"), bed, dt.date(2026, 2, 1))
    services.residency_discharge(
        actor=care.personas.ops_a, residency_id=first.pk, ended_on=dt.date(2026, 3, 1)
    )
    with pytest.raises(ValidationError):
        admit(care, signed("乙", signed_on=dt.date(2026, 1, 2)), bed, dt.date(2026, 2, 15))
    # the day of discharge is free again
    second = admit(care, signed("丙"), bed, dt.date(2026, 3, 1))
    assert second.bed_id == bed.pk


def test_database_refuses_a_second_open_occupancy_of_a_bed(care, signed):
    bed = care.beds["assisted"][0]
    residency = admit(care, signed("甲"), bed)
    with pytest.raises(IntegrityError), transaction.atomic():
        Occupancy.objects.create(
            site=care.site,
            residency=residency,
            bed=bed,
            zone=bed.zone,
            start_day=dt.date(2026, 5, 1).toordinal(),
        )


def test_bed_must_be_in_the_assessed_zone(care, signed):
    with pytest.raises(ValidationError) as err:
        admit(care, signed(zone="dementia"), care.beds["assisted"][0])
    assert "与评估确定的分区不符" in err.value.message


def test_transfer_across_zones_records_reason_and_decider_and_moves_the_occupancy(care, signed):
    residency = admit(care, signed(), care.beds["assisted"][0])
    transfer = services.residency_transfer(
        actor=care.personas.ops_a,
        residency_id=residency.pk,
        to_bed_id=care.beds["rehab"][0].pk,
        moved_on=dt.date(2026, 3, 10),
        reason="术后康复",
        decided_by_id=care.nurse_manager.staff.pk,
    )
    assert transfer.is_cross_zone and transfer.decided_by == care.nurse_manager.staff
    residency.refresh_from_db()
    assert residency.zone == care.zones["rehab"]
    spans = list(
        Occupancy.objects.filter(residency=residency).order_by("start_day").values_list("zone_id", "end_day")
    )
    assert spans == [
        (care.zones["assisted"].pk, dt.date(2026, 3, 10).toordinal()),
        (care.zones["rehab"].pk, None),
    ]


def test_transfer_to_a_full_zone_is_rejected_with_nothing_written(care, signed):
    for i, bed in enumerate(care.beds["rehab"]):
        admit(care, signed(f"康{i}", zone="rehab"), bed)
    mover = admit(care, signed("移"), care.beds["assisted"][0])
    with pytest.raises(ValidationError) as err:
        services.residency_transfer(
            actor=care.personas.ops_a,
            residency_id=mover.pk,
            to_bed_id=care.beds["rehab"][0].pk,
            moved_on=dt.date(2026, 3, 10),
            reason="康复",
            decided_by_id=care.nurse_manager.staff.pk,
        )
    assert "已满" in err.value.message
    assert Transfer.objects.count() == 0
    assert Occupancy.objects.get(residency=mover).end_day is None


def test_discharge_with_an_exit_reason_records_the_pipeline_exit(care, signed):
    residency = admit(care, signed(), care.beds["assisted"][0])
    reason = ExitReason.objects.create(code="move", name="搬迁")
    services.residency_discharge(
        actor=care.personas.ops_a,
        residency_id=residency.pk,
        ended_on=dt.date(2026, 4, 1),
        exit_reason_id=reason.pk,
    )
    residency.refresh_from_db()
    assert residency.status == "ended" and residency.exit == Exit.objects.get(customer=residency.customer)
    assert Occupancy.objects.get(residency=residency).end_day == dt.date(2026, 4, 1).toordinal()


def test_other_site_cannot_admit(care, signed):
    from opscenter.core.exceptions import NotFound, PermissionDenied

    with pytest.raises((NotFound, PermissionDenied)):
        services.residency_admit(
            actor=care.personas.ops_b,
            deal_id=signed().pk,
            bed_id=care.beds["assisted"][0].pk,
            started_on=dt.date(2026, 2, 1),
        )
