"""Seed 001 篇4 (市场运营中心日常工作管理) as the example template set for a marketing department."""
# i18n: data module

from __future__ import annotations

import datetime as dt

from opscenter.workday.choices import FieldKind, HolidayShift, ScheduleKind

T = dt.time
N, X = FieldKind.NUMBER, FieldKind.TEXT

# (name, kind, due, weekday, business day, holiday shift, fields, prefill, description); data, in Chinese.
MARKETING_TEMPLATES = [
    ("当日工作计划", ScheduleKind.DAILY, T(9, 0), None, None, HolidayShift.PREVIOUS,
     [{"key": "planned_visits", "label": "计划拜访数", "kind": N, "required": True}], False,
     "每日需在9:00前做好当天工作计划并汇报"),
    ("当日工作总结（工作日清表）", ScheduleKind.DAILY, T(16, 30), None, None, HolidayShift.PREVIOUS,
     [{"key": "consultations", "label": "咨询数", "kind": N, "required": True},
      {"key": "visits", "label": "拜访/上门数", "kind": N, "required": True},
      {"key": "followups_done", "label": "完成回访数", "kind": N, "required": True}], True,
     "每日需在16:30前做好当日工作总结并向主管汇报，交部门主管审批"),
    ("行业及竞争对手信息与宣传统计", ScheduleKind.DAILY, T(17, 30), None, None, HolidayShift.PREVIOUS,
     [{"key": "competitor_notes", "label": "竞争对手动态", "kind": X, "required": False}], False,
     "每日下班前完成行业及竞争对手信息与宣传情况的统计与汇总"),
    ("宣传文稿媒体确认（次日投放）", ScheduleKind.DAILY, T(17, 30), None, None, HolidayShift.PREVIOUS,
     [{"key": "pieces_confirmed", "label": "已确认稿件数", "kind": N, "required": True}], False,
     "提前一天完成所有宣传投放文稿的媒体确认"),
    ("下周各事业部宣传规划汇总", ScheduleKind.WEEKLY, T(12, 0), 4, None, HolidayShift.PREVIOUS, [], False,
     "每周四中午12:00前完成下周各事业部宣传规划汇总工作并提交运营中心"),
    ("宣传效果阶段统计", ScheduleKind.WEEKLY, T(13, 30), 5, None, HolidayShift.PREVIOUS,
     [{"key": "pieces", "label": "投放稿件数", "kind": N, "required": True},
      {"key": "leads", "label": "带来咨询数", "kind": N, "required": True}], False,
     "每周周五13:30前进行宣传效果的阶段统计与汇报"),
    ("竞争对手信息阶段统计", ScheduleKind.WEEKLY, T(13, 30), 6, None, HolidayShift.PREVIOUS, [], False,
     "每周六13:30前完成竞争对手信息的阶段统计与汇报（周六不上班时提前到前一个工作日）"),
    ("本周宣传工作电子存档", ScheduleKind.WEEKLY, T(13, 30), 6, None, HolidayShift.PREVIOUS,
     [{"key": "archived", "label": "存档份数", "kind": N, "required": True}], False,
     "每周六13:30前完成本周所有宣传工作的电子存档"),
    ("部门工作周检讨", ScheduleKind.WEEKLY, T(17, 0), 5, None, HolidayShift.PREVIOUS, [], False,
     "每周对部门工作进行检讨与改进"),
    ("月度部门例会纪要", ScheduleKind.MONTHLY, T(17, 0), None, 1, HolidayShift.PREVIOUS, [], False,
     "每月第一个工作日召开部门例会并提交纪要"),
]  # fmt: skip


def install_marketing_templates(
    *, actor, department, approver=None, today: dt.date | None = None, effective_from: dt.date | None = None
) -> list:
    """Create the seed-001 篇4 set for `department` (skipping names the site already has), each
    with its version 1 in force from `effective_from` (default today)."""
    from opscenter.workday.models import SubmissionTemplate
    from opscenter.workday.services import template_create

    existing = set(SubmissionTemplate.objects.filter(site=department.site).values_list("name", flat=True))
    created = []
    for name, kind, due, weekday, bday, shift, fields, prefill, description in MARKETING_TEMPLATES:
        if name in existing:
            continue
        created.append(
            template_create(
                actor=actor,
                site=department.site,
                name=name,
                schedule_kind=kind,
                due_time=due,
                weekday=weekday,
                business_day=bday,
                holiday_shift=shift,
                fields=fields,
                departments=[department],
                approver=approver,
                prefill_pipeline=prefill,
                description=description,
                today=today,
                effective_from=effective_from,
            )
        )
    return created
