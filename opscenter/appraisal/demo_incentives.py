"""Demo of the incentive side at 美莱 (called by `appraisal.demo`): unit-price stages and 一单一奖励
on the grid points plan with its payout for the published month, a contest paid with it and one
running, the partner grading of the year with the year-end contract bonus allocated by the marketing
manager (by the monthly scores; the GM's part left for the GM), and a dismissed consultant's early
settlement."""

# i18n: data module (demo records stored in the database)

from __future__ import annotations

import datetime as dt

from opscenter.appraisal import examples, points, services
from opscenter.appraisal.choices import ItemMethod, PlanKind, ScoreStatus
from opscenter.appraisal.models import IncentivePlan, ItemScore, Period
from opscenter.appraisal.selectors_incentives import bonus_context
from opscenter.org.models import Department, Staff


def _month_end(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def generate(site, *, today: dt.date, published_label: str, live_label: str, rng) -> dict[str, int]:
    plans = {p.kind: p for p in IncentivePlan.objects.filter(site=site).order_by("version")}
    grid = plans.get(PlanKind.POINTS)
    marketing = Department.objects.filter(site=site, kind="marketing").first()
    if grid is None or marketing is None:
        return {}
    published = Period.objects.get(label=published_label)
    live = Period.objects.get(label=live_label)
    year_start = today.replace(month=1, day=1)
    first_half_end = min(dt.date(today.year, 6, 30), _month_end(published.start - dt.timedelta(days=1)))
    stages = [points.Stage("年初", year_start.replace(year=year_start.year - 1), first_half_end, 500)]
    stages.append(points.Stage("旺季冲刺", first_half_end + dt.timedelta(days=1), None, 600))
    grid = services.plan_stages_set(actor=None, plan=grid, stages=stages)
    grid = services.plan_params_set(
        actor=None, plan=grid, params={"per_deal": [{"metric": "targets.deals", "reward_fen": 20_000}]}
    )
    consultants = list(
        Staff.objects.filter(department=marketing, is_active=True)
        .exclude(pk=marketing.manager_id)
        .order_by("pk")
    )
    ids = [s.pk for s in consultants]
    two_before = (published.start - dt.timedelta(days=1)).replace(day=1)
    services.contest_save(
        actor=None,
        site_id=site.pk,
        plan_id=grid.pk,
        name="双月签约竞赛",
        starts_on=two_before,
        ends_on=published.end,
        unit_price_fen=800,
        rules=[{"metric": "targets.deals", "points": "20"}, {"metric": "targets.visits", "points": "3"}],
        eligible_ids=ids,
        notes="随阶段性营销任务开展：签约每单 20 分、到院每人 3 分，每分 8 元。",
    )
    services.contest_save(
        actor=None,
        site_id=site.pk,
        plan_id=grid.pk,
        name="月度到院竞赛",
        starts_on=live.start,
        ends_on=live.end,
        unit_price_fen=None,
        rules=[{"metric": "targets.visits", "points": "5"}],
        eligible_ids=ids[: max(3, len(ids) // 2)],
    )
    grid_payout = services.payout_compute(actor=None, plan=grid, period_label=published_label)
    services.payout_publish(actor=None, payout=grid_payout)

    # the year: partner grading (目标医院等级评价) publishes it; then the year-end contract bonus
    year = services.period_get_or_create(label=str(today.year))
    services.appraisal_run(period=year, scorecard_name=examples.SCHEME_PARTNER)
    for row in ItemScore.objects.filter(appraisal__period=year, status=ScoreStatus.PENDING).select_related(
        "item"
    ):
        if row.item.method == ItemMethod.CHECKLIST:
            labels = [c["label"] for c in row.item.checklist if rng.random() < 0.8]
            services.item_score_enter(actor=None, item_score=row, checked=labels)
    services.period_publish(actor=None, period=year)
    bonus = plans.get(PlanKind.CONTRACT_BONUS)
    if bonus is None:
        return {"contests": 2}
    # a consultant dismissed last month: this year's contracts so far settled early, equal parts only
    fired = consultants[-1]
    services.payout_staff_leave(actor=None, staff=fired, reason="dismissed", on=published.end)
    payout = services.payout_compute(actor=None, plan=bonus, period_label=str(today.year))
    ctx = bonus_context(bonus, year.start, year.end)
    share = ctx.part_total("mk_allocated")
    suggestion = points.suggest_allocation(share, {s: ctx.scores[s]["avg"] for s in ctx.mk_eligible})
    services.allocation_save(
        actor=None,
        payout=payout,
        version=0,
        entries={"mk_allocated": suggestion},
        note="市场部经理按月度考核分拟定，待总经理确认其他部门部分",
    )
    return {"contests": 2, "settlements": 1}
