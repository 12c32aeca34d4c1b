"""Admission to a bed, transfers between beds and zones (跨区), discharge.

One resident per bed at any moment: the database allows one open occupancy per bed and one open
stay per resident; closed (back-dated) intervals are checked for overlap here, under a lock on the
bed row, so two admissions racing for one bed cannot both pass.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from opscenter.care.choices import AdmissionStatus, ResidencyStatus
from opscenter.care.models import AdmissionRequest, Bed, Occupancy, Residency, Transfer, Zone
from opscenter.care.services._common import day_no, from_day_no, not_future, required_text, scope_requiring
from opscenter.core.exceptions import NotFound, ValidationError
from opscenter.pipeline.choices import DealStatus, StayType
from opscenter.pipeline.models import Deal
from opscenter.pipeline.services._common import site_staff


def _lock_bed(scope, bed_id: int, site_id: int) -> Bed:
    bed = scope.filter_sites(Bed.objects.all()).select_for_update().filter(pk=bed_id).first()
    if bed is None or bed.site_id != site_id:
        raise ValidationError(_("床位不存在或不在该院区"), field="bed_id")
    if not bed.is_active:
        raise ValidationError(_("床位已停用"), field="bed_id")
    return bed


def _bed_taken(bed: Bed, start: int, *, excluding: int | None = None) -> Occupancy | None:
    """An occupancy of `bed` overlapping [start, ∞)."""
    qs = Occupancy.objects.filter(bed=bed).filter(Q(end_day__isnull=True) | Q(end_day__gt=start))
    if excluding is not None:
        qs = qs.exclude(residency_id=excluding)
    return qs.select_related("residency__customer").first()


def _free_beds(zone: Zone, start: int) -> int:
    taken = Occupancy.objects.filter(zone=zone).filter(Q(end_day__isnull=True) | Q(end_day__gt=start))
    return Bed.objects.filter(zone=zone, is_active=True).exclude(pk__in=taken.values("bed_id")).count()


def _occupied_error(bed: Bed, holder: Occupancy) -> ValidationError:
    return ValidationError(
        _("床位 %(bed)s 在该日期已有长者“%(name)s”入住，一张床同一时间只能住一位长者")
        % {"bed": f"{bed.room.number}-{bed.label}", "name": holder.residency.customer.name},
        field="bed_id",
        log_message=f"bed {bed.pk} occupied by residency {holder.residency_id}",
    )


@transaction.atomic
def residency_admit(
    *,
    actor,
    deal_id: int,
    bed_id: int,
    started_on: dt.date,
    nurse_id: int | None = None,
    planned_end_on: dt.date | None = None,
) -> Residency:
    """Admit the resident of a signed elder-care deal to a bed in the zone the assessment decided.

    Rejected: a cancelled or non-elder-care deal, an undecided or disputed assessment, a bed in
    another zone, a bed someone else holds on that date, a start before signing or in the future,
    a resident already in residence.
    """
    scope = scope_requiring(actor, "care.add_residency")
    deal = scope.filter_sites(Deal.objects.select_related("customer")).filter(pk=deal_id).first()
    if deal is None:
        raise NotFound(_("签约记录不存在或无权访问"))
    scope.require_site(deal.site_id, write=True)
    if deal.status != DealStatus.SIGNED or deal.stay_type not in StayType.values:
        raise ValidationError(_("只有已签约的养老入住合同可以办理入住"), field="deal_id")
    started_on = not_future(started_on, field="started_on", label=_("入住日期"))
    if started_on < deal.signed_on:
        raise ValidationError(_("入住日期不能早于签约日期"), field="started_on")
    if planned_end_on is not None and planned_end_on <= started_on:
        raise ValidationError(_("计划离院日期必须晚于入住日期"), field="planned_end_on")
    request = (
        AdmissionRequest.objects.select_for_update()
        .filter(customer=deal.customer)
        .exclude(status=AdmissionStatus.LOST)
        .order_by("-requested_at", "-pk")
        .first()
    )
    if request is not None:
        if request.status in (AdmissionStatus.REQUESTED, AdmissionStatus.DISPUTED):
            raise ValidationError(_("入住评估尚未定区（有分歧须先由裁定人裁定）"), field="deal_id")
        if request.status == AdmissionStatus.ADMITTED:
            raise ValidationError(_("该长者已办理入住"), field="deal_id")
        care_zone = request.decided_zone
    else:
        care_zone = deal.care_zone
    if not care_zone:
        raise ValidationError(_("请先完成入住评估，确定入住分区"), field="deal_id")
    bed = _lock_bed(scope, bed_id, deal.site_id)
    bed = Bed.objects.select_related("zone", "room").get(pk=bed.pk)
    if bed.zone.care_zone != care_zone:
        raise ValidationError(
            _("床位 %(bed)s 在%(zone)s，与评估确定的分区不符") % {"bed": str(bed), "zone": bed.zone.name},
            field="bed_id",
        )
    start = day_no(started_on)
    holder = _bed_taken(bed, start)
    if holder is not None:
        raise _occupied_error(bed, holder)
    nurse = site_staff(deal.site_id, nurse_id, label=_("责任护理员"), field="nurse_id") if nurse_id else None
    try:
        with transaction.atomic():
            residency = Residency.objects.create(
                site_id=deal.site_id,
                customer=deal.customer,
                deal=deal,
                admission=request,
                stay_type=deal.stay_type,
                zone=bed.zone,
                bed=bed,
                nurse=nurse,
                started_on=started_on,
                planned_end_on=planned_end_on,
            )
            Occupancy.objects.create(
                site_id=deal.site_id, residency=residency, bed=bed, zone=bed.zone, start_day=start
            )
    except IntegrityError as exc:
        raise ValidationError(
            _("该长者已在住，或床位已被占用，请刷新后重试"),
            field="bed_id",
            log_message=f"admit integrity: {exc}",
        ) from exc
    if request is not None:
        AdmissionRequest.objects.filter(pk=request.pk).update(status=AdmissionStatus.ADMITTED)
    return residency


def _residency_for_write(scope, residency_id: int) -> Residency:
    residency = (
        scope.filter_sites(Residency.objects.all()).select_for_update().filter(pk=residency_id).first()
    )
    if residency is None:
        raise NotFound(_("入住记录不存在或无权访问"))
    scope.require_site(residency.site_id, write=True)
    if residency.status != ResidencyStatus.ACTIVE:
        raise ValidationError(_("该长者已离院"), field="residency_id")
    return residency


def _open_segment(residency: Residency) -> Occupancy:
    return Occupancy.objects.select_for_update().get(residency=residency, end_day__isnull=True)


@transaction.atomic
def residency_transfer(
    *, actor, residency_id: int, to_bed_id: int, moved_on: dt.date, reason: str, decided_by_id: int
) -> Transfer:
    """Move a resident to another bed (跨区 when the zone changes), with the reason and who decided.
    A full target zone, an occupied bed or a date before the current bed was taken is rejected."""
    scope = scope_requiring(actor, "care.add_transfer")
    residency = _residency_for_write(scope, residency_id)
    reason = required_text(reason, field="reason", label=_("转移原因"))
    moved_on = not_future(moved_on, field="moved_on", label=_("转移日期"))
    decided_by = site_staff(residency.site_id, decided_by_id, label=_("决定人"), field="decided_by_id")
    segment = _open_segment(residency)
    day = day_no(moved_on)
    if day <= segment.start_day:
        raise ValidationError(
            _("转移日期必须晚于入住当前床位的日期 %(day)s") % {"day": from_day_no(segment.start_day)},
            field="moved_on",
        )
    bed = _lock_bed(scope, to_bed_id, residency.site_id)
    bed = Bed.objects.select_related("zone", "room").get(pk=bed.pk)
    if bed.pk == residency.bed_id:
        raise ValidationError(_("新床位与当前床位相同"), field="to_bed_id")
    if not bed.zone.is_active:
        raise ValidationError(_("目标分区已停用"), field="to_bed_id")
    holder = _bed_taken(bed, day)
    if holder is not None:
        if bed.zone_id != residency.zone_id and _free_beds(bed.zone, day) == 0:
            raise ValidationError(
                _("目标分区“%(zone)s”已满，没有空床") % {"zone": bed.zone.name},
                field="to_bed_id",
                log_message=f"zone {bed.zone_id} full",
            )
        raise _occupied_error(bed, holder)
    Occupancy.objects.filter(pk=segment.pk).update(end_day=day)
    Occupancy.objects.create(
        site_id=residency.site_id, residency=residency, bed=bed, zone=bed.zone, start_day=day
    )
    transfer = Transfer.objects.create(
        site_id=residency.site_id,
        residency=residency,
        from_bed_id=residency.bed_id,
        to_bed=bed,
        from_zone_id=residency.zone_id,
        to_zone=bed.zone,
        moved_on=moved_on,
        reason=reason,
        decided_by=decided_by,
    )
    residency.bed, residency.zone = bed, bed.zone
    residency.save(update_fields=["bed", "zone"])
    return transfer


@transaction.atomic
def residency_discharge(
    *, actor, residency_id: int, ended_on: dt.date, note: str = "", exit_reason_id: int | None = None
) -> Residency:
    """End a stay (the bed is free from `ended_on`). With an exit reason the customer also leaves in
    the pipeline (退出, through its own service) and the exit is linked; a trial stay that turns
    into a long stay is discharged without one."""
    scope = scope_requiring(actor, "care.change_residency")
    residency = _residency_for_write(scope, residency_id)
    ended_on = not_future(ended_on, field="ended_on", label=_("离院日期"))
    segment = _open_segment(residency)
    day = day_no(ended_on)
    if day <= segment.start_day:
        raise ValidationError(
            _("离院日期必须晚于入住当前床位的日期 %(day)s") % {"day": from_day_no(segment.start_day)},
            field="ended_on",
        )
    if residency.incidents.filter(day__gte=day).exists():
        raise ValidationError(_("离院日期之后还有护理事件记录"), field="ended_on")
    Occupancy.objects.filter(pk=segment.pk).update(end_day=day)
    if exit_reason_id is not None:
        from opscenter.pipeline.services import exit_record

        residency.exit = exit_record(
            actor=actor,
            customer_id=residency.customer_id,
            exited_on=ended_on,
            reason_id=exit_reason_id,
            note=note,
        )
    residency.ended_on, residency.status, residency.discharge_note = (
        ended_on,
        ResidencyStatus.ENDED,
        note[:300],
    )
    residency.save(update_fields=["ended_on", "status", "discharge_note", "exit"])
    return residency
