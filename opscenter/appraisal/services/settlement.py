"""Seed 003 §4, a leaving employee's year-end bonus:

- resignation (主动离职): every unpaid instalment of earlier years is forfeited, and nothing is paid
  for this year's contracts;
- dismissal (公司辞退): settled early — earlier years' unpaid instalments and this year's contracts
  signed up to the leaving day (split as the year-end bonus would be, by the class at signing) —
  paying only the equal-split parts (部门间和部门内平均分配部分); the rest is forfeited.

Rows are never deleted: instalments change status, and a settlement statement records each part
with what was due, what had been paid, what is paid now and what is forfeited, to the fen.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from opscenter.appraisal.choices import InstalmentStatus, LeaveReason, PayoutStatus, PlanKind
from opscenter.appraisal.models import (
    IncentivePlan,
    Instalment,
    LeaveSettlement,
    LeaveSettlementLine,
    Payout,
)
from opscenter.appraisal.selectors_incentives import bonus_context
from opscenter.core import audit
from opscenter.core.audit import as_actor
from opscenter.core.exceptions import ValidationError
from opscenter.org.selectors import scope_for


def _current_plans(site_id: int) -> list[IncentivePlan]:
    """The latest version of each contract-bonus plan of the site."""
    latest: dict[str, IncentivePlan] = {}
    for plan in IncentivePlan.objects.filter(site_id=site_id, kind=PlanKind.CONTRACT_BONUS).order_by(
        "name", "-version"
    ):
        latest.setdefault(plan.name, plan)
    return list(latest.values())


def _prior_lines(settlement: LeaveSettlement, staff, dismissed: bool, now, by) -> list[LeaveSettlementLine]:
    unpaid = list(
        Instalment.objects.select_for_update()
        .filter(line__staff=staff, status=InstalmentStatus.SCHEDULED)
        .select_related("line__payout__plan")
        .order_by("line_id", "number")
    )
    paid_before = dict(
        Instalment.objects.filter(line__staff=staff, status=InstalmentStatus.PAID)
        .values("line_id")
        .annotate(s=Sum("amount_fen"))
        .values_list("line_id", "s")
    )
    by_line: dict[int, list[Instalment]] = {}
    for row in unpaid:
        by_line.setdefault(row.line_id, []).append(row)
    settle_ids, forfeit_ids, out = [], [], []
    for rows in by_line.values():
        line = rows[0].line
        settle = dismissed and line.equal_split
        (settle_ids if settle else forfeit_ids).extend(r.pk for r in rows)
        open_fen = sum(r.amount_fen for r in rows)
        out.append(
            LeaveSettlementLine(
                settlement=settlement,
                source="prior",
                plan=line.payout.plan,
                payout_line=line,
                period_label=line.payout.period_label,
                part=line.part,
                equal_split=line.equal_split,
                amount_fen=line.amount_fen,
                already_paid_fen=paid_before.get(line.pk, 0),
                paid_fen=open_fen if settle else 0,
                forfeited_fen=0 if settle else open_fen,
                formula=line.formula,
                inputs={"instalments": [r.number for r in rows]},
            )
        )
    Instalment.objects.filter(pk__in=settle_ids).update(
        status=InstalmentStatus.SETTLED, changed_at=now, changed_by=by
    )
    Instalment.objects.filter(pk__in=forfeit_ids).update(
        status=InstalmentStatus.FORFEITED, changed_at=now, changed_by=by
    )
    settlement._counts = {"settled": len(settle_ids), "forfeited": len(forfeit_ids)}
    return out


def _current_lines(
    settlement: LeaveSettlement, staff, dismissed: bool, on: dt.date
) -> list[LeaveSettlementLine]:
    """This year's contracts signed up to the leaving day, split as at year end; the person's parts."""
    out = []
    label = str(on.year)
    for plan in _current_plans(settlement.site_id):
        published = Payout.objects.filter(
            plan__site_id=plan.site_id,
            plan__name=plan.name,
            period_label=label,
            status=PayoutStatus.PUBLISHED,
        ).exists()
        if published:  # the year is paid out already: its instalments were handled above
            continue
        ctx = bonus_context(plan, dt.date(on.year, 1, 1), on, include_staff_ids=(staff.pk,))
        inputs = {
            "contracts": len(ctx.contracts),
            "pool_fen": ctx.pool_fen,
            "by_class": ctx.by_class(),
            "until": on.isoformat(),
        }
        for share in ctx.shares:
            if share.staff_id != staff.pk or not share.amount_fen:
                continue
            paid = share.amount_fen if dismissed and share.equal_split else 0
            out.append(
                LeaveSettlementLine(
                    settlement=settlement,
                    source="current",
                    plan=plan,
                    period_label=label,
                    part=share.part,
                    equal_split=share.equal_split,
                    amount_fen=share.amount_fen,
                    paid_fen=paid,
                    forfeited_fen=share.amount_fen - paid,
                    formula=share.formula,
                    inputs=inputs,
                )
            )
    return out


@as_actor
@transaction.atomic
def payout_staff_leave(*, actor, staff, reason: str, on: dt.date) -> LeaveSettlement:
    """Settle a leaving employee's year-end bonus (see the module docstring); once per person."""
    from opscenter.org.models import Staff

    staff = Staff.objects.select_related("department").get(pk=staff.pk)
    site_id = staff.department.site_id
    if actor is not None:
        scope = scope_for(actor)
        scope.require("appraisal.change_payout")
        scope.require_site(site_id, write=True)
    if reason not in LeaveReason.values:
        raise ValidationError(_("请选择离职类型"), field="reason")
    if LeaveSettlement.objects.filter(staff=staff).exists():
        raise ValidationError(_("%(name)s 已办理过离职结算") % {"name": staff.name}, field="staff")
    dismissed = reason == LeaveReason.DISMISSED
    settlement = LeaveSettlement.objects.create(
        staff=staff,
        site_id=site_id,
        reason=reason,
        left_on=on,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    from django.utils import timezone

    by = actor if getattr(actor, "pk", None) else None
    lines = _prior_lines(settlement, staff, dismissed, timezone.now(), by)
    lines += _current_lines(settlement, staff, dismissed, on)
    LeaveSettlementLine.objects.bulk_create(lines)
    settlement.paid_fen = sum(x.paid_fen for x in lines)
    settlement.forfeited_fen = sum(x.forfeited_fen for x in lines)
    settlement.save(update_fields=["paid_fen", "forfeited_fen"])
    audit.record_event(
        settlement,
        f"{staff.name} {LeaveReason(reason).label}（{on}）：提前结算 {settlement.paid_fen / 100:,.2f} 元，"
        f"作废 {settlement.forfeited_fen / 100:,.2f} 元",  # i18n: data (audit text)
    )
    return settlement
