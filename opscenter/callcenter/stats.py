"""Call-center figures with their exact definitions (shown on the dashboard, `DEFINITIONS`).

Counting rules:
- A call counts in the 15-minute slot it **arrived** in (`Call.local_date`, `Call.slot`), however
  long it lasts; 30- and 60-minute intervals fold 2 or 4 slots.
- Volume, service level, speed of answer and abandonment count **first legs only**
  (`parent IS NULL`): a transferred call is offered once. Handle time counts every answered leg
  toward the agent who handled it.
- offered = first legs arrived; answered / abandoned likewise; a **short abandon** is an abandon
  with wait < the queue's `short_abandon_seconds` (at the threshold it is a real abandon).
- SL = answered with wait ≤ T ÷ (offered − short abandons − still waiting) (answered exactly at T
  is within T; a caller still in queue counts once answered or gone).
- abandonment rate = (abandoned − short abandons) ÷ the same denominator.
- ASA = Σ wait of answered ÷ answered. AHT = Σ (talk + hold + wrap) ÷ answered legs.
- occupancy (the dashboard's, the metric's) comes from the agents' state log: see `agents`.
  `Figures.occupancy` is the calls-only estimate (handle ÷ agents active in a slot × 900 s), kept
  for centres that export no agent states.
- queue rate (等待队列放置率) = first legs that waited (wait > 0) ÷ offered, shown for the peak
  interval (most offered) of the period.
- FCR = answered first legs marked resolved at first contact ÷ answered first legs with a mark.

Every figure is one grouped query over the covering indexes (queue × day × slot, agent × day);
thresholds are per queue and enter the SQL as literals per queue, so no join is needed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, fields
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from opscenter.callcenter.choices import Outcome
from opscenter.callcenter.models import Call, Queue
from opscenter.callcenter.models.calls import SLOT_MINUTES

ROOT = Q(parent__isnull=True)
ANSWERED = Q(outcome=Outcome.ANSWERED)
ABANDONED = Q(outcome=Outcome.ABANDONED)
INTERVALS = (15, 30, 60)

DEFINITIONS = (
    (_("呼入量"), _("到达的来电（转接只计首段），按进线时段计")),
    (_("接通量"), _("由坐席接听的首段来电")),
    (_("放弃量"), _("排队中挂断的来电；等待少于短放弃阈值的为短放弃，另列且不计入服务水平与放弃率")),
    (_("服务水平"), _("等待 ≤ T 秒接通的来电 ÷（呼入量 − 短放弃 − 仍在排队）；恰好 T 秒接通计为达标")),
    (_("放弃率"), _("（放弃量 − 短放弃）÷（呼入量 − 短放弃 − 仍在排队）")),
    (_("平均接起时间"), _("接通来电的等待秒数之和 ÷ 接通量")),
    (_("平均处理时长"), _("（通话 + 保持 + 话后处理）秒数之和 ÷ 接听段数（转接各段计入各自坐席）")),
    (
        _("坐席占用率"),
        _(
            "坐席状态中（通话 + 保持 + 话后处理）秒数 ÷（就绪 + 通话 + 保持 + 话后处理）秒数；"
            "小休、示忙等未就绪时间不计入；状态跨时段时按各时段内的秒数计"
        ),
    ),
    (_("等待队列放置率"), _("进入排队等待（等待 > 0 秒）的来电 ÷ 呼入量，取呼入量最高的时段")),
    (_("首次解决率"), _("标记为首次解决的接通来电 ÷ 有标记的接通来电")),
)


@dataclass
class Figures:
    """Summable counts of a group of calls; rates are derived (None when undefined)."""

    offered: int = 0
    answered: int = 0
    abandoned: int = 0
    short_abandoned: int = 0
    within_t: int = 0
    wait_answered: int = 0
    queued: int = 0
    legs_answered: int = 0
    handle: int = 0
    fcr_yes: int = 0
    fcr_known: int = 0
    agent_slots: int = 0
    waiting: int = 0

    def add(self, other: Figures) -> None:
        for name in FIELDS:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @staticmethod
    def _ratio(num: int, den: int) -> Decimal | None:
        return (Decimal(num) / Decimal(den)).quantize(Decimal("0.0001")) if den else None

    @property
    def counted(self) -> int:
        """Offered calls that count toward SL and abandonment: not short abandons, not still waiting."""
        return self.offered - self.short_abandoned - self.waiting

    @property
    def service_level(self) -> Decimal | None:
        return self._ratio(self.within_t, self.counted)

    @property
    def abandon_rate(self) -> Decimal | None:
        return self._ratio(self.abandoned - self.short_abandoned, self.counted)

    @property
    def asa(self) -> Decimal | None:
        return self._ratio(self.wait_answered, self.answered)

    @property
    def aht(self) -> Decimal | None:
        return self._ratio(self.handle, self.legs_answered)

    @property
    def occupancy(self) -> Decimal | None:
        return self._ratio(self.handle, self.agent_slots * SLOT_MINUTES * 60)

    @property
    def queue_rate(self) -> Decimal | None:
        return self._ratio(self.queued, self.offered)

    @property
    def fcr(self) -> Decimal | None:
        return self._ratio(self.fcr_yes, self.fcr_known)


FIELDS = tuple(f.name for f in fields(Figures))


def threshold_q(queues: Iterable[Queue], attr: str, lookup: str) -> Q:
    """`wait_seconds <lookup> queue.<attr>` as literals per queue (no join to the queue table)."""
    out = Q(pk__in=[])
    for queue in queues:
        out |= Q(queue_id=queue.pk, **{f"wait_seconds__{lookup}": getattr(queue, attr)})
    return out


def aggregates(queues: Iterable[Queue]) -> dict:
    queues = list(queues)
    return {
        "offered": Count("pk", filter=ROOT),
        "answered": Count("pk", filter=ROOT & ANSWERED),
        "abandoned": Count("pk", filter=ROOT & ABANDONED),
        "short_abandoned": Count(
            "pk", filter=ROOT & ABANDONED & threshold_q(queues, "short_abandon_seconds", "lt")
        ),
        "within_t": Count("pk", filter=ROOT & ANSWERED & threshold_q(queues, "sl_seconds", "lte")),
        "wait_answered": Sum("wait_seconds", filter=ROOT & ANSWERED, default=0),
        "queued": Count("pk", filter=ROOT & Q(wait_seconds__gt=0)),
        "legs_answered": Count("pk", filter=ANSWERED),
        "handle": Sum("handle_seconds", filter=ANSWERED, default=0),
        "fcr_yes": Count("pk", filter=ROOT & ANSWERED & Q(fcr=True)),
        "fcr_known": Count("pk", filter=ROOT & ANSWERED & Q(fcr__isnull=False)),
        "agent_slots": Count("agent", distinct=True, filter=ANSWERED),
        "waiting": Count("pk", filter=ROOT & Q(outcome=Outcome.WAITING)),
    }


def _figures(row: dict) -> Figures:
    return Figures(*(row.get(name) or 0 for name in FIELDS))


def _calls(queues: list[Queue], start: dt.date, end: dt.date, agent_ids=None) -> QuerySet:
    qs = Call.objects.filter(queue__in=[q.pk for q in queues], local_date__gte=start, local_date__lte=end)
    if agent_ids is not None:
        qs = qs.filter(agent_id__in=agent_ids)
    return qs


def slot_rows(queues: list[Queue], start: dt.date, end: dt.date, *, agent_ids=None) -> list[tuple]:
    """(local_date, slot, Figures) for every 15-minute slot with calls: one grouped query.
    `agent_slots` is distinct agents in the slot, so occupancy folds exactly."""
    if not queues:
        return []
    rows = (
        _calls(queues, start, end, agent_ids)
        .values("local_date", "slot")
        .annotate(**aggregates(queues))
        .order_by()
    )
    return [(r["local_date"], r["slot"], _figures(r)) for r in rows]


def interval_profile(
    queues: list[Queue], start: dt.date, end: dt.date, *, minutes: int = 30, by_date: bool = False
) -> dict[tuple, Figures]:
    """Figures per interval of the day (key: interval index), or per (date, interval) with
    `by_date`. A call counts in the interval it arrived in."""
    if minutes not in INTERVALS:
        raise ValueError(f"interval must be one of {INTERVALS}")
    per = minutes // SLOT_MINUTES
    out: dict[tuple, Figures] = {}
    for day, slot, figures in slot_rows(queues, start, end):
        key = (day, slot // per) if by_date else (slot // per,)
        out.setdefault(key, Figures()).add(figures)
    return out


def totals(queues: list[Queue], start: dt.date, end: dt.date) -> Figures:
    total = Figures()
    for _day, _slot, figures in slot_rows(queues, start, end):
        total.add(figures)
    return total


def peak_interval(profile: dict[tuple, Figures]) -> tuple | None:
    """The interval with the most offered calls (earliest on a tie)."""
    if not profile:
        return None
    return max(sorted(profile), key=lambda k: profile[k].offered)


def agent_table(queues: list[Queue], start: dt.date, end: dt.date) -> dict[int, Figures]:
    """Figures per agent over [start, end]: one grouped query (agent × day covering index)."""
    if not queues:
        return {}
    rows = (
        Call.objects.filter(
            queue__in=[q.pk for q in queues],
            local_date__gte=start,
            local_date__lte=end,
            agent__isnull=False,
        )
        .values("agent_id")
        .annotate(**{k: v for k, v in aggregates(queues).items() if k != "agent_slots"})
        .order_by()
    )
    return {r["agent_id"]: _figures(r) for r in rows}
