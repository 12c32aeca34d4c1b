"""Writes to the organization. Each checks the actor's permission and site before touching rows."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from opscenter.core.audit import as_actor, record_event
from opscenter.core.exceptions import NotFound, ValidationError
from opscenter.org.models import Department, Liaison, Staff, Team
from opscenter.org.selectors import department_list, scope_for, staff_list, team_list


def _department_for_write(actor, department_id: int, perm: str) -> Department:
    scope = scope_for(actor)
    scope.require(perm)
    department = department_list(user=actor).filter(pk=department_id).first()
    if department is None:
        raise NotFound(_("部门不存在或无权访问"))
    scope.require_site(department.site_id, write=True)
    return department


@as_actor
@transaction.atomic
def team_create(*, actor, department_id: int, name: str, territory: str = "") -> Team:
    """Create a team (小组); with a territory it is a grid (网格)."""
    department = _department_for_write(actor, department_id, "org.add_team")
    name = name.strip()
    if not name:
        raise ValidationError(_("小组名称不能为空"), field="name")
    if Team.objects.filter(department=department, name=name).exists():
        raise ValidationError(
            _("%(department)s 已有名为“%(name)s”的小组") % {"department": department.name, "name": name},
            field="name",
        )
    return Team.objects.create(department=department, name=name, territory=territory.strip())


@as_actor
@transaction.atomic
def staff_move(*, actor, staff_id: int, department_id: int, team_id: int | None = None) -> Staff:
    """Move a staff member to another department (and team) — both ends must be the actor's sites."""
    scope = scope_for(actor)
    scope.require("org.change_staff")
    staff = staff_list(user=actor).filter(pk=staff_id).first()
    if staff is None:
        raise NotFound(_("员工不存在或无权访问"))
    scope.require_site(staff.department.site_id, write=True)
    department = _department_for_write(actor, department_id, "org.change_staff")
    team = None
    if team_id is not None:
        team = team_list(user=actor).filter(pk=team_id, department=department).first()
        if team is None:
            raise ValidationError(_("小组必须属于目标部门"), field="team")
    staff.department = department
    staff.team = team
    staff.save(update_fields=["department", "team"])
    return staff


@as_actor
@transaction.atomic
def liaison_assign(*, actor, department_id: int, staff_id: int, since: dt.date | None = None) -> Liaison:
    """Make `staff` the department's liaison (联络员) who receives its work orders; replaces the previous one."""
    department = _department_for_write(actor, department_id, "org.change_liaison")
    staff = Staff.objects.filter(pk=staff_id, department=department, is_active=True).first()
    if staff is None:
        raise ValidationError(_("联络员必须是该部门的在职员工"), field="staff")
    liaison = Liaison.objects.filter(department=department).first()
    if liaison is None:
        scope_for(actor).require("org.add_liaison")
        return Liaison.objects.create(department=department, staff=staff, since=since)
    if liaison.staff_id != staff.pk:
        liaison.staff = staff
        liaison.since = since
        liaison.save(update_fields=["staff", "since"])
    return liaison


@as_actor
@transaction.atomic
def staff_password_reset(*, actor, staff_id: int, new_password: str) -> Staff:
    """Reset the login password of a staff member of one's own site (operations, HR: whoever may
    change staff there). A superuser's password is reset only by a superuser."""
    from opscenter.core.exceptions import PermissionDenied
    from opscenter.core.services import password_reset

    scope = scope_for(actor)
    scope.require("org.change_staff")
    staff = staff_list(user=actor).select_related("user", "department").filter(pk=staff_id).first()
    if staff is None:
        raise NotFound(_("员工不存在或无权访问"), log_message=f"staff {staff_id} not in scope")
    scope.require_site(staff.department.site_id, write=True)
    if staff.user is None:
        raise ValidationError(_("该员工没有登录账号"), field="staff_id")
    if staff.user.is_superuser and not getattr(actor, "is_superuser", False):
        raise PermissionDenied(
            _("只有超级管理员可以重置超级管理员的密码"), log_message="reset of a superuser"
        )
    password_reset(actor=actor, user=staff.user, new_password=new_password)
    record_event(staff, _("登录密码已由管理员重置"))  # shown in the staff page's history
    return staff
