"""Presentation of target numbers: formatting, rate tables and ECharts options (no ORM work)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from opscenter.targets.solver import RATE_KEYS, RATE_LABELS, Rates
from opscenter.targets.solving import Solution

SOURCE_LABELS = {
    "override": "手工设定",
    "unit": "本单位近12个月",
    "site": "院区口径（本单位无数据）",
    "missing": "缺失",
}


def fmt_value(value: int | None, money: bool) -> str:
    if value is None:
        return "—"
    if money:
        return f"¥{(Decimal(value) / 100).quantize(Decimal('1'), ROUND_HALF_UP):,}"
    return f"{value:,}"


def fmt_pct(value: Decimal | None) -> str:
    if value is None:
        return "—"
    return f"{(Decimal(value) * 100).quantize(Decimal('0.1'), ROUND_HALF_UP)}%"


def fmt_rate(key: str, value: Decimal | None) -> str:
    if value is None:
        return "—"
    if key == "revenue_per_customer_fen":
        return fmt_value(int(value), True)
    return fmt_pct(value)


def input_value(key: str, value: Decimal | None) -> str:
    """The rate as typed in the form: percent, or yuan for 人均贡献额."""
    if value is None:
        return ""
    if key == "revenue_per_customer_fen":
        return str((Decimal(value) / 100).quantize(Decimal("0.01")))
    return str((Decimal(value) * 100).quantize(Decimal("0.01")))


@dataclass(frozen=True)
class RateRow:
    key: str
    label: str
    unit_value: str
    site_value: str
    effective: str
    source: str
    source_label: str
    override: str
    is_percent: bool


def rate_rows(solution: Solution, overrides: dict[str, Decimal]) -> list[RateRow]:
    rates: Rates = solution.resolved.rates
    return [
        RateRow(
            key=key,
            label=RATE_LABELS[key],
            unit_value=fmt_rate(key, getattr(solution.unit_rates, key)),
            site_value=fmt_rate(key, getattr(solution.site_rates, key)),
            effective=fmt_rate(key, getattr(rates, key)),
            source=solution.resolved.sources[key],
            source_label=SOURCE_LABELS[solution.resolved.sources[key]],
            override=input_value(key, overrides.get(key)),
            is_percent=key != "revenue_per_customer_fen",
        )
        for key in RATE_KEYS
    ]


def solve_chart_option(solution: Solution) -> dict[str, Any]:
    """Bars: revenue target and the revenue the planned consultations bring (forward); line:
    the consultations the target needs (back), phone + online."""
    labels = [f"{m.month % 100}月" for m in solution.months]

    def yuan(fen: int | None) -> float | None:
        return None if fen is None else round(fen / 100, 2)

    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"bottom": 0},
        "grid": {"left": 64, "right": 56, "top": 36, "bottom": 56},
        "xAxis": {"type": "category", "data": labels},
        "yAxis": [
            {"type": "value", "name": "营收(元)"},
            {"type": "value", "name": "咨询量", "minInterval": 1, "splitLine": {"show": False}},
        ],
        "series": [
            {
                "name": "营收目标",
                "type": "bar",
                "barMaxWidth": 18,
                "data": [yuan(m.revenue_fen) for m in solution.months],
            },
            {
                "name": "按计划咨询预计营收",
                "type": "bar",
                "barMaxWidth": 18,
                "data": [yuan(m.expected.revenue_fen) if m.expected else None for m in solution.months],
            },
            {
                "name": "需要咨询量(电话+网络)",
                "type": "line",
                "yAxisIndex": 1,
                "smooth": True,
                "data": [
                    (m.need.consultations_phone + m.need.consultations_online) if m.need else None
                    for m in solution.months
                ],
            },
        ],
    }


def progress_chart_option(lines, money: bool) -> dict[str, Any]:
    """Target, actual and projection of each unit (horizontal bars), actual bars link to their rows."""
    names = [line.unit.label for line in lines]
    scale = 100 if money else 1

    def v(value):
        return None if value is None else round(value / scale, 2)

    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"bottom": 0},
        "grid": {"left": 96, "right": 24, "top": 16, "bottom": 48},
        "yAxis": {"type": "category", "data": names, "inverse": True},
        "xAxis": {"type": "value", "name": "元" if money else ""},
        "series": [
            {"name": "目标", "type": "bar", "barMaxWidth": 14, "data": [v(line.target) for line in lines]},
            {
                "name": "实际",
                "type": "bar",
                "barMaxWidth": 14,
                "data": [{"value": v(line.actual), "url": line.url} for line in lines],
            },
            {
                "name": "预计",
                "type": "bar",
                "barMaxWidth": 14,
                "data": [v(line.projection) for line in lines],
            },
        ],
    }
