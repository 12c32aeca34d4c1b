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
