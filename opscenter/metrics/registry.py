"""The registry itself: plain values and functions, no models."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from opscenter.core.exceptions import ValidationError

GRAINS = ("site", "department", "team", "staff", "channel")
# What a metric answers unless it says otherwise; `channel` (the pipeline's 渠道, a customer's
# source) only where the metric's rows carry one, so it is opted into, never assumed.
DEFAULT_GRAINS = ("site", "department", "team", "staff")
PERIODS = ("day", "week", "month")
# Intraday periods: a metric that registers an `intervals` function also answers per half hour
# (anomaly rules such as "service level below 80 % for two consecutive half hours").
INTERVAL = "interval"
INTERVAL_MINUTES = 30


class MetricUnit(models.TextChoices):
    COUNT = "count", _("个数")
    MONEY_FEN = "money_fen", _("金额(分)")
    RATE = "rate", _("比率")
    BUSINESS_MINUTES = "business_minutes", _("工作时长(分钟)")
    SECONDS = "seconds", _("秒")
    SCORE = "score", _("得分")


@dataclass(frozen=True)
class MetricQuery:
    """What a `values` function is asked: unit kind and ids (None: every unit of that kind the data
    has), period kind, and the dates [start, end] (inclusive) whose periods are wanted."""

    grain: str
    period: str
    start: dt.date
    end: dt.date
    unit_ids: frozenset[int] | None = None


@dataclass(frozen=True)
class MetricValue:
    """One value: for a rate, `numerator` ÷ `denominator` (None when the denominator is 0)."""

    numerator: int
    denominator: int | None = None

    @property
    def value(self) -> Decimal | None:
        if self.denominator is None:
            return Decimal(self.numerator)
        if self.denominator == 0:
            return None
        return (Decimal(self.numerator) / Decimal(self.denominator)).quantize(Decimal("0.0001"))


# values(query) → {(unit_id, period_start): MetricValue}; drill(grain, unit_id, period, start) → URL
Values = Callable[[MetricQuery], dict[tuple[int, dt.date], MetricValue]]
# intervals(grain, unit_ids, start, end) → {(unit_id, interval_start): MetricValue} for the
# half hours starting in [start, end) (aware datetimes).
Intervals = Callable[
    [str, frozenset[int] | None, dt.datetime, dt.datetime], dict[tuple[int, dt.datetime], MetricValue]
]
Drill = Callable[[str, int, str, dt.date], str]


@dataclass(frozen=True)
class Metric:
    """A named metric an app registers (see the module docstring)."""

    code: str
    label: str
    unit: str
    values: Values
    drill: Drill
    grains: frozenset[str] = field(default_factory=lambda: frozenset(DEFAULT_GRAINS))
    periods: frozenset[str] = field(default_factory=lambda: frozenset(PERIODS))
    app: str = ""
    intervals: Intervals | None = None

    def supports(self, grain: str, period: str) -> bool:
        if period == INTERVAL:
            return grain in self.grains and self.intervals is not None
        return grain in self.grains and period in self.periods


_REGISTRY: dict[str, Metric] = {}


def register(metric: Metric) -> Metric:
    """Add (or replace, on re-import) a metric. Grains and periods must be known ones."""
    if not metric.grains <= set(GRAINS) or not metric.periods <= set(PERIODS):
        raise ValueError(f"metric {metric.code}: unknown grain or period")
    if metric.unit not in MetricUnit.values:
        raise ValueError(f"metric {metric.code}: unknown unit {metric.unit}")
    _REGISTRY[metric.code] = metric
    return metric


def all_metrics() -> dict[str, Metric]:
    return dict(_REGISTRY)


def get_metric(code: str) -> Metric:
    """The metric, or a ValidationError naming the unknown code (field `metric`)."""
    metric = _REGISTRY.get(code)
    if metric is None:
        raise ValidationError(
            gettext("未知的指标：%(code)s") % {"code": code},
            field="metric",
            log_message=f"unknown metric {code!r}",
        )
    return metric


def period_start(day: dt.date, period: str) -> dt.date:
    """The first day of the period (ISO week starting Monday, calendar month) holding `day`."""
    if period == "day":
        return day
    if period == "week":
        return day - dt.timedelta(days=day.weekday())
    if period == "month":
        return day.replace(day=1)
    raise ValueError(f"unknown period {period}")


def period_starts(start: dt.date, end: dt.date, period: str) -> list[dt.date]:
    """Every period start from the one holding `start` to the one holding `end`."""
    out: list[dt.date] = []
    current = period_start(start, period)
    while current <= end:
        out.append(current)
        if period == "day":
            current += dt.timedelta(days=1)
        elif period == "week":
            current += dt.timedelta(days=7)
        else:
            current = (current.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return out


def metric_values(
    code: str,
    *,
    grain: str,
    period: str,
    start: dt.date,
    end: dt.date,
    unit_ids: Iterable[int] | None = None,
) -> dict[tuple[int, dt.date], MetricValue]:
    """Values of one metric for many units and periods, in the metric's bounded number of queries."""
    metric = get_metric(code)
    if not metric.supports(grain, period):
        raise ValidationError(
            gettext("指标“%(label)s”不支持该统计粒度") % {"label": metric.label},
            field="grain",
            log_message=f"{code} has no {grain}×{period}",
        )
    query = MetricQuery(grain, period, start, end, frozenset(unit_ids) if unit_ids is not None else None)
    return metric.values(query)


def interval_values(
    code: str, *, grain: str, start: dt.datetime, end: dt.datetime, unit_ids: Iterable[int] | None = None
) -> dict[tuple[int, dt.datetime], MetricValue]:
    """Half-hour values of a metric that answers intervals (see `Metric.intervals`)."""
    metric = get_metric(code)
    if not metric.supports(grain, INTERVAL):
        raise ValidationError(
            gettext("指标“%(label)s”不支持按半小时时段统计") % {"label": metric.label},
            field="period",
            log_message=f"{code} has no {grain}×interval",
        )
    return metric.intervals(grain, frozenset(unit_ids) if unit_ids is not None else None, start, end)
