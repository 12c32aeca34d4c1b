"""Seed 003's allocated parts of the year-end contract bonus: the marketing 25 % allocated by the
marketing manager and the GM guided by the monthly scores (neither of them may receive it), and
the GM's part of the other departments' pool. Entered in fen; each part must add up exactly;
edits carry the version read; every save is audited in people's words and recomputes the draft
payout so the statement shows the allocated lines."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from opscenter.appraisal import pay, points
from opscenter.appraisal.choices import SHARE_PARTS, PayoutStatus, PlanKind
from opscenter.appraisal.models import BonusAllocation, BonusAllocationEntry, Payout, Period
from opscenter.appraisal.selectors_incentives import BonusContext, bonus_context
from opscenter.core import audit
from opscenter.core.audit import as_actor
from opscenter.core.exceptions import PermissionDenied, ValidationError
from opscenter.org.selectors import scope_for

ALLOCATED_PARTS = ("mk_allocated", "other_gm")
FORMULAS = {
    "mk_allocated": gettext_noop("市场部奖金 × 25%，由市场部经理与总经理参照月度考核分分配"),
    "other_gm": gettext_noop("其他部门奖金 × 35%，由总经理分配"),
}


def eligible_for(ctx: BonusContext, part: str) -> dict[int, str]:
    return ctx.mk_eligible if part == "mk_allocated" else ctx.other_eligible


def apply_allocation(ctx: BonusContext, allocation: BonusAllocation | None) -> list[pay.Share]:
    """The split with the allocated parts replaced by the entries (checked against the parts as
    computed now: contracts added since make a stale allocation refused, never silently off)."""
    if allocation is None:
        return ctx.shares
    entries: dict[str, dict[int, int]] = {}
    for e in allocation.entries.all():
        entries.setdefault(e.part, {})[e.staff_id] = e.amount_fen
    out: list[pay.Share] = []
    done: set[str] = set()
    for share in ctx.shares:
        part = share.part
        if part not in entries:
            out.append(share)
            continue
        if part in done:
            continue
        done.add(part)
        points.check_allocation(
            part_label=str(SHARE_PARTS[part]),
            share_fen=ctx.part_total(part),
            entries=entries[part],
            eligible=eligible_for(ctx, part),
        )
        out += [
            pay.Share(part, amount, staff_id=sid, formula=FORMULAS[part])
            for sid, amount in entries[part].items()
            if amount
        ]
    return out


def _may_allocate(actor, ctx: BonusContext, site_id: int, parts) -> None:
    scope = scope_for(actor)
    if scope.is_superuser:
        return
    on_behalf = scope.can("appraisal.change_payout") and scope.writes_site(site_id)
    for part in parts:
        allowed = {ctx.gm_id} | ({ctx.marketing_manager_id} if part == "mk_allocated" else set())
        if not on_behalf and (scope.staff_id is None or scope.staff_id not in allowed):
            raise PermissionDenied(
                _("市场部 25% 由市场部经理和总经理分配；其他部门的分配由总经理行使")
                if part == "mk_allocated"
                else _("其他部门的分配由总经理行使"),
                log_message=f"allocation of {part} refused",
            )


def _words(entries: dict[int, int], names: dict[int, str]) -> str:
    return (
        "、".join(f"{names.get(s, s)} {a / 100:,.2f} 元" for s, a in entries.items() if a) or "—"
    )  # i18n: data


@as_actor
@transaction.atomic
def allocation_save(
    *, actor, payout: Payout, entries: dict[str, dict[int, int]], version: int, note: str = ""
) -> BonusAllocation:
    """Save the allocation of the given parts (amounts in fen by staff) of a draft contract-bonus
    payout, refused unless each part adds up exactly and the version read is still current."""
    payout = Payout.objects.select_for_update().select_related("plan").get(pk=payout.pk)
    plan = payout.plan
    if plan.kind != PlanKind.CONTRACT_BONUS:
        raise ValidationError(_("只有年终签约奖金需要分配"), field="payout")
    if payout.status == PayoutStatus.PUBLISHED:
        raise ValidationError(_("发放已发布，不能再修改分配"), field="payout")
    unknown = set(entries) - set(ALLOCATED_PARTS)
    if unknown or not entries:
        raise ValidationError(_("请填写要分配的部分"), field="entries")
    period = Period.objects.get(label=payout.period_label)
    ctx = bonus_context(plan, period.start, period.end)
    if actor is not None:
        _may_allocate(actor, ctx, plan.site_id, entries)
    for part, amounts in entries.items():
        eligible = eligible_for(ctx, part)
        if not eligible:
            raise ValidationError(
                _("%(part)s：没有可分配的员工") % {"part": SHARE_PARTS[part]}, field="entries"
            )
        points.check_allocation(
            part_label=str(SHARE_PARTS[part]),
            share_fen=ctx.part_total(part),
            entries=amounts,
            eligible=eligible,
        )
    allocation, _created = BonusAllocation.objects.select_for_update().get_or_create(
        plan=plan, period_label=payout.period_label
    )
    if int(version) != allocation.version:
        who = str(allocation.updated_by) if allocation.updated_by else _("他人")
        when = (
            timezone.localtime(allocation.updated_at).strftime("%Y-%m-%d %H:%M")
            if allocation.updated_at
            else ""
        )
        raise ValidationError(
            _("该分配已由 %(who)s 于 %(when)s 修改，请刷新页面查看后再保存") % {"who": who, "when": when},
            field="version",
        )
    names = {**ctx.mk_eligible, **ctx.other_eligible}
    words = []
    for part, amounts in entries.items():
        old = dict(allocation.entries.filter(part=part).values_list("staff_id", "amount_fen"))
        allocation.entries.filter(part=part).delete()
        BonusAllocationEntry.objects.bulk_create(
            [
                BonusAllocationEntry(allocation=allocation, part=part, staff_id=s, amount_fen=a)
                for s, a in amounts.items()
            ]
        )
        words.append(f"{SHARE_PARTS[part]}：{_words(old, names)} → {_words(amounts, names)}")  # i18n: data
    allocation.version += 1
    allocation.note = note[:300]
    allocation.updated_by = actor if getattr(actor, "pk", None) else None
    allocation.updated_at = timezone.now()
    allocation.save()
    audit.record_event(allocation, "；".join(words) + (f"（{note}）" if note else ""))  # i18n: data
    from opscenter.appraisal.services.pay import payout_compute

    payout_compute(actor=None, plan=plan, period_label=payout.period_label)
    return allocation
