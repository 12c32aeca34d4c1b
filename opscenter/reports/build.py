"""Assemble a report's data from the registered blocks and metrics (no other app's tables).

The result is plain JSON-safe data: it is what a draft shows live and what publishing freezes.
Each row carries the value of the period, the previous period and the same period last year, the
changes, and the drill-down URL of the rows behind the current value.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from opscenter.metrics import MetricUnit, MetricValue, metric_values
from opscenter.reports.blocks import available_blocks
from opscenter.reports.periods import Period, previous, year_before


def _cell(value: MetricValue | None) -> dict:
    if value is None:
        return {"n": 0, "d": None, "value": "0"}
    v = value.value
    return {"n": value.numerator, "d": value.denominator, "value": None if v is None else str(v)}


def _change(current: dict, before: dict) -> str | None:
    """Relative change in percent (one decimal), None when the base is zero or missing."""
    if current["value"] is None or before["value"] is None:
        return None
    base = Decimal(before["value"])
    if base == 0:
        return None
    pct = (Decimal(current["value"]) - base) / base * 100
    return str(pct.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def format_value(cell: dict, unit: str) -> str:
    """How a value reads on the page, the spreadsheet and the PDF alike."""
    if cell["value"] is None:
        return "—"
    if unit == MetricUnit.MONEY_FEN:
        yuan = (Decimal(cell["value"]) / 100).quantize(Decimal("0.01"))
        return f"¥{yuan:,}"
    if unit == MetricUnit.RATE:
        return f"{(Decimal(cell['value']) * 100).quantize(Decimal('0.1'))}%"
    if unit == MetricUnit.SCORE:
        return f"{Decimal(cell['value']).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}"
    return f"{int(Decimal(cell['value'])):,}"


def build_report_data(*, site, period: Period, department=None) -> dict:
    """Blocks × metrics × (current, previous, last year) for one site (or department)."""
    grain, unit_id = ("department", department.pk) if department is not None else ("site", site.pk)
    periods = {"current": period, "previous": previous(period), "last_year": year_before(period)}
    blocks = []
    codes = []
    for block, metrics in available_blocks(grain=grain, period=period.metric_period):
        rows = []
        for metric in metrics:
            cells = {}
            for key, p in periods.items():
                values = metric_values(
                    metric.code,
                    grain=grain,
                    period=p.metric_period,
                    start=p.start,
                    end=p.end,
                    unit_ids=[unit_id],
                )
                cells[key] = _cell(values.get((unit_id, p.start)))
            row = {
                "code": metric.code,
                "label": str(metric.label),
                "unit": str(metric.unit),
                **cells,
                "vs_previous": _change(cells["current"], cells["previous"]),
                "vs_last_year": _change(cells["current"], cells["last_year"]),
                "drill": metric.drill(grain, unit_id, period.metric_period, period.start),
            }
            row["display"] = {k: format_value(cells[k], row["unit"]) for k in periods}
            rows.append(row)
            codes.append(metric.code)
        blocks.append({"code": block.code, "label": str(block.label), "chart": block.chart, "rows": rows})
    return {
        "kind": period.kind,
        "site": {"id": site.pk, "name": site.name, "code": site.code},
        "department": {"id": department.pk, "name": department.name} if department is not None else None,
        "periods": {
            k: {"label": p.label, "start": p.start.isoformat(), "end": p.end.isoformat()}
            for k, p in periods.items()
        },
        "blocks": blocks,
        "source": {"metrics": codes, "computed_at": timezone.now().isoformat()},
    }


def chart_series(block: dict) -> tuple[list[str], list[tuple[str, list[int]]]]:
    """Categories (metric labels) and three series for a block's count metrics."""
    rows = [r for r in block["rows"] if r["unit"] == MetricUnit.COUNT]
    cats = [r["label"] for r in rows]
    series = [(key, [r[key]["n"] for r in rows]) for key in ("current", "previous", "last_year")]
    return cats, series


__all__ = ["build_report_data", "chart_series", "dt", "format_value"]
