"""Demo step: a plan for the current year per demo site (active, from the demo's trailing twelve
months of revenue plus 10%, split by last year's shape and to the sales teams) and a draft for the
next year (+20%). "Today" is the day the demo is loaded, like the pipeline data it reads.
Besides revenue (and what it back-solves to), each plan targets the other metrics the site has
history for — follow-up completion everywhere, new residents by stay type at the elder-care
community — at the same growth over their trailing year.
Idempotent: a site that already has a plan for the year is skipped."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from opscenter.core.models import User
from opscenter.org.models import Site, Team
from opscenter.pipeline.choices import FunnelView
from opscenter.targets import actuals, services
from opscenter.targets.choices import PlanStatus, SplitMethod
from opscenter.targets.constants import MONEY_METRIC
from opscenter.targets.metrics import metrics_for_site
from opscenter.targets.models import TargetPlan
from opscenter.targets.solving import SITE_UNIT

SITES = {"sunshine": "demo-ops", "meilai": "demo-ops-meilai"}
GROWTH = {0: 110, 1: 120}  # this year's and next year's plan: percent of the trailing year's revenue


def _round_to_10k_yuan(fen: int) -> int:
    return max(1, round(fen / 1_000_000)) * 1_000_000


def _monthly_rate_targets(actor, plan, site, today: dt.date) -> None:
    """Seed 004's table sets rates month by month: the site's 成交率 and 电话上门率 targets, two
    points above its trailing rate in the busy months (Mar–Jun, Sep–Nov), the trailing rate else."""
    rates = actuals.trailing_rates(user=actor, site_id=site.pk, units=[SITE_UNIT], today=today)[SITE_UNIT.key]
    values = {}
    for key in ("conversion_rate", "phone_visit_rate"):
        trailing = getattr(rates, key)
        if trailing is None:
            continue
        for month in range(1, 13):
            lift = Decimal("0.02") if month in (3, 4, 5, 6, 9, 10, 11) else Decimal(0)
            value = min(Decimal(1), trailing.quantize(Decimal("0.01")) + lift)
            values[(key, plan.year * 100 + month)] = value
    if values:
        services.rate_targets_set(actor=actor, plan_id=plan.pk, unit_key=SITE_UNIT.key, values=values)


def generate(*, seed: int, stdout, today: dt.date | None = None) -> None:
    TODAY = today or timezone.localdate()  # the demo's "today", as in the pipeline step
    for code, login in SITES.items():
        site = Site.objects.filter(code=code).first()
        actor = User.objects.filter(username=login).first()
        if site is None or actor is None:
            stdout.write(f"院区 {code} 或账号 {login} 不存在，跳过目标计划 (skipped)")
            continue
        first, last = actuals.trailing_window(TODAY)
        base = actuals.unit_funnel(user=actor, site_id=site.pk, unit=SITE_UNIT, month_from=first,
                                   month_to=last, view=FunnelView.EVENT).total.revenue_fen  # fmt: skip
        if not base:
            stdout.write(f"{site.name} 没有成交数据，跳过目标计划 (no pipeline data)")
            continue
        # Other metrics with a trailing year of history (counts, not money) get a grown target too.
        # Headcount and leavers are not grown like sales (workforce metrics: "staff_…").
        others = [
            key for key, m in metrics_for_site(site.kind).items()
            if m.funnel_key is None and not m.money and not key.startswith("staff_")
        ]  # fmt: skip
        history = actuals.seasonal_history(user=actor, site_id=site.pk, units=[SITE_UNIT], metrics=others,
                                           today=TODAY)[SITE_UNIT.key]  # fmt: skip
        trailing = {key: sum(values) for key, values in history.items() if sum(values)}
        teams = [
            f"team:{t.pk}" for t in Team.objects.filter(department__site=site, department__kind="marketing")
        ]
        for offset, growth in GROWTH.items():
            year = TODAY.year + offset
            if TargetPlan.objects.filter(site=site, year=year).exists():
                stdout.write(f"{site.name} {year} 年目标计划已存在，跳过")
                continue
            plan = services.plan_create(
                actor=actor, site_id=site.pk, year=year,
                targets={
                    MONEY_METRIC: _round_to_10k_yuan(base * growth // 100),
                    **{key: -(-n * growth // 100) for key, n in trailing.items()},
                },
                month_split=SplitMethod.SEASONAL, solve_from_revenue=True, today=TODAY,
                name=f"{year} 年经营目标",
            )  # fmt: skip
            if teams:
                services.plan_split_units(actor=actor, plan_id=plan.pk, units=teams, method=SplitMethod.SEASONAL,
                                          today=TODAY)  # fmt: skip
            if year == TODAY.year:
                _monthly_rate_targets(actor, plan, site, TODAY)
                services.plan_transition(actor=actor, plan_id=plan.pk, to=PlanStatus.ACTIVE)
            stdout.write(f"{site.name}：{year} 年目标计划 v{plan.version}（{len(teams)} 个小组）")
