"""Writes of incentive plans and payouts. Amounts in integer fen; every line carries its formula
and inputs; a payout reconciles to its total to the fen (largest remainder, see `appraisal.pay`)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from opscenter.appraisal import pay
from opscenter.appraisal.choices import (
    InstalmentStatus,
    PayoutStatus,
    PeriodStatus,
    PlanKind,
)
from opscenter.appraisal.models import (
    Appraisal,
    IncentivePlan,
    Instalment,
    Payout,
    PayoutLine,
    Period,
    PlanBracket,
)
from opscenter.core.exceptions import ValidationError
from opscenter.metrics import metric_values
from opscenter.org.selectors import scope_for

DEFAULT_PARAMS = {
    PlanKind.MONTHLY_PAY: {"float_pct": "30"},
    PlanKind.POINTS: {"unit_price_fen": 500, "points": [], "per_deal": []},
    PlanKind.REFERRAL: {
        "metric": "appraisal.referrals",
        "threshold": 2,
        "reward_fen": 40000,
        "penalty_fen": 10000,
    },
    PlanKind.CONTRACT_BONUS: {
        "class_fen": {"A": 10_000_000, "B": 6_000_000, "C": 4_000_000},
        "gm_staff_id": None,
        "marketing_department_id": None,
    },
    PlanKind.COST_SAVING: {
        "rate_pct": "40",
        "budget_fen": 0,
        "actual_fen": 0,
        "target_met": False,
        "staff_id": None,
    },
    PlanKind.PROFIT_SHARE: {"rate_pct": "25", "profit_fen": 0, "staff_id": None},
    PlanKind.PROFIT_BRACKETS: {"profit_fen": 0, "staff_id": None},
}


def _require(actor, site_id: int) -> None:
    if actor is not None:
        scope = scope_for(actor)
        scope.require("appraisal.change_incentiveplan")
        scope.require_site(site_id, write=True)


@transaction.atomic
def plan_create(
    *,
    actor,
    site_id: int,
    name: str,
    kind: str,
    params: dict | None = None,
    scorecard_name: str = "",
    bracket_mode: str = pay.WHOLE,
) -> IncentivePlan:
    _require(actor, site_id)
    if kind not in PlanKind.values:
        raise ValidationError(_("未知的激励方案类型"), field="kind")
    if not (name or "").strip():
        raise ValidationError(_("请填写方案名称"), field="name")
    merged = {**DEFAULT_PARAMS[kind], **(params or {})}
    if kind == PlanKind.MONTHLY_PAY and not (Decimal(0) <= Decimal(str(merged["float_pct"])) <= Decimal(30)):
        raise ValidationError(_("绩效工资浮动比例须在 0–30% 之间"), field="float_pct")
    version = (
        IncentivePlan.objects.filter(site_id=site_id, name=name)
        .order_by("-version")
        .values_list("version", flat=True)
        .first()
        or 0
    ) + 1
    return IncentivePlan.objects.create(
        site_id=site_id,
        name=name.strip(),
        kind=kind,
        params=merged,
        scorecard_name=scorecard_name,
        bracket_mode=bracket_mode,
        version=version,
    )


@transaction.atomic
def plan_brackets_set(*, actor, plan: IncentivePlan, brackets: list[pay.Bracket], mode: str) -> None:
    """Replace the bracket table after checking it has no gaps or overlaps (explicit 不提成 rows allowed)."""
    _require(actor, plan.site_id)
    pay.validate_brackets(brackets)
    if mode not in (pay.WHOLE, pay.MARGINAL):
        raise ValidationError(_("请选择分档方式"), field="bracket_mode")
    plan.brackets.all().delete()
    PlanBracket.objects.bulk_create(
        [
            PlanBracket(
                plan=plan,
                lower_fen=b.lower_fen,
                upper_fen=b.upper_fen,
                rate_pct=b.rate_pct,
                no_commission=b.no_commission,
            )
            for b in brackets
        ]
    )
    plan.bracket_mode = mode
    plan.save(update_fields=["bracket_mode"])


def _published_period(label: str) -> Period:
    period = Period.objects.filter(label=label).first()
    if period is None or period.status != PeriodStatus.PUBLISHED:
        raise ValidationError(
            _("考核周期 %(p)s 尚未发布，不能计算绩效发放") % {"p": label},
            field="period",
            log_message=f"payout for unpublished period {label}",
        )
    return period


def _line(part, amount, formula, inputs, staff_id=None, department_id=None, equal=False, appraisal_id=None):
    return PayoutLine(
        part=part,
        amount_fen=amount,
        formula=formula,
        inputs=inputs,
        staff_id=staff_id,
        department_id=department_id,
        equal_split=equal,
        appraisal_id=appraisal_id,
    )


def _staff_appraisals(plan: IncentivePlan, period: Period) -> list[Appraisal]:
    qs = Appraisal.objects.filter(period=period, site_id=plan.site_id, staff__isnull=False)
    if plan.scorecard_name:
        qs = qs.filter(scorecard__name=plan.scorecard_name)
    return list(qs.order_by("staff_id"))


def _lines_for(plan: IncentivePlan, period: Period) -> list[PayoutLine]:
    p = plan.params
    kind = plan.kind
    if kind == PlanKind.MONTHLY_PAY:
        bases = dict(plan.bases.values_list("staff_id", "base_fen"))
        float_pct = Decimal(str(p["float_pct"]))
        out = []
        for a in _staff_appraisals(plan, period):
            if a.staff_id not in bases:
                continue
            amount = pay.monthly_pay(base_fen=bases[a.staff_id], float_pct=float_pct, score=a.final_score)
            out.append(
                _line(
                    "amount",
                    amount,
                    gettext_noop("基本工资 + 基本工资 × 浮动比例% × 考核得分%"),
                    {"base_fen": bases[a.staff_id], "float_pct": str(float_pct), "score": str(a.final_score)},
                    staff_id=a.staff_id,
                    appraisal_id=a.pk,
                )
            )
        return out
    if kind in (PlanKind.POINTS, PlanKind.REFERRAL):
        from opscenter.org.models import Staff

        staff_ids = list(
            Staff.objects.filter(is_active=True, department__site_id=plan.site_id).values_list(
                "pk", flat=True
            )
        )
        if kind == PlanKind.POINTS:
            from opscenter.appraisal.services.incentives import points_lines

            return points_lines(plan, period, staff_ids)
        values = metric_values(
            p["metric"], grain="staff", period="month", start=period.start, end=period.end, unit_ids=staff_ids
        )
        referrals = {s: 0 for s in staff_ids}
        for (sid, _m), mv in values.items():
            if sid in referrals:
                referrals[sid] += mv.numerator
        return [
            _line(
                "amount",
                pay.referral_reward(
                    referrals=referrals[s],
                    threshold=int(p["threshold"]),
                    reward_fen=int(p["reward_fen"]),
                    penalty_fen=int(p["penalty_fen"]),
                ),
                gettext_noop("转介绍 ≥ 门槛 → 奖励，否则罚款"),
                {
                    "referrals": referrals[s],
                    "threshold": p["threshold"],
                    "reward_fen": p["reward_fen"],
                    "penalty_fen": p["penalty_fen"],
                },
                staff_id=s,
            )
            for s in staff_ids
        ]
    if kind == PlanKind.CONTRACT_BONUS:
        return _contract_bonus_lines(plan, period)
    if kind == PlanKind.COST_SAVING:
        amount = pay.cost_saving_bonus(
            budget_fen=int(p["budget_fen"]),
            actual_fen=int(p["actual_fen"]),
            target_met=bool(p["target_met"]),
            rate_pct=Decimal(str(p["rate_pct"])),
        )
        return [
            _line(
                "amount",
                amount,
                gettext_noop("（预算 − 实际）× 40%，仅在达成目标时"),
                dict(p),
                staff_id=p.get("staff_id"),
            )
        ]
    if kind == PlanKind.PROFIT_SHARE:
        amount = pay.profit_share(profit_fen=int(p["profit_fen"]), rate_pct=Decimal(str(p["rate_pct"])))
        return [_line("amount", amount, gettext_noop("利润 × 25%"), dict(p), staff_id=p.get("staff_id"))]
    brackets = [
        pay.Bracket(b.lower_fen, b.upper_fen, b.rate_pct, b.no_commission) for b in plan.brackets.all()
    ]
    result = pay.bracket_commission(
        profit_fen=int(p["profit_fen"]), brackets=brackets, mode=plan.bracket_mode
    )
    label = (
        gettext_noop("全额：利润 × 所在档比例")
        if plan.bracket_mode == pay.WHOLE
        else gettext_noop("超额累进：Σ 各档内利润 × 该档比例")
    )
    return [
        _line(
            "amount",
            result.amount_fen,
            label,
            {**p, "mode": plan.bracket_mode, "brackets": result.lines},
            staff_id=p.get("staff_id"),
        )
    ]


def _contract_bonus_lines(plan: IncentivePlan, period: Period) -> list[PayoutLine]:
    """Seed 003: contracts signed in the year by their class at signing → pool → split, with the
    allocated parts as the marketing manager and the GM entered them (`services.allocation`)."""
    from opscenter.appraisal.selectors_incentives import allocation_for_plan, bonus_context
    from opscenter.appraisal.services.allocation import apply_allocation

    ctx = bonus_context(plan, period.start, period.end)
    shares = apply_allocation(ctx, allocation_for_plan(plan, period.label))
    inputs = {"contracts": len(ctx.contracts), "pool_fen": ctx.pool_fen, "by_class": ctx.by_class()}
    return [
        _line(
            s.part,
            s.amount_fen,
            s.formula,
            {
                **inputs,
                **(
                    {"score": str(ctx.scores[s.staff_id]["avg"])}
                    if s.part == "mk_allocated" and s.staff_id in ctx.scores
                    else {}
                ),
            },
            staff_id=s.staff_id,
            department_id=s.department_id,
            equal=s.equal_split,
        )
        for s in shares
    ]


@transaction.atomic
def payout_compute(*, actor, plan: IncentivePlan, period_label: str) -> Payout:
    """Compute (or recompute, while a draft) the payout of a plan for a published period."""
    _require(actor, plan.site_id)
    period = _published_period(period_label)
    payout, _created = Payout.objects.select_for_update().get_or_create(plan=plan, period_label=period.label)
    if payout.status == PayoutStatus.PUBLISHED:
        raise ValidationError(_("%(p)s 的发放已发布，不能重算") % {"p": period.label}, field="period")
    lines = _lines_for(plan, period)
    payout.lines.all().delete()
    for line in lines:
        line.payout = payout
    PayoutLine.objects.bulk_create(lines, batch_size=5000)
    payout.total_fen = sum(line.amount_fen for line in lines)
    payout.inputs = {
        "plan": f"{plan.name} v{plan.version}",
        "kind": plan.kind,
        "params": plan.params,
        "bracket_mode": plan.bracket_mode if plan.kind == PlanKind.PROFIT_BRACKETS else None,
    }
    payout.save()
    return payout


def _quarter_ends(year: int) -> list[dt.date]:
    return [dt.date(year, 3, 31), dt.date(year, 6, 30), dt.date(year, 9, 30), dt.date(year, 12, 31)]


@transaction.atomic
def payout_publish(*, actor, payout: Payout) -> Payout:
    """Publish; a year-end payout is scheduled in four quarterly instalments of the next year (each
    line split by largest remainder, so the instalments add up to the line)."""
    _require(actor, payout.plan.site_id)
    payout = Payout.objects.select_for_update().select_related("plan").get(pk=payout.pk)
    if payout.status == PayoutStatus.PUBLISHED:
        raise ValidationError(_("已发布"), field="payout")
    if payout.plan.kind == PlanKind.CONTRACT_BONUS:
        year = int(payout.period_label[:4]) + 1
        rows = []
        for line in payout.lines.filter(staff__isnull=False):
            for n, (due, amount) in enumerate(
                zip(_quarter_ends(year), pay.largest_remainder(line.amount_fen, [1, 1, 1, 1]), strict=True), 1
            ):
                rows.append(Instalment(line=line, number=n, due_on=due, amount_fen=amount))
        Instalment.objects.bulk_create(rows, batch_size=5000)
    if payout.plan.kind == PlanKind.POINTS:
        from opscenter.appraisal.services.incentives import contests_mark_paid

        contests_mark_paid(payout)
    payout.status = PayoutStatus.PUBLISHED
    payout.published_at = timezone.now()
    payout.save(update_fields=["status", "published_at"])
    return payout


def instalments_pay_due(*, today: dt.date) -> int:
    """Mark instalments due by `today` as paid (claim one: a conditional UPDATE, safe to run twice)."""
    return Instalment.objects.filter(status=InstalmentStatus.SCHEDULED, due_on__lte=today).update(
        status=InstalmentStatus.PAID, changed_at=timezone.now()
    )


def _int_param(params: dict, key: str, label: str) -> None:
    try:
        value = int(params[key])
    except (TypeError, ValueError) as exc:
        raise ValidationError(_("“%(l)s”须为整数") % {"l": label}, field=key) from exc
    params[key] = value


@transaction.atomic
def plan_params_set(*, actor, plan: IncentivePlan, params: dict) -> IncentivePlan:
    """Change the editable numbers of a plan (checked per kind). A plan with a published payout gets
    a new version instead, so the old payouts keep the numbers they were computed with."""
    _require(actor, plan.site_id)
    merged = {**plan.params, **params}
    kind = plan.kind
    try:
        if kind == PlanKind.MONTHLY_PAY and not (
            Decimal(0) <= Decimal(str(merged["float_pct"])) <= Decimal(30)
        ):
            raise ValidationError(_("绩效工资浮动比例须在 0–30% 之间"), field="float_pct")
        if kind in (PlanKind.COST_SAVING, PlanKind.PROFIT_SHARE):
            Decimal(str(merged["rate_pct"]))
    except (ArithmeticError, ValueError) as exc:
        raise ValidationError(_("比例须为数字"), field="rate_pct") from exc
    for key, label in (
        ("unit_price_fen", _("积分单价(分)")),
        ("threshold", _("门槛")),
        ("reward_fen", _("奖励(分)")),
        ("penalty_fen", _("罚款(分)")),
        ("budget_fen", _("预算(分)")),
        ("actual_fen", _("实际费用(分)")),
        ("profit_fen", _("利润(分)")),
    ):
        if key in merged:
            _int_param(merged, key, label)
            if merged[key] < 0 and key != "profit_fen":
                raise ValidationError(_("“%(l)s”不能为负数") % {"l": label}, field=key)
    if kind == PlanKind.POINTS:
        from opscenter.appraisal.services.incentives import check_rules

        merged["points"] = check_rules(merged.get("points"), field="points", amount_key="points")
        merged["per_deal"] = check_rules(merged.get("per_deal"), field="per_deal", amount_key="reward_fen")
    if kind == PlanKind.CONTRACT_BONUS:
        merged["class_fen"] = {k: int(v) for k, v in (merged.get("class_fen") or {}).items()}
    plan = plan_for_change(plan)
    plan.params = merged
    plan.save(update_fields=["params"])
    return plan


def plan_for_change(plan: IncentivePlan) -> IncentivePlan:
    """The plan to change: itself while no payout of it is published, else a new version carrying
    its brackets, base pay and unit-price stages (old payouts keep what they were computed with)."""
    if not plan.payouts.filter(status=PayoutStatus.PUBLISHED).exists():
        return plan
    from opscenter.appraisal.models import PayBase, PriceStage

    brackets, bases, stages = list(plan.brackets.all()), list(plan.bases.all()), list(plan.stages.all())
    plan = IncentivePlan.objects.get(pk=plan.pk)  # a fresh row: the caller's object stays the old version
    plan.pk = None
    plan._state.adding = True
    plan.version = (
        IncentivePlan.objects.filter(site_id=plan.site_id, name=plan.name)
        .order_by("-version")
        .first()
        .version
        + 1
    )
    plan.save()
    for rows, model in ((brackets, PlanBracket), (bases, PayBase), (stages, PriceStage)):
        for row in rows:
            row.pk = None
            row.plan = plan
        model.objects.bulk_create(rows)
    return plan


@transaction.atomic
def plan_bases_set(*, actor, plan: IncentivePlan, bases: dict[int, int]) -> int:
    """Base pay per staff member (fen) for the monthly pay formula; staff of the plan's site only."""
    from opscenter.appraisal.models import PayBase
    from opscenter.org.models import Staff

    _require(actor, plan.site_id)
    valid = set(
        Staff.objects.filter(pk__in=bases, department__site_id=plan.site_id).values_list("pk", flat=True)
    )
    unknown = set(bases) - valid
    if unknown:
        raise ValidationError(_("员工不属于该院区：%(ids)s") % {"ids": sorted(unknown)}, field="bases")
    if any(v < 0 for v in bases.values()):
        raise ValidationError(_("基本工资不能为负数"), field="bases")
    plan.bases.filter(staff_id__in=valid).delete()
    PayBase.objects.bulk_create([PayBase(plan=plan, staff_id=s, base_fen=v) for s, v in bases.items()])
    return len(bases)
