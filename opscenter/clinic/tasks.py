"""Background and periodic work of the clinic app: the nightly points expiry."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from opscenter.scheduler import Cadence, register


def expire_points_all_sites() -> int:
    """Expire due points of every member (set-based, idempotent: a second run the same day writes
    nothing). Short enough to run in the scheduler process itself."""
    from opscenter.clinic.services.points import points_expire

    return points_expire()


register(
    code="clinic.points_expire",
    label=_("会员积分到期处理"),
    target="opscenter.clinic.tasks.expire_points_all_sites",
    cadence=Cadence.daily("01:30"),
)
