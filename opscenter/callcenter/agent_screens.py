"""What the 坐席状态 (occupancy) and 规则设置 screens show and accept."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.paginator import Paginator
from django.urls import reverse
from django.utils.translation import gettext as _

from opscenter.callcenter import agents, config
from opscenter.callcenter.models import AgentState, Disposition, Queue
from opscenter.callcenter.screens import Filters, interval_label, pct
from opscenter.core.exceptions import ValidationError
from opscenter.core.history import readable
from opscenter.org.models import Staff

STATE_PAGE = 100


def _minutes(seconds: int) -> str:
    return f"{seconds / 60:.0f}"


def _row(label: str, fig: agents.Occupancy, url: str = "") -> dict[str, Any]:
    return {
        "label": label,
        "logged_in": _minutes(fig.logged_in),
        "ready": _minutes(fig.ready),
        "handle": _minutes(fig.handle),
        "not_ready": _minutes(fig.not_ready),
        "occupancy": pct(fig.occupancy),
        "url": url,
    }


def agent_states(
    f: Filters,
    *,
    user,
    agent_id: int | None,
    team_id: int | None,
    department_id: int | None,
    interval: int | None,
    page: str | None,
) -> dict[str, Any]:
    """Occupancy per interval of the day over the range for the chosen agents (the sites' queues
    the user sees), per agent, and the state rows behind the chosen interval."""
    qs = agents.slot_queryset(site_ids=f.site_ids, start=f.start, end=f.end)
    scope: dict[str, Any] = {}
    if agent_id:
        scope["agent_id"] = agent_id
    if team_id:
        scope["agent__team_id"] = team_id
    if department_id:
        scope["agent__department_id"] = department_id
    qs = qs.filter(**scope)
    extra = {"agent": agent_id, "team": team_id, "department": department_id}
    base = f"{reverse('callcenter:agent_states')}?"
    total = agents.Occupancy()
    intervals = []
    for (i,), fig in sorted(agents.by_interval(qs, minutes=f.minutes).items()):
        total.add(fig)
        row = _row(interval_label(i, f.minutes), fig, base + f.query(**extra, interval=i) + "#state-log")
        row["current"] = i == interval
        intervals.append(row)
    per_agent = agents.occupancy_rows(qs, "agent_id")
    names = dict(Staff.objects.filter(pk__in=[a for (a,) in per_agent]).values_list("pk", "name"))
    agent_rows = sorted(
        (
            _row(names.get(a, "?"), fig, base + f.query(agent=a, team=team_id, department=department_id))
            for (a,), fig in per_agent.items()
        ),
        key=lambda r: r["label"],
    )
    states = AgentState.objects.filter(
        site_id__in=f.site_ids, **{k: v for k, v in scope.items()}
    ).select_related("agent")
    if interval is not None:
        per = f.minutes // 15
        states = states.filter(
            pk__in=qs.filter(slot__gte=interval * per, slot__lt=(interval + 1) * per).values("state_id")
        )
    else:
        states = states.filter(pk__in=qs.values("state_id"))
    log = Paginator(states.order_by("started_at", "agent_id"), STATE_PAGE).get_page(page)
    return {
        "who": names.get(agent_id, "") if agent_id else "",
        "agent_id": agent_id,
        "total": _row(_("合计"), total),
        "intervals": intervals,
        "agent_rows": agent_rows,
        "interval": interval,
        "interval_label": interval_label(interval, f.minutes) if interval is not None else "",
        "log": log,
        "log_query": f.query(**extra, interval=interval),
        "all_url": base + f.query(**extra),
    }


# ---------------------------------------------------------------------------------------------
# 规则设置


def rules_context(site_id: int) -> dict[str, Any]:
    """The site's queues and business types with their versions, and the newest 50 changes to
    them from the audit trail (labelled with the fields' names)."""
    from django.contrib.contenttypes.models import ContentType

    from opscenter.core.models import AuditEntry

    queues = list(Queue.objects.filter(site_id=site_id).order_by("code"))
    dispositions = list(Disposition.objects.filter(site_id=site_id).order_by("position", "name"))
    types = ContentType.objects.get_for_models(Queue, Disposition, for_concrete_models=False)
    entries = (
        AuditEntry.objects.filter(content_type=types[Queue], object_id__in=[str(q.pk) for q in queues])
        | AuditEntry.objects.filter(
            content_type=types[Disposition], object_id__in=[str(d.pk) for d in dispositions]
        )
    ).select_related("content_type", "actor")
    history = readable(entries.order_by("-at", "-pk")[:50])
    return {"queues": queues, "dispositions": dispositions, "history": history}


def _time(value: str, field: str) -> dt.time | None:
    if not value.strip():
        return None
    try:
        return dt.time.fromisoformat(value.strip())
    except ValueError:
        raise ValidationError(
            _("时间“%(value)s”格式不正确（时:分）") % {"value": value}, field=field
        ) from None


def _number(value: str, field: str, label: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValidationError(_("%(label)s应为整数") % {"label": label}, field=field) from None


def rules_save(user, data) -> None:
    """One form of the screen: a queue, a business type, or a new business type."""
    action = data.get("action")
    if action == "queue":
        config.queue_update(
            actor=user,
            queue_id=_number(data.get("queue"), "queue", _("队列")),
            version=_number(data.get("version"), "version", _("版本")),
            name=data.get("name", ""),
            sl_seconds=_number(data.get("sl_seconds"), "sl_seconds", _("服务水平时限")),
            sl_target=data.get("sl_target", ""),
            short_abandon_seconds=_number(
                data.get("short_abandon_seconds"), "short_abandon_seconds", _("短放弃阈值")
            ),
            opens_at=_time(data.get("opens_at", ""), "opens_at"),
            closes_at=_time(data.get("closes_at", ""), "closes_at"),
            is_active=bool(data.get("is_active")),
        )
    elif action == "disposition":
        config.disposition_update(
            actor=user,
            disposition_id=_number(data.get("disposition"), "disposition", _("业务类型")),
            version=_number(data.get("version"), "version", _("版本")),
            name=data.get("name", ""),
            position=_number(data.get("position"), "position", _("排序")),
            opens_complaint=bool(data.get("opens_complaint")),
            completes_followup=bool(data.get("completes_followup")),
            is_active=bool(data.get("is_active")),
        )
    elif action == "disposition_new":
        config.disposition_create(
            actor=user,
            site_id=_number(data.get("site"), "site", _("院区")),
            name=data.get("name", ""),
            opens_complaint=bool(data.get("opens_complaint")),
            completes_followup=bool(data.get("completes_followup")),
        )
    else:
        raise ValidationError(_("未知的操作"), field="action")
