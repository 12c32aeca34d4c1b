"""Writes of the partner register (合作机构) and its contracts; grading by a partner scorecard sets
`grade`, the contract keeps the class at signing."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from opscenter.appraisal.choices import PartnerGrade
from opscenter.appraisal.models import Appraisal, Partner, PartnerContract, PeriodPublication
from opscenter.core.audit import as_actor
from opscenter.core.exceptions import ValidationError
from opscenter.org.selectors import scope_for


def _require(actor, site_id: int) -> None:
    if actor is not None:
        scope = scope_for(actor)
        scope.require("appraisal.change_partner")
        scope.require_site(site_id, write=True)


@transaction.atomic
@as_actor
def partner_save(
    *,
    actor,
    site_id: int,
    name: str,
    kind: str,
    grade: str = "",
    address: str = "",
    notes: str = "",
    partner: Partner | None = None,
) -> Partner:
    _require(actor, site_id)
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("请填写机构名称"), field="name")
    clash = Partner.objects.filter(site_id=site_id, name=name)
    if partner is not None:
        clash = clash.exclude(pk=partner.pk)
    if clash.exists():
        raise ValidationError(_("本院区已有合作机构“%(n)s”") % {"n": name}, field="name")
    partner = partner or Partner(site_id=site_id)
    partner.site_id, partner.name, partner.kind, partner.grade = site_id, name, kind, grade or ""
    partner.address, partner.notes = address, notes
    partner.save()
    return partner


@transaction.atomic
@as_actor
def contract_add(
    *,
    actor,
    partner: Partner,
    signed_on: dt.date,
    starts_on: dt.date,
    ends_on: dt.date,
    grade_at_signing: str,
    number: str = "",
) -> PartnerContract:
    _require(actor, partner.site_id)
    if ends_on < starts_on:
        raise ValidationError(_("结束日期不能早于开始日期"), field="ends_on")
    if grade_at_signing not in PartnerGrade.values:
        raise ValidationError(_("请选择签约时等级"), field="grade_at_signing")
    return PartnerContract.objects.create(
        partner=partner,
        number=number,
        signed_on=signed_on,
        starts_on=starts_on,
        ends_on=ends_on,
        grade_at_signing=grade_at_signing,
    )


@transaction.atomic
@as_actor
def partner_grade_from_appraisals(*, actor, period_label: str, site_id: int) -> int:
    """Set each partner's current grade from its published partner-scorecard appraisal: the first
    letter of the grade band when it is A/B/C (a partner scorecard's bands are named A/B/C)."""
    _require(actor, site_id)
    changed = 0
    rows = Appraisal.objects.filter(
        Q(period__status="published")
        | Q(period__in=PeriodPublication.objects.filter(site_id=site_id).values("period_id")),
        period__label=period_label,
        site_id=site_id,
        subject_kind="partner",
    ).values_list("subject_id", "grade")
    for partner_id, grade in rows:
        letter = grade[:1].upper()
        if letter in PartnerGrade.values:
            changed += Partner.objects.filter(pk=partner_id).exclude(grade=letter).update(grade=letter)
    return changed
