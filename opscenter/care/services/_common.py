"""What the care services share: the acting scope, a site's staff, day ordinals."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from opscenter.core.exceptions import ValidationError
from opscenter.core.scoping import Scope
from opscenter.org.models import Staff
from opscenter.org.selectors import scope_for
from opscenter.pipeline.services._common import site_staff


def scope_requiring(actor, perm: str) -> Scope:
    scope = scope_for(actor)
    scope.require(perm)
    return scope


def actor_staff(scope: Scope, site_id: int) -> Staff:
    """The acting user's own staff record at the site (who assessed, who decided)."""
    if scope.staff_id is None:
        raise ValidationError(
            _("当前账号没有对应的员工档案"), field="staff", log_message="actor without staff"
        )
    return site_staff(site_id, scope.staff_id, label=_("当前员工"), field="staff")


def day_no(day: dt.date) -> int:
    return day.toordinal()


def from_day_no(number: int) -> dt.date:
    return dt.date.fromordinal(number)


def not_future(day: dt.date, *, field: str, label: str) -> dt.date:
    if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
        raise ValidationError(_("%(label)s格式不正确") % {"label": label}, field=field)
    if day > timezone.localdate():
        raise ValidationError(
            _("%(label)s不能晚于今天") % {"label": label}, field=field, log_message=f"{field} in the future"
        )
    if day.year < 2000:
        raise ValidationError(_("%(label)s不能早于 2000 年") % {"label": label}, field=field)
    return day


def required_text(value: str | None, *, field: str, label: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError(_("请填写%(label)s") % {"label": label}, field=field)
    return value
