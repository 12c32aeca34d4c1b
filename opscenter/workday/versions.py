"""What changed between two versions of a submission template, in people's words.

Pure: works on any objects with the version's attributes (model rows or unsaved drafts), so the
history page, the publish audit message and the draft preview say the same thing.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opscenter.workday.choices import FieldKind, HolidayShift, ScheduleKind

WEEKDAY_NAMES = dict(
    enumerate(
        [
            gettext_lazy("周一"),
            gettext_lazy("周二"),
            gettext_lazy("周三"),
            gettext_lazy("周四"),
            gettext_lazy("周五"),
            gettext_lazy("周六"),
            gettext_lazy("周日"),
        ],
        1,
    )
)


def weekday_label(n: int | None) -> str:
    return str(WEEKDAY_NAMES[n]) if n in WEEKDAY_NAMES else "—"


def schedule_label(version: Any) -> str:
    """ "每周 周四 12:00，遇节假日提前到前一个工作日" — the rule in one line."""
    kind = version.schedule_kind
    at = version.due_time.strftime("%H:%M")
    if kind == ScheduleKind.WEEKLY:
        when = _("每周%(day)s %(at)s") % {"day": weekday_label(version.weekday), "at": at}
    elif kind == ScheduleKind.MONTHLY:
        when = _("每月第 %(n)s 个工作日 %(at)s") % {"n": version.business_day, "at": at}
    else:
        when = _("每个工作日 %(at)s") % {"at": at}
    if kind == ScheduleKind.WEEKLY:
        when += _("，遇节假日%(shift)s") % {"shift": HolidayShift(version.holiday_shift).label}
    return when


def _yes_no(value: bool) -> str:
    return _("是") if value else _("否")


def _field_changes(old: list[dict], new: list[dict]) -> list[str]:
    before = {f["key"]: f for f in old}
    after = {f["key"]: f for f in new}
    out = []
    for key, spec in after.items():
        if key not in before:
            required = _("必填") if spec.get("required") else _("选填")
            out.append(_("新增填报项「%(label)s」（%(req)s）") % {"label": spec["label"], "req": required})
            continue
        prev = before[key]
        if prev["label"] != spec["label"]:
            out.append(_("填报项「%(old)s」改名为「%(new)s」") % {"old": prev["label"], "new": spec["label"]})
        if prev.get("kind") != spec.get("kind"):
            out.append(
                _("填报项「%(label)s」类型：%(old)s → %(new)s")
                % {
                    "label": spec["label"],
                    "old": FieldKind(prev.get("kind") or FieldKind.NUMBER).label,
                    "new": FieldKind(spec.get("kind") or FieldKind.NUMBER).label,
                }
            )
        if bool(prev.get("required")) != bool(spec.get("required")):
            text = (
                _("填报项「%(label)s」改为必填") if spec.get("required") else _("填报项「%(label)s」改为选填")
            )
            out.append(text % {"label": spec["label"]})
    out += [
        _("删除填报项「%(label)s」") % {"label": spec["label"]}
        for key, spec in before.items()
        if key not in after
    ]
    if not out and [f["key"] for f in old] != [f["key"] for f in new]:
        out.append(_("填报项顺序调整"))
    return out


def describe_changes(old: Any | None, new: Any) -> list[str]:
    """Sentences naming each change from `old` to `new` (the first version: what it sets up)."""
    if old is None:
        return [_("首个版本：%(rule)s") % {"rule": schedule_label(new)}]
    out = []
    if schedule_label(old) != schedule_label(new):
        out.append(
            _("截止规则：%(old)s → %(new)s") % {"old": schedule_label(old), "new": schedule_label(new)}
        )
    out += _field_changes(list(old.fields or []), list(new.fields or []))
    if bool(old.text_required) != bool(new.text_required):
        out.append(
            _("须填写文字说明：%(old)s → %(new)s")
            % {"old": _yes_no(old.text_required), "new": _yes_no(new.text_required)}
        )
    if bool(old.prefill_pipeline) != bool(new.prefill_pipeline):
        out.append(
            _("从客户管理预填当日工作量：%(old)s → %(new)s")
            % {"old": _yes_no(old.prefill_pipeline), "new": _yes_no(new.prefill_pipeline)}
        )
    return out
