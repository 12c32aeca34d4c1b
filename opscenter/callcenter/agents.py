"""Agent states (坐席状态) and occupancy (占用率).

An ACD system logs each agent's states: 就绪 (ready, available), 通话 / 保持 / 话后处理 (handling a
call), 小休 / 示忙 and other aux codes (not ready). From them, per agent and interval:

    occupancy = handle seconds ÷ (available seconds + handle seconds)

where handle = talk + hold + after-call work states and available = ready. Not-ready time is
outside both (breaks do not lower occupancy); logged-in time is every state. A state counts in
each 15-minute slot it spans with the seconds inside that slot (`AgentStateSlot`), so an interval's
figure is exact however the states fall; 30- and 60-minute intervals fold 2 or 4 slots.

Writes: `agent_state_record_batch` (the import kind and tests), all or nothing, idempotent on
(source, agent, started_at). Reads: `occupancy_rows` — one grouped query over the covering index.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from opscenter.callcenter.choices import AVAILABLE_STATES, HANDLE_STATES, AgentStateKind
from opscenter.callcenter.models import AgentState, AgentStateSlot
from opscenter.callcenter.models.calls import SLOT_MINUTES
from opscenter.core.audit import as_actor
from opscenter.core.exceptions import ValidationError

SLOT_SECONDS = SLOT_MINUTES * 60
MAX_STATE_HOURS = 24  # a longer state is a logging error (an agent never logged out)
STORED = ("pk", "agent_id", "started_at", "state", "ended_at", "reason")


def split_slots(started_at: dt.datetime, ended_at: dt.datetime) -> list[tuple[dt.date, int, int]]:
    """(local date, slot 0–95, seconds) of each 15-minute slot [started_at, ended_at) touches,
    in Asia/Shanghai; the seconds add up to the state's whole seconds."""
    tz = timezone.get_default_timezone()
    at = timezone.localtime(started_at, tz)
    end = timezone.localtime(ended_at, tz)
    out: list[tuple[dt.date, int, int]] = []
    while at < end:
        minute = at.hour * 60 + at.minute
        slot = minute // SLOT_MINUTES
        boundary = dt.datetime.combine(at.date(), dt.time(0), tzinfo=tz) + dt.timedelta(
            minutes=(slot + 1) * SLOT_MINUTES
        )
        stop = min(boundary, end)
        seconds = round((stop - at).total_seconds())
        if seconds > 0:
            out.append((at.date(), slot, seconds))
        at = stop
    return out


@dataclass
class Occupancy:
    """Summable state seconds of a group; rates derived (None when undefined)."""

    ready: int = 0
    handle: int = 0
    not_ready: int = 0

    def add(self, other: Occupancy) -> None:
        self.ready += other.ready
        self.handle += other.handle
        self.not_ready += other.not_ready

    @property
    def logged_in(self) -> int:
        return self.ready + self.handle + self.not_ready

    @property
    def occupancy(self) -> Decimal | None:
        den = self.ready + self.handle
        return (Decimal(self.handle) / Decimal(den)).quantize(Decimal("0.0001")) if den else None


AGGREGATES = {
    "ready": Sum("seconds", filter=Q(kind__in=AVAILABLE_STATES), default=0),
    "handle": Sum("seconds", filter=Q(kind__in=HANDLE_STATES), default=0),
    "not_ready": Sum("seconds", filter=~Q(kind__in=(*AVAILABLE_STATES, *HANDLE_STATES)), default=0),
}


def slot_queryset(
    *, site_ids: Iterable[int] | None, start: dt.date, end: dt.date, agent_ids: Iterable[int] | None = None
) -> QuerySet[AgentStateSlot]:
    qs = AgentStateSlot.objects.filter(local_date__gte=start, local_date__lte=end)
    if site_ids is not None:
        qs = qs.filter(site_id__in=list(site_ids))
    if agent_ids is not None:
        qs = qs.filter(agent_id__in=list(agent_ids))
    return qs


def occupancy_rows(qs: QuerySet[AgentStateSlot], *group: str) -> dict[tuple, Occupancy]:
    """Occupancy figures per `group` columns (e.g. "agent_id", "local_date", "slot"): one query."""
    rows = qs.values(*group).annotate(**AGGREGATES).order_by() if group else [qs.aggregate(**AGGREGATES)]
    return {
        tuple(r[g] for g in group): Occupancy(r["ready"] or 0, r["handle"] or 0, r["not_ready"] or 0)
        for r in rows
    }


def by_interval(
    qs: QuerySet[AgentStateSlot], *, minutes: int = 30, by_date: bool = False
) -> dict[tuple, Occupancy]:
    """Figures per interval of the day (key (i,)) or per (date, i), folding 15-minute slots."""
    per = minutes // SLOT_MINUTES
    out: dict[tuple, Occupancy] = {}
    for (day, slot), figures in occupancy_rows(qs, "local_date", "slot").items():
        key = (day, slot // per) if by_date else (slot // per,)
        out.setdefault(key, Occupancy()).add(figures)
    return out


# ---------------------------------------------------------------------------------------------
# Writes


def _agent_lookup(site_id: int) -> dict[str, int]:
    from opscenter.callcenter.services import lookups_for

    return lookups_for(site_id).agents


@transaction.atomic
@as_actor
def agent_state_record_batch(
    *, actor, site_id: int, items: list[dict[str, Any]], source: str = "", import_job_id: int | None = None
) -> dict[str, int]:
    """Record agent states, all or nothing. Each item: agent (employee number or unique name),
    state (an `AgentStateKind` value), started_at, ended_at (aware), reason (optional aux code).

    Refused with row messages: unknown agent or state, end not after start, longer than
    `MAX_STATE_HOURS`, two states of one agent overlapping in the batch, and a state already stored
    for the agent at that start with different content. The same state sent again is left alone.
    Returns {"created": n, "unchanged": n}.
    """
    from opscenter.callcenter.services import _require

    _require(actor, "callcenter.add_agentstate", site_id)
    agents = _agent_lookup(site_id)
    errors: list[tuple[int, str, str]] = []
    built: list[dict[str, Any]] = []
    for index, item in enumerate(items):
        name = str(item.get("agent") or "").strip()
        agent_id = agents.get(name)
        if agent_id is None:
            errors.append((index, "agent", _("未知的坐席“%(value)s”（工号或姓名）") % {"value": name}))
        state = item.get("state")
        if state not in AgentStateKind.values:
            errors.append((index, "state", _("未知的坐席状态“%(value)s”") % {"value": state or ""}))
        started, ended = item.get("started_at"), item.get("ended_at")
        if started is None:
            errors.append((index, "started_at", _("缺少开始时间")))
        if ended is None:
            errors.append((index, "ended_at", _("缺少结束时间")))
        elif started is not None and ended <= started:
            errors.append((index, "ended_at", _("结束时间须晚于开始时间")))
        elif started is not None and ended - started > dt.timedelta(hours=MAX_STATE_HOURS):
            errors.append(
                (index, "ended_at", _("状态持续超过 %(h)s 小时，请检查登出记录") % {"h": MAX_STATE_HOURS})
            )
        built.append(
            {
                "agent_id": agent_id,
                "state": state,
                "started_at": started,
                "ended_at": ended,
                "reason": str(item.get("reason") or "").strip()[:40],
            }
        )
    by_agent: dict[int, list[int]] = {}
    for index, values in enumerate(built):
        if not any(e[0] == index for e in errors):
            by_agent.setdefault(values["agent_id"], []).append(index)
    for indexes in by_agent.values():
        indexes.sort(key=lambda i: built[i]["started_at"])
        for before, after in itertools.pairwise(indexes):
            if built[after]["started_at"] < built[before]["ended_at"]:
                if built[after]["started_at"] == built[before]["started_at"]:
                    message = _("与第 %(n)s 条开始时间相同") % {"n": before + 1}
                else:
                    message = _("与第 %(n)s 条时间重叠") % {"n": before + 1}
                errors.append((after, "started_at", message))
    existing: dict[tuple, dict] = {}
    valid = [v for i, v in enumerate(built) if not any(e[0] == i for e in errors)]
    if valid:
        first = min(v["started_at"] for v in valid)
        last = max(v["started_at"] for v in valid)
        for row in AgentState.objects.filter(
            source=source,
            agent_id__in={v["agent_id"] for v in valid},
            started_at__gte=first,
            started_at__lte=last,
        ).values(*STORED):
            existing[(row["agent_id"], row["started_at"])] = row
    for index, values in enumerate(built):
        old = existing.get((values["agent_id"], values["started_at"]))
        if old is not None and any(old[k] != values[k] for k in ("state", "ended_at", "reason")):
            errors.append((index, "started_at", _("该坐席在此开始时间已有不同的状态记录")))
    if errors:
        errors.sort()
        lines = [
            _("第 %(n)s 条 %(field)s：%(message)s") % {"n": i + 1, "field": f, "message": m}
            for i, f, m in errors[:50]
        ]
        exc = ValidationError(
            _("；").join(lines), field="items", log_message=f"{len(errors)} bad agent states"
        )
        exc.errors = errors
        raise exc
    fresh = [v for v in built if (v["agent_id"], v["started_at"]) not in existing]
    states = AgentState.objects.bulk_create(
        [
            AgentState(
                site_id=site_id,
                source=source,
                import_job_id=import_job_id,
                seconds=round((v["ended_at"] - v["started_at"]).total_seconds()),
                local_date=timezone.localtime(v["started_at"]).date(),
                **v,
            )
            for v in fresh
        ],
        batch_size=2000,
    )
    AgentStateSlot.objects.bulk_create(
        [
            AgentStateSlot(
                state=s,
                site_id=site_id,
                agent_id=s.agent_id,
                kind=s.state,
                local_date=day,
                slot=slot,
                seconds=seconds,
            )
            for s in states
            for day, slot, seconds in split_slots(s.started_at, s.ended_at)
        ],
        batch_size=5000,
    )
    return {"created": len(states), "unchanged": len(built) - len(states)}
