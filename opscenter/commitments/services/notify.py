"""In-app notices through the one Notification model (introduced by targets; not a second one)."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from opscenter.org.models import Department, Liaison, Staff
from opscenter.targets.models import Notification

log = logging.getLogger(__name__)


def notify(users: Iterable, *, title: str, body: str = "", link: str = "") -> int:
    """One notice per distinct active user; returns how many were written. When a mail server is
    configured (OPSCENTER_EMAIL_HOST) the users with an address get it by e-mail too, after the
    transaction commits (a failed delivery is logged, never undoes the notice)."""
    unique = {u.pk: u for u in users if u is not None and u.is_active}
    Notification.objects.bulk_create(
        Notification(recipient=u, title=title[:200], body=body, link=link[:500]) for u in unique.values()
    )
    addresses = [u.email for u in unique.values() if u.email]
    if settings.EMAIL_HOST and addresses:
        transaction.on_commit(lambda: _mail(title, f"{body}\n\n{link}".strip(), addresses))
    return len(unique)


def _mail(subject: str, message: str, addresses: list[str]) -> None:
    try:
        send_mail(subject[:200], message, None, addresses)
    except Exception:  # mail is best effort; the in-app notice stands
        log.exception("notification e-mail to %d recipients failed", len(addresses))


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
