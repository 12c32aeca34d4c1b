"""Writes of seed 002's points pay: unit-price stages, 一单一奖励 (a fixed reward per qualifying
deal), sales contests; and the pay lines they produce on a points plan's monthly payout.

Each line carries its formula and inputs — the stage and its unit price, and per rule the metric,
the count and the points (or reward) each — so the statement can drill down to the rows.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from opscenter.appraisal import pay, points
from opscenter.appraisal.choices import PeriodKind, PlanKind
from opscenter.appraisal.models import IncentivePlan, Payout, PayoutLine, Period, PriceStage, SalesContest
from opscenter.appraisal.selectors_incentives import staff_counts
from opscenter.core import audit
from opscenter.core.audit import as_actor
from opscenter.core.exceptions import ValidationError
from opscenter.metrics import all_metrics
from opscenter.org.selectors import scope_for


def _require(actor, site_id: int) -> None:
    if actor is not None:
        scope = scope_for(actor)
        scope.require("appraisal.change_incentiveplan")
        scope.require_site(site_id, write=True)


def check_rules(rules, *, field: str, amount_key: str) -> list[dict]:
    """Rows valid as data and each metric registered, answering staff × month."""
    rules = points.validate_rules(rules or [], field=field, amount_key=amount_key)
    known = all_metrics()
    for n, rule in enumerate(rules, start=1):
        metric = known.get(rule["metric"])
        if metric is None or not metric.supports("staff", "month"):
            raise ValidationError(
                _("第 %(n)s 条规则：指标 %(m)s 不存在或不能按员工按月统计") % {"n": n, "m": rule["metric"]},
                field=field,
            )
    return rules


def plan_stages_of(plan: IncentivePlan) -> list[points.Stage]:
    return [points.Stage(s.name, s.starts_on, s.ends_on, s.unit_price_fen) for s in plan.stages.all()]


def _stages_words(stages: list[points.Stage]) -> str:
    """The stages in people's words for the audit trail (stored text)."""
    return "；".join(
        f"{s.name} {s.starts_on:%Y-%m}起 {s.unit_price_fen / 100:.2f}元" for s in stages
    )  # i18n: data


@as_actor
@transaction.atomic
def plan_stages_set(*, actor, plan: IncentivePlan, stages: list[points.Stage]) -> IncentivePlan:
    """Replace the unit-price stages of a points plan (whole months, contiguous, no overlap). A plan
    with a published payout gets a new version, so old payouts keep the prices they were paid at."""
    from opscenter.appraisal.services.pay import plan_for_change

    _require(actor, plan.site_id)
    if plan.kind != PlanKind.POINTS:
        raise ValidationError(_("只有积分方案有积分单价阶段"), field="stages")
    ordered = points.validate_stages(stages)
    before = _stages_words(plan_stages_of(plan))
    plan = plan_for_change(plan)
    plan.stages.all().delete()
    PriceStage.objects.bulk_create(
        [
            PriceStage(
                plan=plan,
                name=s.name.strip(),
                starts_on=s.starts_on,
                ends_on=s.ends_on,
                unit_price_fen=s.unit_price_fen,
            )
            for s in ordered
        ]
    )
    audit.record_event(plan, f"积分单价阶段：{before or '无'} → {_stages_words(ordered)}")  # i18n: data
    return plan


def _whole_months(starts_on: dt.date, ends_on: dt.date) -> None:
    if ends_on < starts_on:
        raise ValidationError(_("结束日期早于开始日期"), field="ends_on")
    if starts_on.day != 1:
        raise ValidationError(_("竞赛按整月计：开始日期须为某月 1 日"), field="starts_on")
    if (ends_on + dt.timedelta(days=1)).day != 1:
        raise ValidationError(_("竞赛按整月计：结束日期须为月末"), field="ends_on")


@as_actor
@transaction.atomic
def contest_save(
    *,
    actor,
    site_id: int,
    plan_id: int,
    name: str,
    starts_on: dt.date,
    ends_on: dt.date,
    unit_price_fen: int | None,
    rules: list[dict],
    eligible_ids: list[int],
    notes: str = "",
    contest: SalesContest | None = None,
    version: int | None = None,
) -> SalesContest:
    """Create or change a sales contest. Edits carry the version the editor read (a concurrent
    change is refused); a contest already paid out is frozen."""
    from opscenter.org.models import Staff

    _require(actor, site_id)
    if contest is not None:
        contest = SalesContest.objects.select_for_update().get(pk=contest.pk)
        if version is None or int(version) != contest.version:
            raise ValidationError(_("该竞赛已被他人修改，请刷新页面后再保存"), field="version")
        if contest.paid_by_id:
            raise ValidationError(_("该竞赛已随发放兑现，不能再修改"), field="version")
        _require(actor, contest.site_id)
    if not (name or "").strip():
        raise ValidationError(_("请填写竞赛名称"), field="name")
    _whole_months(starts_on, ends_on)
    plan = IncentivePlan.objects.filter(pk=plan_id, site_id=site_id, kind=PlanKind.POINTS).first()
    if plan is None:
        raise ValidationError(_("请选择本院区的积分方案"), field="plan")
    if unit_price_fen is not None and unit_price_fen < 0:
        raise ValidationError(_("竞赛积分单价不能为负数"), field="unit_price_fen")
    rules = check_rules(rules, field="rules", amount_key="points")
    if not rules:
        raise ValidationError(_("请至少填写一条竞赛积分规则"), field="rules")
    people = dict(
        Staff.objects.filter(pk__in=eligible_ids, department__site_id=site_id).values_list("pk", "name")
    )
    if not eligible_ids:
        raise ValidationError(_("请选择参赛员工"), field="eligible")
    if set(eligible_ids) - set(people):
        raise ValidationError(_("参赛员工须为本院区员工"), field="eligible")
    before = set(contest.eligible.values_list("pk", flat=True)) if contest else set()
    fields = dict(
        site_id=site_id,
        plan=plan,
        name=name.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        unit_price_fen=unit_price_fen,
        rules=rules,
        notes=notes,
    )
    if contest is None:
        contest = SalesContest.objects.create(**fields)
    else:
        for key, value in fields.items():
            setattr(contest, key, value)
        contest.version += 1
        contest.save()
    if before != set(people):
        contest.eligible.set(list(people))
        names = "、".join(people[p] for p in sorted(people))  # i18n: data
        audit.record_event(contest, f"参赛员工：{names}")  # i18n: data (audit text)
    return contest


# ---------------------------------------------------------------- payout lines of a points plan
def _rule_lines(
    rules, *, part, formula, amount_key, staff_ids, start, end, price=None, inputs=None
) -> list[PayoutLine]:
    """One line per person with something counted under `rules` in [start, end]: points × `price`
    (half-up to the fen) or, for rewards in fen (no price), Σ count × reward. Each line keeps the
    rows (metric, count, amount each) and the months, for the drill-down."""
    key = "points" if price is not None else "amount_fen"
    counts = staff_counts(rules, amount_key=amount_key, staff_ids=staff_ids, start=start, end=end)
    months = [m.isoformat() for m in _months(start, end)]
    lines = []
    for sid in staff_ids:
        rows = [{**r, key: str(Decimal(r["each"]) * r["count"])} for r in counts.get(sid, [])]
        total = sum((Decimal(r[key]) for r in rows), Decimal(0))
        if not total:
            continue
        amount = pay.points_pay(points=total, unit_price_fen=price) if price is not None else int(total)
        extra = {"unit_price_fen": price, "points": str(total)} if price is not None else {}
        lines.append(
            PayoutLine(
                part=part,
                amount_fen=amount,
                formula=formula,
                inputs={**(inputs or {}), **extra, "rows": rows, "months": months},
                staff_id=sid,
            )
        )
    return lines


def points_lines(plan: IncentivePlan, period: Period, staff_ids: list[int]) -> list[PayoutLine]:
    """Seed 002 for one month: points × the stage's unit price, 一单一奖励, and the contests of this
    plan (any version) ending in the month, each person's contest points × the contest's price."""
    if period.kind != PeriodKind.MONTH:
        raise ValidationError(_("积分方案按月发放：请选择月度周期"), field="period")
    p = plan.params
    stages = plan_stages_of(plan)
    stage = points.stage_for(stages, period.start)
    if stages and stage is None:
        raise ValidationError(
            _("%(p)s 不在任何积分单价阶段内：请先补充阶段") % {"p": period.label}, field="period"
        )
    price = stage.unit_price_fen if stage else int(p["unit_price_fen"])
    month = {"staff_ids": staff_ids, "start": period.start, "end": period.end}
    lines = _rule_lines(
        p.get("points") or [],
        part="points",
        formula=gettext_noop("Σ（件数 × 每件积分）× 阶段积分单价，四舍五入到分"),
        amount_key="points",
        price=price,
        inputs={"stage": stage.name if stage else _("统一单价")},
        **month,
    )
    lines += _rule_lines(
        p.get("per_deal") or [],
        part="per_deal",
        formula=gettext_noop("一单一奖励：Σ 达标单数 × 每单奖励"),
        amount_key="reward_fen",
        **month,
    )
    contests = SalesContest.objects.filter(
        plan__site_id=plan.site_id,
        plan__name=plan.name,
        ends_on__gte=period.start,
        ends_on__lte=period.end,
        paid_by__isnull=True,
    ).order_by("pk")
    for contest in contests:
        lines += _rule_lines(
            contest.rules,
            part="contest",
            formula=gettext_noop("竞赛积分 × 竞赛积分单价，四舍五入到分"),
            amount_key="points",
            price=contest.unit_price_fen if contest.unit_price_fen is not None else price,
            inputs={"contest": contest.name, "contest_id": contest.pk},
            staff_ids=list(contest.eligible.order_by("pk").values_list("pk", flat=True)),
            start=contest.starts_on,
            end=contest.ends_on,
        )
    return lines


def _months(start: dt.date, end: dt.date) -> list[dt.date]:
    from opscenter.appraisal.selectors_incentives import months_between

    return months_between(start, end)


def contests_mark_paid(payout: Payout) -> int:
    """On publishing a points payout: the contests it paid are frozen (never paid twice)."""
    ids = {line.inputs.get("contest_id") for line in payout.lines.filter(part="contest")}
    ids.discard(None)
    return SalesContest.objects.filter(pk__in=ids, paid_by__isnull=True).update(paid_by=payout)
