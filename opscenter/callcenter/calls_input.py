"""Turning one reported call (import row or API item) into `Call` column values, with row-level
messages for what cannot be accepted. Shared by the `calls` import kind and the API so both
apply the same rules."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from opscenter.callcenter.choices import Direction, Outcome
from opscenter.callcenter.models.calls import SLOT_MINUTES
from opscenter.pipeline.phones import parse_phone

# The columns that make up a call's content: a re-sent call with the same telephony id must
# carry the same values here, or it is a conflicting duplicate.
CONTENT = (
    "queue_id",
    "direction",
    "caller_number",
    "arrived_at",
    "answered_at",
    "ended_at",
    "talk_seconds",
    "hold_seconds",
    "wrap_seconds",
    "agent_id",
    "disposition_id",
    "recording_ref",
    "fcr",
    "followup_outcome",
    "satisfaction",
)
STORED = ("pk", "telephony_id", "outcome", *CONTENT)  # what duplicate checks read of stored calls


@dataclass
class Lookups:
    """Reference data of one site, loaded once per batch: queues by code and name, agents by
    employee number and name, dispositions by name, customers by canonical phone."""

    queues: dict[str, Any]
    agents: dict[str, int]
    dispositions: dict[str, int]
    customers: dict[str, int] = field(default_factory=dict)
    followup_dispositions: set[int] = field(default_factory=set)  # types that complete 回访


def _seconds(delta: dt.timedelta) -> int:
    return math.ceil(delta.total_seconds() - 1e-9)


def local_keys(arrived_at: dt.datetime) -> tuple[dt.date, int]:
    local = timezone.localtime(arrived_at)
    return local.date(), (local.hour * 60 + local.minute) // SLOT_MINUTES


def build_call(raw: dict[str, Any], lookups: Lookups) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """Column values for a Call from parsed values (datetimes aware, seconds ints or None, names
    as text), or errors as (field, message)."""
    errors: list[tuple[str, str]] = []
    out: dict[str, Any] = {}
    queue = lookups.queues.get(str(raw.get("queue") or "").strip())
    if queue is None:
        errors.append(("queue", _("未知的队列“%(value)s”") % {"value": raw.get("queue") or ""}))
    else:
        out["queue_id"] = queue.pk
    agent_name = str(raw.get("agent") or "").strip()
    out["agent_id"] = None
    if agent_name:
        out["agent_id"] = lookups.agents.get(agent_name)
        if out["agent_id"] is None:
            errors.append(("agent", _("未知的坐席“%(value)s”（工号或姓名）") % {"value": agent_name}))
    disposition = str(raw.get("disposition") or "").strip()
    out["disposition_id"] = None
    if disposition:
        out["disposition_id"] = lookups.dispositions.get(disposition)
        if out["disposition_id"] is None:
            errors.append(("disposition", _("未知的业务类型“%(value)s”") % {"value": disposition}))
    direction = raw.get("direction") or Direction.INBOUND
    out["direction"] = direction
    arrived, answered, ended = raw.get("arrived_at"), raw.get("answered_at"), raw.get("ended_at")
    if arrived is None:
        errors.append(("arrived_at", _("缺少进线时间")))
        return out, errors
    if answered is not None and answered < arrived:
        errors.append(("answered_at", _("接听时间早于进线时间")))
    if ended is not None and ended < (answered or arrived):
        errors.append(("ended_at", _("结束时间早于接听或进线时间")))
    for name, label in (
        ("talk_seconds", _("通话")),
        ("hold_seconds", _("保持")),
        ("wrap_seconds", _("话后处理")),
    ):
        value = raw.get(name)
        if value is not None and value < 0:
            errors.append((name, _("%(label)s时长不能为负数") % {"label": label}))
    if errors:
        return out, errors
    hold = raw.get("hold_seconds") or 0
    wrap = raw.get("wrap_seconds") or 0
    talk = raw.get("talk_seconds")
    if answered is not None:
        outcome = Outcome.ANSWERED
        wait = _seconds(answered - arrived)
        if talk is None:
            talk = max(_seconds(ended - answered) - hold, 0) if ended is not None else 0
    elif ended is not None:
        outcome = Outcome.ABANDONED
        wait = _seconds(ended - arrived)
        talk = talk or 0
    else:
        outcome, wait, talk = Outcome.WAITING, 0, talk or 0
    if outcome != Outcome.ANSWERED and (talk or hold or wrap):
        errors.append(("talk_seconds", _("未接听的来电不应有通话、保持或话后处理时长")))
    if outcome == Outcome.ANSWERED and out.get("agent_id") is None:
        errors.append(("agent", _("已接听的来电须填写坐席")))
    number = str(raw.get("caller_number") or "").strip()
    canonical = parse_phone(number) if number else None
    out.update(
        caller_number=canonical or number,
        customer_id=lookups.customers.get(canonical) if canonical else None,
        arrived_at=arrived,
        answered_at=answered,
        ended_at=ended,
        outcome=outcome,
        wait_seconds=wait,
        talk_seconds=talk,
        hold_seconds=hold,
        wrap_seconds=wrap,
        handle_seconds=(talk + hold + wrap) if outcome == Outcome.ANSWERED else 0,
        recording_ref=str(raw.get("recording_ref") or "").strip(),
        fcr=raw.get("fcr"),
    )
    out["local_date"], out["slot"] = local_keys(arrived)
    errors.extend(_followup_problems(raw, out, lookups))
    return out, errors


def followup_result(outcome: int, followup_outcome: str) -> str:
    """The follow-up outcome a 回访 call records: the agent's, else answered → 已回访 and not
    answered → 未接通 (the pipeline's FollowUpOutcome values)."""
    from opscenter.pipeline.choices import FollowUpOutcome

    if followup_outcome:
        return followup_outcome
    return FollowUpOutcome.REACHED if outcome == Outcome.ANSWERED else FollowUpOutcome.UNREACHABLE


def _followup_problems(raw: dict[str, Any], out: dict[str, Any], lookups: Lookups) -> list[tuple[str, str]]:
    """Satisfaction and follow-up result of a call, as the pipeline will accept them."""
    from opscenter.pipeline.choices import FollowUpOutcome

    errors: list[tuple[str, str]] = []
    satisfaction = raw.get("satisfaction")
    if satisfaction is not None and not (isinstance(satisfaction, int) and 1 <= satisfaction <= 5):
        errors.append(("satisfaction", _("回访满意度应为 1–5 分")))
    result = str(raw.get("followup_outcome") or "").strip()
    if result and (result not in FollowUpOutcome.values or result == FollowUpOutcome.PENDING):
        errors.append(("followup_outcome", _("回访结果“%(value)s”无法识别") % {"value": result}))
    is_followup = (
        out.get("direction") == "out"
        and out.get("disposition_id") in lookups.followup_dispositions
        and out.get("outcome") != Outcome.WAITING
    )
    if (
        not errors
        and is_followup
        and satisfaction is None
        and followup_result(out["outcome"], result) == FollowUpOutcome.REACHED
    ):
        errors.append(("satisfaction", _("回访来电已接通，须填写回访满意度（1–5 分）")))
    out["followup_outcome"], out["satisfaction"] = result, satisfaction
    return errors


def same_content(values: dict[str, Any], existing: dict[str, Any]) -> bool:
    return all(values.get(k) == existing.get(k) for k in CONTENT)
