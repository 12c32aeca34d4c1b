"""What the dashboard, wallboard and staffing screens show: built from `stats` and `erlang`,
every number with the URL of its calls."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import Avg, Count, Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from opscenter.callcenter import agents, erlang, stats
from opscenter.callcenter.choices import Outcome
from opscenter.callcenter.models import Call, Queue, Survey
from opscenter.callcenter.models.calls import SLOT_MINUTES
from opscenter.callcenter.qa import agent_averages
from opscenter.org.models import Staff


@dataclass
class Filters:
    queues: list[Queue]
    start: dt.date
    end: dt.date
    minutes: int
    site_id: int | None
    queue_id: int | None

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def site_ids(self) -> list[int]:
        return sorted({q.site_id for q in self.queues})

    def query(self, **extra) -> str:
        params = {"from": self.start.isoformat(), "to": self.end.isoformat(), "minutes": self.minutes}
        if self.site_id:
            params["site"] = self.site_id
        if self.queue_id:
            params["queue"] = self.queue_id
        params.update({k: v for k, v in extra.items() if v is not None})
        return urlencode(params)

    def calls_url(self, **extra) -> str:
        return f"{reverse('callcenter:call_list')}?{self.query(**extra)}"


def latest_day(queues: list[Queue]) -> dt.date:
    """Today, or the last day with calls when today has none (a freshly loaded history)."""
    today = timezone.localdate()
    if not queues or Call.objects.filter(queue__in=queues, local_date=today).exists():
        return today
    last = Call.objects.filter(queue__in=queues).aggregate(d=Max("local_date"))["d"]
    return last or today


def interval_label(index: int, minutes: int) -> str:
    start = index * minutes
    return f"{start // 60:02d}:{start % 60:02d}"


def pct(value: Decimal | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def secs(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:.0f}"


def kpis(f: Filters, total: stats.Figures, peak, occupancy: agents.Occupancy) -> list[dict]:
    """The headline figures with the calls behind each."""
    first = {"first": 1}
    return [
        {"label": _("呼入量"), "value": total.offered, "url": f.calls_url(**first)},
        {"label": _("接通量"), "value": total.answered, "url": f.calls_url(outcome="answered", **first)},
        {
            "label": _("放弃量（不含短放弃）"),
            "value": total.abandoned - total.short_abandoned,
            "url": f.calls_url(outcome="abandoned", short=0, **first),
        },
        {"label": _("短放弃"), "value": total.short_abandoned, "url": f.calls_url(short=1, **first)},
        {
            "label": _("服务水平"),
            "value": pct(total.service_level),
            "url": f.calls_url(within=1, outcome="answered", **first),
        },
        {
            "label": _("放弃率"),
            "value": pct(total.abandon_rate),
            "url": f.calls_url(outcome="abandoned", short=0, **first),
        },
        {
            "label": _("平均接起时间(秒)"),
            "value": secs(total.asa),
            "url": f.calls_url(outcome="answered", **first),
        },
        {"label": _("平均处理时长(秒)"), "value": secs(total.aht), "url": f.calls_url(outcome="answered")},
        {
            "label": _("坐席占用率"),
            "value": pct(occupancy.occupancy),
            "url": f"{reverse('callcenter:agent_states')}?{f.query()}",
        },
        {
            "label": _("高峰时段排队率"),
            "value": pct(peak[1].queue_rate) if peak else "—",
            "hint": interval_label(peak[0], f.minutes) if peak else "",
            "url": f.calls_url(interval=peak[0], **first) if peak else f.calls_url(),
        },
        {
            "label": _("首次解决率"),
            "value": pct(total.fcr),
            "url": f.calls_url(outcome="answered", fcr=1, **first),
        },
    ]


def dashboard(f: Filters) -> dict:
    profile = stats.interval_profile(f.queues, f.start, f.end, minutes=f.minutes)
    total = stats.Figures()
    for figures in profile.values():
        total.add(figures)
    peak_key = stats.peak_interval(profile)
    peak = (peak_key[0], profile[peak_key]) if peak_key else None
    states = agents.slot_queryset(site_ids=f.site_ids, start=f.start, end=f.end)
    occupancy = agents.occupancy_rows(states).get((), agents.Occupancy())
    return {"kpis": kpis(f, total, peak, occupancy), "agents": agent_rows(f), "total": total}


def agent_rows(f: Filters) -> list[dict]:
    table = stats.agent_table(f.queues, f.start, f.end)
    names = dict(Staff.objects.filter(pk__in=table).values_list("pk", "name"))
    qa = agent_averages(site_ids=f.site_ids, start=f.start, end=f.end)
    surveys = {
        r["agent_id"]: r
        for r in Survey.objects.filter(queue__in=f.queues, local_date__gte=f.start, local_date__lte=f.end)
        .values("agent_id")
        .annotate(avg=Avg("score"), n=Count("pk"))
        .order_by()
    }
    occupancy = agents.occupancy_rows(
        agents.slot_queryset(site_ids=f.site_ids, start=f.start, end=f.end, agent_ids=list(table)), "agent_id"
    )
    rows = []
    for agent_id, fig in table.items():
        survey = surveys.get(agent_id)
        occ = occupancy.get((agent_id,))
        rows.append(
            {
                "id": agent_id,
                "name": names.get(agent_id, "?"),
                "answered": fig.legs_answered,
                "aht": secs(fig.aht),
                "handle_hours": f"{fig.handle / 3600:.1f}",
                "fcr": pct(fig.fcr),
                "qa": qa.get(agent_id, (None, 0))[0],
                "qa_n": qa.get(agent_id, (None, 0))[1],
                "survey": f"{survey['avg']:.2f}" if survey else "—",
                "url": f.calls_url(agent=agent_id, outcome="answered"),
                "occupancy": pct(occ.occupancy) if occ else "—",
                "states_url": f"{reverse('callcenter:agent_states')}?{f.query(agent=agent_id)}",
            }
        )
    return sorted(rows, key=lambda r: (-r["answered"], r["name"]))


def profile_option(f: Filters) -> dict:
    """ECharts option: offered and answered per interval (average per day over the range) and
    the agents Erlang C says were needed for the queue's target at that volume and AHT."""
    profile = stats.interval_profile(f.queues, f.start, f.end, minutes=f.minutes)
    count = 24 * 60 // f.minutes
    queue = f.queues[0] if len(f.queues) == 1 else None
    target_seconds = queue.sl_seconds if queue else 20
    target_sl = float(queue.sl_target) if queue else 0.8
    labels, offered, answered, needed = [], [], [], []
    for i in range(count):
        fig = profile.get((i,), stats.Figures())
        labels.append(interval_label(i, f.minutes))
        url = f.calls_url(interval=i, first=1)
        offered.append({"value": round(fig.offered / f.days, 1), "url": url})
        answered.append(
            {
                "value": round(fig.answered / f.days, 1),
                "url": f.calls_url(interval=i, first=1, outcome="answered"),
            }
        )
        if fig.offered and fig.aht:
            plan = erlang.agents_needed(
                calls=fig.offered / f.days,
                interval_minutes=f.minutes,
                aht_seconds=float(fig.aht),
                target_sl=target_sl,
                target_seconds=target_seconds,
            )
            needed.append(plan.agents)
        else:
            needed.append(0)
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"data": [_("呼入量"), _("接通量"), _("所需坐席")]},
        "xAxis": {"type": "category", "data": labels},
        "yAxis": [{"type": "value", "name": _("来电")}, {"type": "value", "name": _("坐席")}],
        "series": [
            {"type": "bar", "name": _("呼入量"), "data": offered},
            {"type": "bar", "name": _("接通量"), "data": answered},
            {"type": "line", "name": _("所需坐席"), "yAxisIndex": 1, "data": needed, "step": "middle"},
        ],
    }


def sl_trend_option(f: Filters) -> dict:
    """ECharts option: service level and abandonment per day (the last 14 days when one day is shown)."""
    start = f.start if f.days > 1 else f.end - dt.timedelta(days=13)
    by_day = stats.interval_profile(f.queues, start, f.end, minutes=60, by_date=True)
    days: dict[dt.date, stats.Figures] = {}
    for (day, _i), fig in by_day.items():
        days.setdefault(day, stats.Figures()).add(fig)
    labels, sl, abandon = [], [], []
    day = start
    while day <= f.end:
        fig = days.get(day, stats.Figures())
        labels.append(day.strftime("%m-%d"))
        url = f"{reverse('callcenter:call_list')}?{urlencode({'from': day, 'to': day, 'first': 1, **({'queue': f.queue_id} if f.queue_id else {}), **({'site': f.site_id} if f.site_id else {})})}"
        sl.append(
            {"value": float(fig.service_level * 100) if fig.service_level is not None else None, "url": url}
        )
        abandon.append(
            {"value": float(fig.abandon_rate * 100) if fig.abandon_rate is not None else None, "url": url}
        )
        day += dt.timedelta(days=1)
    target = float(f.queues[0].sl_target * 100) if len(f.queues) == 1 else 80.0
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"data": [_("服务水平"), _("放弃率")]},
        "xAxis": {"type": "category", "data": labels},
        "yAxis": {"type": "value", "min": 0, "max": 100, "name": "%"},
        "series": [
            {
                "type": "line",
                "name": _("服务水平"),
                "data": sl,
                "markLine": {"data": [{"yAxis": target}], "symbol": "none"},
            },
            {"type": "line", "name": _("放弃率"), "data": abandon},
        ],
    }


def wallboard(queues: list[Queue], now: dt.datetime | None = None) -> dict:
    """Today so far: calls waiting now, SL and abandonment today and this interval, agents active."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    today = local.date()
    slot = (local.hour * 60 + local.minute) // SLOT_MINUTES
    current = (slot // 2) * 2  # this half hour
    today_total = stats.Figures()
    interval = stats.Figures()
    for _day, s, fig in stats.slot_rows(queues, today, today):
        today_total.add(fig)
        if current <= s < current + 2:
            interval.add(fig)
    waiting = Call.objects.filter(queue__in=queues, outcome=Outcome.WAITING, local_date=today)
    oldest = waiting.order_by("arrived_at").values_list("arrived_at", flat=True).first()
    since = now - dt.timedelta(minutes=30)
    agents = (
        Call.objects.filter(queue__in=queues, arrived_at__gte=since, agent__isnull=False)
        .values("agent_id")
        .distinct()
        .count()
    )
    params = {"from": today, "to": today}
    return {
        "now": now,
        "waiting": waiting.count(),
        "longest_wait": int((now - oldest).total_seconds()) if oldest else 0,
        "today": today_total,
        "interval": interval,
        "interval_label": interval_label(current // 2, 30),
        "agents": agents,
        "sl_today": pct(today_total.service_level),
        "sl_interval": pct(interval.service_level),
        "abandon_today": pct(today_total.abandon_rate),
        "abandon_interval": pct(interval.abandon_rate),
        "waiting_url": f"{reverse('callcenter:call_list')}?{urlencode({**params, 'outcome': 'waiting'})}",
        "today_url": f"{reverse('callcenter:call_list')}?{urlencode({**params, 'first': 1})}",
        "interval_url": f"{reverse('callcenter:call_list')}?{urlencode({**params, 'first': 1, 'minutes': 30, 'interval': current // 2})}",
    }
