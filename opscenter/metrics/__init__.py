"""The one metric registry (DESIGN.md, cross-app pieces): every app registers its metrics here and
anomaly rules, scorecards, report blocks and the cockpit read them from here.

A `Metric` has a code, a label, a unit (count, money in fen, rate, duration in business minutes),
the grains it answers (unit kinds site / department / team / staff, and the pipeline's channel
where its rows carry one × periods day / week / month),
a set-based `values` function answering many units and periods in a bounded number of queries, and
the drill-down URL of the rows behind a value. Apps register from their own `metrics.py`, imported
by their AppConfig.ready(); the targets' metrics are exposed through `adapters.targets`.
"""

from opscenter.metrics.registry import (
    GRAINS,
    INTERVAL,
    INTERVAL_MINUTES,
    PERIODS,
    Metric,
    MetricQuery,
    MetricUnit,
    MetricValue,
    all_metrics,
    get_metric,
    interval_values,
    metric_values,
    period_start,
    register,
)

__all__ = [
    "GRAINS",
    "INTERVAL",
    "INTERVAL_MINUTES",
    "PERIODS",
    "Metric",
    "MetricQuery",
    "MetricUnit",
    "MetricValue",
    "all_metrics",
    "get_metric",
    "interval_values",
    "metric_values",
    "period_start",
    "register",
]
