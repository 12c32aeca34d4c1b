"""Actual against target for every allocation of a plan: actual to date (the funnel selector's
numbers, or a registered metric's counter, event view), completion, run-rate projection to the
period's end, and a traffic light. A metric with a ratio (follow-ups: 完成率 = done ÷ scheduled)
also carries its denominator.

Run rate: actual ÷ elapsed share of the period's days (today counts as elapsed); a period not yet
begun has no projection, a finished one projects its actual. Light: green when the projection
reaches the target, amber when it reaches the plan's alert share of it, red below.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from urllib.parse import urlencode

from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from opscenter.core.exceptions import ValidationError
from opscenter.pipeline.choices import FunnelView
from opscenter.pipeline.periods import month_key, parse_month
from opscenter.targets.choices import Light, UnitKind
from opscenter.targets.metrics import get_metric, is_money, metric_actuals, metric_label
from opscenter.targets.models import Allocation, PlanMetric, TargetPlan
from opscenter.targets.selectors import plan_units
from opscenter.targets.units import Unit


@dataclass(frozen=True)
class Period:
    first: int  # yyyymm
    last: int

    @property
    def is_month(self) -> bool:
        return self.first == self.last

    @property
    def label(self) -> str:
        if self.is_month:
            return _("%(value)s年%(value2)s月") % {"value": self.first // 100, "value2": self.first % 100}
        return _("%(value)s年全年") % {"value": self.first // 100}

    @property
    def param(self) -> str:
        return f"{self.first // 100}-{self.first % 100:02d}" if self.is_month else str(self.first // 100)

    def start(self) -> dt.date:
        return dt.date(self.first // 100, self.first % 100, 1)

    def end(self) -> dt.date:
        year, month = self.last // 100, self.last % 100
        return dt.date(year, month, calendar.monthrange(year, month)[1])

    def elapsed(self, today: dt.date) -> Fraction:
        """Share of the period's days gone by, today included."""
        if today < self.start():
            return Fraction(0)
        if today >= self.end():
            return Fraction(1)
        return Fraction((today - self.start()).days + 1, (self.end() - self.start()).days + 1)


def parse_period(plan: TargetPlan, raw: str | None, today: dt.date | None = None) -> Period:
    """ "2026-11" (a month of the plan's year) or "2026" (the year). Default: the current month
    when the plan is for this year, else the whole year."""
    today = today or timezone.localdate()
    if not raw:
        if today.year == plan.year:
            return Period(month_key(today), month_key(today))
        return Period(plan.year * 100 + 1, plan.year * 100 + 12)
    text = str(raw).strip()
    if text.isdigit() and len(text) == 4:
        if int(text) != plan.year:
            raise ValidationError(_("期间应在计划年度 %(year)s 内") % {"year": plan.year}, field="period")
        return Period(plan.year * 100 + 1, plan.year * 100 + 12)
    key = parse_month(text, "period")
    if key // 100 != plan.year:
        raise ValidationError(_("期间应在计划年度 %(year)s 内") % {"year": plan.year}, field="period")
    return Period(key, key)


@dataclass
class ProgressLine:
    unit: Unit
    metric: str
    target: int
    actual: int
    url: str
    elapsed: Fraction
    alert_share: Decimal
    base: int | None = None  # the ratio's denominator (follow-ups scheduled), when the metric has one

    @property
    def money(self) -> bool:
        return is_money(self.metric)

    @property
    def ratio(self) -> Decimal | None:
        """actual ÷ base (e.g. follow-up completion rate); None without a base or when it is 0."""
        if not self.base:
            return None
        return (Decimal(self.actual) / Decimal(self.base)).quantize(Decimal("0.0001"), ROUND_HALF_UP)

    @property
    def ratio_label(self) -> str:
        return get_metric(self.metric).ratio_label if self.base is not None else ""

    @property
    def ratio_note(self) -> str:
        """The rate shown beside the actual, e.g. 完成率 80.0%（计划回访量 10）; "" without a ratio."""
        if self.base is None:
            return ""
        metric = get_metric(self.metric)
        shown = "—" if self.ratio is None else f"{self.ratio * 100:.1f}%"
        return _("%(ratio_label)s %(shown)s（%(ratio_base_label)s %(base)s）") % {
            "ratio_label": metric.ratio_label,
            "shown": shown,
            "ratio_base_label": metric.ratio_base_label,
            "base": format(self.base, ","),
        }

    @property
    def completion(self) -> Decimal | None:
        if not self.target:
            return None
        return (Decimal(self.actual) / Decimal(self.target)).quantize(Decimal("0.0001"), ROUND_HALF_UP)

    @property
    def projection(self) -> int | None:
        if self.elapsed == 0:
            return None
        exact = Fraction(self.actual) / self.elapsed
        return int(
            (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(Decimal(1), ROUND_HALF_UP)
        )

    @property
    def projected_share(self) -> Decimal | None:
        if self.projection is None or not self.target:
            return None
        return (Decimal(self.projection) / Decimal(self.target)).quantize(Decimal("0.0001"), ROUND_HALF_UP)

    @property
    def light(self) -> str:
        if self.projection is None:
            return Light.NONE
        if self.projection >= self.target:
            return Light.GREEN
        if Decimal(self.projection) >= self.alert_share * self.target:
            return Light.AMBER
        return Light.RED

    @property
    def light_label(self) -> str:
        return Light(self.light).label

    def as_dict(self) -> dict:
        return {
            "unit": self.unit.key,
            "unit_label": self.unit.label,
            "metric": self.metric,
            "metric_label": metric_label(self.metric),
            "target": self.target,
            "actual": self.actual,
            "completion": str(self.completion) if self.completion is not None else None,
            "projection": self.projection,
            "light": self.light,
            "drill_url": self.url,
            "ratio": str(self.ratio) if self.ratio is not None else None,
            "ratio_base": self.base,
            "ratio_label": self.ratio_label,
        }


@dataclass
class Progress:
    plan: TargetPlan
    period: Period
    elapsed: Fraction
    metrics: list[PlanMetric]
    lines: dict[str, list[ProgressLine]] = field(default_factory=dict)  # metric → lines (site first)

    def ranking(self, metric: str) -> list[ProgressLine]:
        """Teams of the plan for `metric`, best completion first (seed 000: groups compete)."""
        teams = [line for line in self.lines.get(metric, []) if line.unit.kind == UnitKind.TEAM]
        return sorted(teams, key=lambda line: (-(line.completion or Decimal(-1)), line.unit.label))

    def site_line(self, metric: str) -> ProgressLine | None:
        return next((line for line in self.lines.get(metric, []) if line.unit.kind == UnitKind.SITE), None)


def plan_progress(*, user, plan: TargetPlan, period: Period, today: dt.date | None = None) -> Progress:
    """Every unit × metric of the plan for the period. One grouped query for the targets, then per
    unit `metrics.metric_actuals`: the funnel's five aggregate queries when a funnel metric is
    targeted, plus one call per other counter (one grouped query each) — never one per month or
    per metric."""
    today = today or timezone.localdate()
    metrics = list(plan.metrics.order_by("sort_order", "pk"))
    targets: dict[tuple[str, str], int] = {
        (row["plan_metric__metric"], row["unit_key"]): row["total"]
        for row in Allocation.objects.filter(
            plan_metric__plan=plan, month__gte=period.first, month__lte=period.last
        )
        .values("plan_metric__metric", "unit_key")
        .annotate(total=Sum("target"))
        .order_by()
    }
    elapsed = period.elapsed(today)
    progress = Progress(plan=plan, period=period, elapsed=elapsed, metrics=metrics)
    for unit in plan_units(plan=plan):
        wanted = [pm.metric for pm in metrics if (pm.metric, unit.key) in targets]
        if not wanted:
            continue
        filters = unit.filters(plan.site_id, period.first, period.last, FunnelView.EVENT)
        actual = metric_actuals(user=user, filters=filters, metrics=[get_metric(key) for key in wanted])
        for key in wanted:
            metric = get_metric(key)
            progress.lines.setdefault(key, []).append(
                ProgressLine(
                    unit=unit,
                    metric=key,
                    target=targets[(key, unit.key)],
                    actual=actual[key].total,
                    url=metric.drill_url(filters),
                    elapsed=elapsed,
                    alert_share=plan.alert_share,
                    base=actual[key].base_total,
                )
            )
    return progress


# solver rate key → the funnel's rate (pipeline.selectors.RATES) or money cell it is measured by.
RATE_ACTUAL = {
    "phone_appointment_rate": "phone_appointment_rate",
    "online_appointment_rate": "online_appointment_rate",
    "phone_visit_rate": "phone_visit_rate",
    "online_visit_rate": "online_visit_rate",
    "conversion_rate": "total_conversion_rate",
    "revenue_per_deal_fen": "revenue_per_deal_fen",
}


@dataclass(frozen=True)
class RateLine:
    """One monthly rate target of a unit against the month's actual rate (event view, like every
    actual here), with the rows behind the actual (the rate's numerator; 单笔贡献额: the deals)."""

    month: int
    rate: str
    target: Decimal
    actual: Decimal | None  # None: no denominator yet (no consultations / visits / deals)
    numerator: int
    denominator: int
    url: str

    @property
    def label(self) -> str:
        from opscenter.targets.solver import RATE_LABELS

        return str(RATE_LABELS[self.rate])

    @property
    def is_money(self) -> bool:
        return self.rate == "revenue_per_deal_fen"

    @property
    def gap(self) -> Decimal | None:
        return None if self.actual is None else self.actual - self.target

    @property
    def met(self) -> bool | None:
        return None if self.actual is None else self.actual >= self.target


def rate_progress(*, user, plan: TargetPlan, unit: Unit) -> list[RateLine]:
    """The unit's monthly rate targets against the actual rates of those months: one funnel read
    (five queries) over the months that have targets."""
    from opscenter.pipeline import selectors as pipeline

    targets = list(plan.rate_targets.filter(unit_key=unit.key).order_by("month", "rate"))
    if not targets:
        return []
    first, last = min(t.month for t in targets), max(t.month for t in targets)
    filters = unit.filters(plan.site_id, first, last, FunnelView.EVENT)
    rows = {row.month: row for row in pipeline.funnel(user=user, filters=filters).months}
    lines = []
    for t in targets:
        row, key = rows[t.month], RATE_ACTUAL[t.rate]
        if key == "revenue_per_deal_fen":
            num, den = row.revenue_fen, row.counts["deals"]
            actual = None if not den else Decimal(row.revenue_per_deal_fen)
        else:
            _label, num_key, den_key = pipeline.RATES[key]
            num, den = row.counts[num_key], row.counts[den_key]
            actual = row.rates[key]
        url = f"{reverse('pipeline:funnel_rows')}?{urlencode({**filters.for_month(t.month).as_params(), 'metric': key})}"
        lines.append(RateLine(t.month, t.rate, t.value, actual, num, den, url))
    return lines
