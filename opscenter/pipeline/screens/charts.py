"""ECharts options of the funnel page: presentation of numbers the funnel selector computed.

Every data item carries the `url` of the rows behind it; the chart code in `app.js` opens it on click.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opscenter.pipeline.screens.funnel import drill_url
from opscenter.pipeline.selectors import Funnel

FUNNEL_STAGES = (
    ("consultations", gettext_lazy("咨询")),
    ("appointments", gettext_lazy("预约")),
    ("visits", gettext_lazy("上门")),
    ("deals", gettext_lazy("成交")),
)


def funnel_chart_option(funnel: Funnel) -> dict[str, Any]:
    """ECharts funnel of the period: consultations → appointments → visits → deals (clickable)."""
    total = funnel.total.counts
    data = [
        {"name": f"{label} {total[key]}", "value": total[key], "url": drill_url(funnel.filters, key)}
        for key, label in FUNNEL_STAGES
    ]
    return {
        "title": {
            "text": funnel.filters.view_label,
            "left": "center",
            "textStyle": {"fontSize": 13, "fontWeight": "normal"},
        },
        "tooltip": {"trigger": "item", "formatter": "{b}"},
        "series": [
            {
                "type": "funnel",
                "top": 36,
                "bottom": 8,
                "left": "8%",
                "width": "84%",
                "minSize": "18%",
                "sort": "none",
                "min": 0,
                "max": max([total[key] for key, _label in FUNNEL_STAGES] + [1]),
                "gap": 3,
                "label": {"show": True, "position": "inside", "fontSize": 13},
                "data": data,
            }
        ],
    }


def funnel_trend_option(funnel: Funnel) -> dict[str, Any]:
    """Monthly trend: consultations, visits and deals as bars, total conversion as a line."""
    months = funnel.months
    labels = [f"{row.month // 100}-{row.month % 100:02d}" for row in months]
    series: list[dict[str, Any]] = []
    for key, label in (("consultations", _("咨询量")), ("visits", _("总上门量")), ("deals", _("成交量"))):
        series.append(
            {
                "name": label,
                "type": "bar",
                "barMaxWidth": 22,
                "data": [
                    {"value": row.counts[key], "url": drill_url(funnel.filters, key, row.month)}
                    for row in months
                ],
            }
        )
    rates = [row.rates["total_conversion_rate"] for row in months]
    series.append(
        {
            "name": _("总成交率"),
            "type": "line",
            "yAxisIndex": 1,
            "smooth": True,
            "connectNulls": True,
            "data": [
                {
                    "value": round(float(rate) * 100, 1) if rate is not None else None,
                    "url": drill_url(funnel.filters, "total_conversion_rate", row.month),
                }
                for rate, row in zip(rates, months, strict=True)
            ],
        }
    )
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"bottom": 0},
        "grid": {"left": 44, "right": 52, "top": 32, "bottom": 56},
        "xAxis": {"type": "category", "data": labels},
        "yAxis": [
            {"type": "value", "name": _("数量"), "minInterval": 1},
            {
                "type": "value",
                "name": _("成交率%"),
                "axisLabel": {"formatter": "{value}%"},
                "splitLine": {"show": False},
            },
        ],
        "series": series,
    }
