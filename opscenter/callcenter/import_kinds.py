"""The `calls` import kind (来电记录): CSV/XLSX call-detail exports of common telephony systems.

Headers are matched against the usual Chinese and English names (话单编号 / CallID, 进线时间 /
Start Time, 坐席工号 / Agent ID …). Durations may be seconds or h:mm:ss. Each row goes through the
same rules as the API (`calls_input.build_call`): answered before arrived, negative durations,
unknown agents or queues, and a telephony id already stored with different content are rejected
naming the column; with "stop on error" nothing is written. Undo removes the job's calls.
"""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from opscenter.callcenter.calls_input import STORED, build_call, same_content
from opscenter.callcenter.choices import Outcome
from opscenter.callcenter.models import Call
from opscenter.imports.engine import CREATE, UNCHANGED, UPDATE, Field, ImportContext, ImportKind, ParsedRow
from opscenter.imports.kinds import register

DIRECTIONS = {
    "呼入": "in",
    "来电": "in",
    "inbound": "in",
    "in": "in",
    "呼出": "out",
    "外呼": "out",
    "outbound": "out",
    "out": "out",
}  # i18n: data
FOLLOWUP_OUTCOMES = {
    "已回访": "reached",
    "reached": "reached",
    "未接通": "unreachable",
    "unreachable": "unreachable",
    "投诉": "complaint",
    "complaint": "complaint",
    "再次预约": "rebooked",
    "rebooked": "rebooked",
}  # i18n: data (the pipeline's FollowUpOutcome, as people write it)
_HMS = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{1,2})$")
DURATIONS = ("talk_seconds", "hold_seconds", "wrap_seconds")


def parse_duration(raw: Any) -> tuple[int | None, str | None]:
    """Seconds from 325, '325', '05:25' or '0:05:25' (a negative number stays negative so the row
    rule can name it)."""
    if raw is None or str(raw).strip() == "":
        return None, None
    if isinstance(raw, int | float):
        return int(raw), None
    text = str(raw).strip()
    if re.fullmatch(r"-?\d+(\.0+)?", text):
        return int(float(text)), None
    match = _HMS.match(text)
    if match:
        h, m, s = (int(x) if x else 0 for x in match.groups())
        return h * 3600 + m * 60 + s, None
    return None, _("时长“%(value)s”无法识别（秒数或 时:分:秒）") % {"value": text}


@register
class CallImport(ImportKind):
    name = "calls"
    label_zh = gettext_noop("来电记录")  # stays Chinese (data); screens translate it
    permission = "callcenter.add_call"
    natural_key = ("telephony_id",)
    fields = (  # i18n: data (column headers and aliases matched against imported files)
        Field(
            "telephony_id",
            "话单编号",
            ("通话编号", "呼叫编号", "流水号", "通话ID", "CallID", "Call ID", "call_id", "UniqueID"),
            required=True,
            max_length=64,
        ),
        Field(
            "queue",
            "队列",
            ("技能组", "热线", "队列名称", "Queue", "Skill", "Hotline"),
            required=True,
            max_length=100,
        ),
        Field(
            "direction",
            "呼叫方向",
            ("方向", "呼叫类型", "Direction", "Call Type"),
            type="choice",
            choices=DIRECTIONS,
        ),
        Field(
            "caller_number",
            "主叫号码",
            ("来电号码", "客户号码", "主叫", "Caller", "ANI", "Caller ID", "From"),
            max_length=32,
        ),
        Field(
            "arrived_at",
            "进线时间",
            ("来电时间", "呼入时间", "开始时间", "排队开始时间", "Start Time", "Arrival Time", "Arrived"),
            type="datetime",
            required=True,
        ),
        Field(
            "answered_at", "接听时间", ("应答时间", "接通时间", "Answer Time", "Answered"), type="datetime"
        ),
        Field("ended_at", "结束时间", ("挂机时间", "挂断时间", "End Time", "Ended"), type="datetime"),
        Field(
            "talk_seconds",
            "通话时长",
            ("通话时长(秒)", "通话秒数", "Talk Time", "Talk Duration"),
            max_length=20,
        ),
        Field("hold_seconds", "保持时长", ("保持时长(秒)", "Hold Time"), max_length=20),
        Field(
            "wrap_seconds",
            "话后处理时长",
            ("整理时长", "话后时长", "ACW", "Wrap Time", "Wrap-up"),
            max_length=20,
        ),
        Field("agent", "坐席工号", ("坐席", "工号", "坐席姓名", "Agent", "Agent ID"), max_length=50),
        Field("disposition", "业务类型", ("来电类型", "业务分类", "Disposition", "Category"), max_length=40),
        Field(
            "recording_ref", "录音", ("录音文件", "录音地址", "Recording", "Recording URL"), max_length=300
        ),
        Field(
            "parent_telephony_id",
            "转接来源",
            ("原话单编号", "Parent Call ID", "Transferred From"),
            max_length=64,
        ),
        Field("fcr", "首次解决", ("一次解决", "FCR"), type="bool"),
        Field(
            "followup_outcome",
            "回访结果",
            ("回访状态", "Follow-up Result", "Follow-up Outcome"),
            type="choice",
            choices=FOLLOWUP_OUTCOMES,
        ),
        Field(
            "satisfaction",
            "回访满意度",
            ("客户满意度", "Satisfaction"),
            type="int",
            minimum=1,
            maximum=5,
        ),
    )

    def validate_row(self, row: ParsedRow, ctx: ImportContext) -> None:
        from opscenter.callcenter.services import lookups_for

        if "lookups" not in ctx.cache:
            ctx.cache["lookups"] = lookups_for(ctx.site_id)
            ctx.cache["tids"] = set()
        v = row.values
        for name in DURATIONS:
            seconds, error = parse_duration(v.get(name))
            if error:
                row.error(name, error)
            v[name] = seconds
        if not row.ok:
            return
        lookups = ctx.cache["lookups"]
        from opscenter.pipeline.phones import parse_phone

        canonical = parse_phone(v.get("caller_number") or "")
        if canonical and canonical not in lookups.customers:
            from opscenter.pipeline.models import Customer

            pk = (
                Customer.objects.filter(site_id=ctx.site_id, phone=canonical, is_deleted=False)
                .values_list("pk", flat=True)
                .first()
            )
            lookups.customers[canonical] = pk
        values, problems = build_call(v, lookups)
        for field, message in problems:
            row.error(field, message)
        parent = v.get("parent_telephony_id")
        if (
            parent
            and parent not in ctx.cache["tids"]
            and not Call.objects.filter(source="", telephony_id=parent).exists()
        ):
            row.error(
                "parent_telephony_id",
                _("找不到转接来源话单“%(tid)s”（须在本文件之前的行或已导入）") % {"tid": parent},
            )
        ctx.cache["tids"].add(v["telephony_id"])
        row.extra["call"] = values

    def find_existing(self, batch: list[ParsedRow], ctx: ImportContext) -> None:
        tids = [r.values["telephony_id"] for r in batch]
        existing = {
            row["telephony_id"]: row
            for row in Call.objects.filter(source="", telephony_id__in=tids).values(*STORED)
        }
        for row in batch:
            old = existing.get(row.values["telephony_id"])
            if old is None:
                row.action = CREATE
            elif same_content(row.extra["call"], old):
                row.action = UNCHANGED
            elif old["outcome"] == Outcome.WAITING:
                row.action = UPDATE
            else:
                row.error(
                    "telephony_id",
                    _("话单编号“%(tid)s”已存在且内容不同") % {"tid": row.values["telephony_id"]},
                )

    def write(self, batch: list[ParsedRow], ctx: ImportContext) -> tuple[int, int]:
        from opscenter.callcenter.services import call_record_batch

        items = [{**r.values} for r in batch if r.ok]
        result = call_record_batch(actor=None, site_id=ctx.site_id, items=items, import_job_id=ctx.job_id)
        return result["created"], result["updated"]

    def undo_blockers(self, job_id: int) -> list[str]:
        from opscenter.callcenter.models import QaScore

        if QaScore.objects.filter(call__import_job_id=job_id).exists():
            return [_("本批来电已有质检评分")]
        return []

    def undo(self, job_id: int) -> int:
        Call.objects.filter(import_job_id=job_id, parent__isnull=False).delete()
        removed, _unused = Call.objects.filter(import_job_id=job_id).delete()
        return removed


@register
class SurveyImport(ImportKind):
    """`surveys` (满意度调查): post-call satisfaction answers by telephony call id; a low score
    opens a follow-up work order (through `survey_record`)."""

    name = "surveys"
    label_zh = gettext_noop("满意度调查")  # stays Chinese (data); screens translate it
    permission = "callcenter.add_survey"
    natural_key = ("telephony_id",)
    fields = (  # i18n: data (column headers and aliases matched against imported files)
        Field(
            "telephony_id",
            "话单编号",
            ("通话编号", "通话ID", "CallID", "Call ID", "call_id"),
            required=True,
            max_length=64,
        ),
        Field(
            "score",
            "满意度",
            ("评分", "满意度评分", "Score", "CSAT"),
            type="int",
            required=True,
            minimum=1,
            maximum=5,
        ),
        Field("comment", "意见", ("客户意见", "备注", "Comment"), max_length=500),
        Field("received_at", "评价时间", ("收到时间", "Received"), type="datetime"),
    )

    def resolve_references(self, batch: list[ParsedRow], ctx: ImportContext) -> None:
        from opscenter.callcenter.models import Survey

        tids = [r.values["telephony_id"] for r in batch]
        calls = dict(
            Call.objects.filter(site_id=ctx.site_id, source="", telephony_id__in=tids).values_list(
                "telephony_id", "pk"
            )
        )
        surveyed = set(Survey.objects.filter(call_id__in=calls.values()).values_list("call_id", flat=True))
        for row in batch:
            call_id = calls.get(row.values["telephony_id"])
            if call_id is None:
                row.error("telephony_id", _("找不到话单“%(tid)s”") % {"tid": row.values["telephony_id"]})
            elif call_id in surveyed:
                row.error("telephony_id", _("该来电已有满意度调查结果"))
            row.values["call_id"] = call_id

    def write(self, batch: list[ParsedRow], ctx: ImportContext) -> tuple[int, int]:
        from opscenter.callcenter.services import survey_record

        for row in batch:
            survey_record(
                actor=None,
                site_id=ctx.site_id,
                call_id=row.values["call_id"],
                score=row.values["score"],
                comment=row.values.get("comment") or "",
                received_at=row.values.get("received_at") or ctx.now,
                import_job_id=ctx.job_id,
            )
        return len(batch), 0

    def undo(self, job_id: int) -> int:
        from opscenter.callcenter.models import Survey

        removed, _unused = Survey.objects.filter(import_job_id=job_id).delete()
        return removed


STATES = {
    "就绪": "ready",
    "空闲": "ready",
    "示闲": "ready",
    "可用": "ready",
    "ready": "ready",
    "available": "ready",
    "idle": "ready",
    "通话": "talk",
    "通话中": "talk",
    "talking": "talk",
    "talk": "talk",
    "on call": "talk",
    "保持": "hold",
    "hold": "hold",
    "话后处理": "acw",
    "话后整理": "acw",
    "整理": "acw",
    "acw": "acw",
    "after call work": "acw",
    "wrap": "acw",
    "wrap-up": "acw",
    "小休": "break",
    "示忙": "break",
    "休息": "break",
    "break": "break",
    "not ready": "break",
    "aux": "break",
    "会议": "other",
    "培训": "other",
    "登录": "other",
    "其他": "other",
    "meeting": "other",
    "training": "other",
    "logged in": "other",
    "other": "other",
}  # i18n: data (state names as ACD exports write them)


@register
class AgentStateImport(ImportKind):
    """`agent_states` (坐席状态): an ACD's agent-state log, one state per row (agent, state, start,
    end or duration). Feeds occupancy (占用率) per agent and interval; see `callcenter.agents`."""

    name = "agent_states"
    label_zh = gettext_noop("坐席状态")  # stays Chinese (data); screens translate it
    permission = "callcenter.add_agentstate"
    natural_key = ("agent", "started_at")
    fields = (  # i18n: data (column headers and aliases matched against imported files)
        Field(
            "agent",
            "坐席工号",
            ("坐席", "工号", "坐席姓名", "Agent", "Agent ID"),
            required=True,
            max_length=50,
        ),
        Field(
            "state",
            "状态",
            ("坐席状态", "状态名称", "State", "Agent State", "Status"),
            type="choice",
            choices=STATES,
            required=True,
        ),
        Field("reason", "原因码", ("示忙原因", "Reason", "Reason Code", "Aux Code"), max_length=40),
        Field(
            "started_at",
            "开始时间",
            ("状态开始时间", "Start Time", "State Start", "Start"),
            type="datetime",
            required=True,
        ),
        Field("ended_at", "结束时间", ("状态结束时间", "End Time", "State End", "End"), type="datetime"),
        Field("duration", "时长", ("持续时长", "时长(秒)", "Duration"), max_length=20),
    )

    def validate_row(self, row: ParsedRow, ctx: ImportContext) -> None:
        import datetime as dt

        v = row.values
        seconds, error = parse_duration(v.get("duration"))
        if error:
            row.error("duration", error)
            return
        if v.get("ended_at") is None:
            if seconds is None:
                row.error("ended_at", _("请填写结束时间或时长"))
                return
            if seconds <= 0:
                row.error("duration", _("时长须大于 0 秒"))
                return
            v["ended_at"] = v["started_at"] + dt.timedelta(seconds=seconds)
        if "agents" not in ctx.cache:
            from opscenter.callcenter.services import lookups_for

            ctx.cache["agents"] = lookups_for(ctx.site_id).agents
        if v["agent"] not in ctx.cache["agents"]:
            row.error("agent", _("未知的坐席“%(value)s”（工号或姓名）") % {"value": v["agent"]})
        elif v["ended_at"] <= v["started_at"]:
            row.error("ended_at", _("结束时间须晚于开始时间"))
        else:
            self._check_overlap(row, ctx)

    @staticmethod
    def _check_overlap(row: ParsedRow, ctx: ImportContext) -> None:
        """An agent is in one state at a time: a row overlapping an earlier row of the file is refused."""
        import bisect

        spans = ctx.cache.setdefault("spans", {}).setdefault(row.values["agent"], [])
        start, end = row.values["started_at"], row.values["ended_at"]
        at = bisect.bisect_left(spans, (start,))
        before = spans[at - 1] if at > 0 else None
        after = spans[at] if at < len(spans) else None
        clash = (before if before and before[1] > start else None) or (
            after if after and after[0] < end else None
        )
        if clash is not None:
            row.error("started_at", _("与第 %(n)s 行的状态时间重叠") % {"n": clash[2]})
            return
        spans.insert(at, (start, end, row.row_no))

    def find_existing(self, batch: list[ParsedRow], ctx: ImportContext) -> None:
        from opscenter.callcenter.models import AgentState

        agents = ctx.cache["agents"]
        starts = [r.values["started_at"] for r in batch]
        stored = {
            (row["agent_id"], row["started_at"]): row
            for row in AgentState.objects.filter(
                site_id=ctx.site_id,
                source="",
                agent_id__in={agents[r.values["agent"]] for r in batch},
                started_at__gte=min(starts),
                started_at__lte=max(starts),
            ).values("agent_id", "started_at", "state", "ended_at")
        }
        for row in batch:
            old = stored.get((agents[row.values["agent"]], row.values["started_at"]))
            if old is None:
                row.action = CREATE
            elif old["state"] == row.values["state"] and old["ended_at"] == row.values["ended_at"]:
                row.action = UNCHANGED
            else:
                row.error("started_at", _("该坐席在此开始时间已有不同的状态记录"))

    def write(self, batch: list[ParsedRow], ctx: ImportContext) -> tuple[int, int]:
        from opscenter.callcenter.agents import agent_state_record_batch

        items = [r.values for r in batch if r.ok and r.action == CREATE]
        result = agent_state_record_batch(
            actor=None, site_id=ctx.site_id, items=items, import_job_id=ctx.job_id
        )
        return result["created"], 0

    def undo(self, job_id: int) -> int:
        from opscenter.callcenter.models import AgentState

        _total, removed = AgentState.objects.filter(import_job_id=job_id).delete()
        return removed.get(AgentState._meta.label, 0)
