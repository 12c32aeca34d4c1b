"""In-app notices through the one Notification model (introduced by targets; not a second one)."""

from __future__ import annotations

from collections.abc import Iterable

from opscenter.org.models import Department, Liaison, Staff
from opscenter.targets.models import Notification


def notify(users: Iterable, *, title: str, body: str = "", link: str = "") -> int:
    """One notice per distinct active user; returns how many were written."""
    unique = {u.pk: u for u in users if u is not None and u.is_active}
    Notification.objects.bulk_create(
        Notification(recipient=u, title=title[:200], body=body, link=link[:500]) for u in unique.values()
    )
    return len(unique)


def liaison_user(department_id: int | None):
    if department_id is None:
        return None
    liaison = Liaison.objects.select_related("staff__user").filter(department_id=department_id).first()
    return liaison.staff.user if liaison and liaison.staff.user_id else None


def owners_of(department_id: int | None, position_id: int | None) -> list:
    """The owning position's staff in the department (every active staff member with an account
    when no position is set), and the department's liaison."""
    users = []
    if department_id is not None:
        staff = Staff.objects.filter(department_id=department_id, is_active=True, user__isnull=False)
        if position_id is not None:
            staff = staff.filter(position_id=position_id)
        users = [s.user for s in staff.select_related("user")]
    users.append(liaison_user(department_id))
    return users


def department_head(department_id: int):
    department = Department.objects.select_related("manager__user").filter(pk=department_id).first()
    if department and department.manager_id and department.manager.user_id:
        return department.manager.user
    return None


def site_operations(site_id: int) -> list:
    """The site's operations managers (运营管理 role)."""
    from opscenter.org.roles import ROLE_BY_CODE

    staff = Staff.objects.filter(
        department__site_id=site_id,
        is_active=True,
        user__is_active=True,
        user__groups__name=ROLE_BY_CODE["operations"].name,
    )
    return [s.user for s in staff.select_related("user")]
