"""Staffing day plans (48 half hours) from history, through `erlang.day_plan`."""

from __future__ import annotations

import datetime as dt

from opscenter.callcenter import erlang, stats
from opscenter.callcenter.models import Queue


def volumes_for(queues: list[Queue], day: dt.date, *, basis: str = "day") -> tuple[list[float], list[float]]:
    """Offered calls and AHT per half hour: the day's actuals, or (basis "weekday") the mean of
    the same weekday over the four weeks before `day` — a simple forecast."""
    days = [day - dt.timedelta(weeks=w) for w in range(1, 5)] if basis == "weekday" else [day]
    totals: dict[int, stats.Figures] = {}
    for d in days:
        for (i,), fig in stats.interval_profile(queues, d, d, minutes=30).items():
            totals.setdefault(i, stats.Figures()).add(fig)
    volumes, ahts = [], []
    for i in range(48):
        fig = totals.get(i, stats.Figures())
        volumes.append(fig.offered / len(days))
        ahts.append(float(fig.aht or 0))
    return volumes, ahts


def plan_rows(
    volumes: list[float],
    ahts: list[float],
    *,
    target_sl: float,
    target_seconds: float,
    shrinkage: float,
    target_asa: float | None = None,
    default_aht: float = 240,
) -> list[dict]:
    ahts = [a or default_aht for a in ahts]
    plan = erlang.day_plan(
        volumes,
        interval_minutes=30,
        aht_seconds=ahts,
        target_sl=target_sl,
        target_seconds=target_seconds,
        target_asa=target_asa,
        shrinkage=shrinkage,
    )
    rows = []
    for i, p in enumerate(plan):
        rows.append(
            {
                "label": f"{i // 2:02d}:{(i % 2) * 30:02d}",
                "calls": round(p.calls, 1),
                "aht": round(p.aht_seconds),
                "traffic": round(p.traffic, 2),
                "agents": p.agents,
                "scheduled": p.scheduled,
                "sl": f"{p.service_level * 100:.1f}%" if p.calls else "—",
                "asa": f"{p.asa_seconds:.1f}" if p.calls else "—",
                "occupancy": f"{p.occupancy * 100:.1f}%" if p.calls else "—",
            }
        )
    return rows


def plan_option(rows: list[dict]) -> dict:
    from django.utils.translation import gettext as _

    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"data": [_("来电量"), _("所需坐席"), _("排班人数")]},
        "xAxis": {"type": "category", "data": [r["label"] for r in rows]},
        "yAxis": [{"type": "value", "name": _("来电")}, {"type": "value", "name": _("坐席")}],
        "series": [
            {"type": "bar", "name": _("来电量"), "data": [r["calls"] for r in rows]},
            {
                "type": "line",
                "name": _("所需坐席"),
                "yAxisIndex": 1,
                "step": "middle",
                "data": [r["agents"] for r in rows],
            },
            {
                "type": "line",
                "name": _("排班人数"),
                "yAxisIndex": 1,
                "step": "middle",
                "data": [r["scheduled"] for r in rows],
            },
        ],
    }
