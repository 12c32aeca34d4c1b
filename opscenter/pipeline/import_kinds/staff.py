"""Staff (员工): natural key the employee number (工号), unique across sites.

New rows are what the admin writes for a staff member of a department of the chosen site (team
of that department, position by name, dates, 在职 — off when the leaving date has passed). A known
employee number updates the fields the file gives; one already working at another site is an
error (moving people between sites belongs to `org.services.staff_move`). Staff rows carry no
import job id, so the rows created and the values replaced are kept as `ImportChange` entries:
undo deletes the created staff unless other records point at them, and restores the rest.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from opscenter.imports.bulk import insert_rows, update_rows
from opscenter.imports.changes import change_blockers, created_ids, record_changes, undo_changes
from opscenter.imports.engine import CREATE, UNCHANGED, UPDATE, Field, ImportContext, ImportKind, ParsedRow
from opscenter.imports.kinds import register
from opscenter.org.models import Department, Position, Staff, Team

UPDATABLE = ("name", "phone", "department_id", "team_id", "position_id", "hired_on", "left_on", "is_active")


class _Probe(Exception):
    """Rolls back the trial delete that finds what still points at the created staff."""


@register
class StaffImport(ImportKind):
    name = "staff"
    label_zh = gettext_noop("员工")  # stays Chinese (data); screens translate it
    permission = "org.add_staff"
    natural_key = ("employee_no",)
    fields = (
        Field(
            "employee_no", "工号", ("员工编号", "编号", "employee_no", "id"), required=True, max_length=30
        ),  # i18n: data
        Field("name", "姓名", ("员工姓名", "name"), required=True, max_length=50),  # i18n: data
        Field("phone", "手机", ("电话", "手机号", "联系电话", "phone", "mobile"), type="phone"),  # i18n: data
        Field(
            "department", "部门", ("所属部门", "department"), required=True, reference="department"
        ),  # i18n: data
        Field("team", "小组", ("班组", "网格", "team"), reference="team"),  # i18n: data
        Field("position", "岗位", ("职位", "职务", "position"), reference="position"),  # i18n: data
        Field("hired_on", "入职日期", ("入职时间", "hired_on"), type="date"),  # i18n: data
        Field("left_on", "离职日期", ("离职时间", "left_on"), type="date"),  # i18n: data
        Field(
            "is_active", "在职", ("是否在职", "在职状态", "is_active", "active"), type="bool"
        ),  # i18n: data
    )

    def resolve_references(self, batch: list[ParsedRow], ctx: ImportContext) -> None:
        if "departments" not in ctx.cache:
            departments = dict(Department.objects.filter(site_id=ctx.site_id).values_list("name", "id"))
            ctx.cache["departments"] = departments
            ctx.cache["teams"] = {
                (dept, name): pk
                for pk, dept, name in Team.objects.filter(department__site_id=ctx.site_id).values_list(
                    "id", "department_id", "name"
                )
            }
            ctx.cache["positions"] = dict(Position.objects.values_list("name", "id"))
        departments, teams, positions = ctx.cache["departments"], ctx.cache["teams"], ctx.cache["positions"]
        numbers = {r.values["employee_no"] for r in batch}
        existing = {
            s["employee_no"]: s
            for s in Staff.objects.filter(employee_no__in=numbers).values(
                "id", "employee_no", "department__site_id", *UPDATABLE
            )
        }
        for row in batch:
            v = row.values
            dept = departments.get(v.pop("department").strip())
            if dept is None:
                row.error(
                    "department",
                    _("部门“%(raw_value)s”不在该院区，可选：%(join)s")
                    % {"raw_value": row.raw_value("department"), "join": _("、").join(departments)},
                )
                continue
            v["department_id"] = dept
            team = v.pop("team", None)
            v["team_id"] = teams.get((dept, team.strip())) if team else None
            if team and v["team_id"] is None:
                row.error(
                    "team",
                    _("小组“%(team)s”不属于部门“%(raw_value)s”")
                    % {"team": team, "raw_value": row.raw_value("department")},
                )
            position = v.pop("position", None)
            v["position_id"] = positions.get(position.strip()) if position else None
            if position and v["position_id"] is None:
                row.error("position", _("岗位“%(position)s”不存在") % {"position": position})
            current = existing.get(v["employee_no"])
            if current is not None and current["department__site_id"] != ctx.site_id:
                row.error(
                    "employee_no",
                    _("工号“%(employee_no)s”已是其他院区的员工，调动请在组织架构中操作")
                    % {"employee_no": v["employee_no"]},
                )
            row.extra["current"] = current

    def validate_row(self, row: ParsedRow, ctx: ImportContext) -> None:
        v = row.values
        if v.get("hired_on") and v.get("left_on") and v["left_on"] < v["hired_on"]:
            row.error("left_on", _("离职日期不能早于入职日期"))
        if v.get("is_active") is None:
            v["is_active"] = not (v.get("left_on") and v["left_on"] <= ctx.today)
        v["phone"] = v["phone"].number if v.get("phone") else ""

    def find_existing(self, batch: list[ParsedRow], ctx: ImportContext) -> None:
        for row in batch:
            current = row.extra["current"]
            if current is None:
                row.action = CREATE
                continue
            row.existing_id = current["id"]
            changes = self._changes(row.values, current)
            row.extra["changes"] = changes
            row.extra["before"] = {name: current[name] for name in changes}
            row.action = UPDATE if changes else UNCHANGED

    @staticmethod
    def _changes(values: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
        """The given fields that differ (an empty cell keeps what is stored)."""
        return {
            name: values[name]
            for name in UPDATABLE
            if values.get(name) not in (None, "") and values[name] != current[name]
        }

    def write(self, batch: list[ParsedRow], ctx: ImportContext) -> tuple[int, int]:
        new = [r.values for r in batch if r.action == CREATE]
        insert_rows(
            Staff,
            ("employee_no", *UPDATABLE, "user_id"),
            [(v["employee_no"], *_with_defaults(v), None) for v in new],
        )
        if new:
            ids = Staff.objects.filter(employee_no__in=[v["employee_no"] for v in new]).values_list(
                "id", flat=True
            )
            record_changes(ctx.job_id, Staff, [(pk, {}, {}) for pk in ids], created=True)
        updates = [r for r in batch if r.action == UPDATE]
        by_columns: dict[tuple[str, ...], list[tuple]] = {}
        for row in updates:
            changes = row.extra["changes"]
            by_columns.setdefault(tuple(sorted(changes)), []).append(
                (*(changes[c] for c in sorted(changes)), row.existing_id)
            )
        for columns, rows in by_columns.items():
            update_rows(Staff, columns, rows)
        record_changes(
            ctx.job_id, Staff, [(r.existing_id, r.extra["before"], r.extra["changes"]) for r in updates]
        )
        return len(new), len(updates)

    def undo_blockers(self, job_id: int) -> list[str]:
        blockers = change_blockers(job_id)
        ids = created_ids(job_id, Staff)
        try:
            with transaction.atomic():
                Staff.objects.filter(pk__in=ids).delete()
                raise _Probe
        except (ProtectedError, RestrictedError) as exc:
            blockers.append(
                _("%(len)s 条记录引用了本次导入新建的员工")
                % {
                    "len": len(
                        exc.protected_objects if isinstance(exc, ProtectedError) else exc.restricted_objects
                    )
                }
            )
        except _Probe:
            pass
        return blockers

    def undo(self, job_id: int) -> int:
        ids = created_ids(job_id, Staff)
        Staff.objects.filter(pk__in=ids).delete()
        removed = len(ids)
        restored = undo_changes(job_id)
        return removed + len(restored.get(Staff._meta.label_lower, []))


def _with_defaults(values: dict[str, Any]) -> list[Any]:
    """UPDATABLE values of a new row; an empty phone is '' (the column is not nullable)."""
    return [
        values.get(name) if values.get(name) is not None else ("" if name == "phone" else None)
        for name in UPDATABLE
    ]
