"""Course sessions (疗程): each treatment visit consumes one session of a package."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opscenter.clinic import journey
from opscenter.clinic.choices import PackageStatus
from opscenter.clinic.models import Package, SessionUse
from opscenter.clinic.services._common import site_staff
from opscenter.commitments.choices import Event
from opscenter.core.audit import as_actor
from opscenter.core.exceptions import NotFound, ValidationError
from opscenter.members.signals import refresh_tier_after_commit
from opscenter.pipeline.periods import local_date, month_key
from opscenter.pipeline.services._common import customer_for_write, scope_requiring


@as_actor
@transaction.atomic
def session_consume(
    *, actor, package_id: int, performed_by_id: int, used_at: dt.datetime | None = None, note: str = ""
) -> SessionUse:
    """One treatment visit uses one session: who performed it and when. Rejected on a package
    with no session left or past its validity. The last session ends the course (疗程结束) and
    schedules the clinical follow-up with the doctor who performed it."""
    from opscenter.clinic.services.followups import course_end_followup

    scope = scope_requiring(actor, "clinic.add_sessionuse")
    package = Package.objects.select_for_update().filter(pk=package_id).first()
    if package is None:
        raise NotFound(_("疗程套餐不存在或无权访问"))
    customer_for_write(scope, package.customer_id)
    used_at = used_at or timezone.now()
    if timezone.is_naive(used_at):
        raise ValidationError(_("治疗时间不正确"), field="used_at", log_message="naive used_at")
    if used_at > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationError(_("治疗时间不能晚于现在"), field="used_at")
    day = local_date(used_at)
    if package.sessions_left <= 0:
        raise ValidationError(
            _("“%(item)s”已无剩余次数（已用 %(used)s/%(total)s 次）")
            % {"item": package.item, "used": package.sessions_used, "total": package.sessions_total},
            field="package_id", log_message=f"package {package.pk} empty",
        )  # fmt: skip
    if day > package.valid_until:
        raise ValidationError(
            _("“%(item)s”已于 %(date)s 过期，不能再消耗") % {"item": package.item, "date": package.valid_until},
            field="package_id", log_message=f"package {package.pk} expired",
        )  # fmt: skip
    if day < package.sold_on:
        raise ValidationError(_("治疗日期不能早于购买日期"), field="used_at")
    performer = site_staff(package.site_id, performed_by_id, field="performed_by_id", label=_("治疗人"))
    package.sessions_used += 1
    use = SessionUse.objects.create(
        package=package, site_id=package.site_id, customer_id=package.customer_id, center_id=package.center_id,
        performed_by=performer, used_at=used_at, month=month_key(used_at), number=package.sessions_used,
        note=note[:300],
    )  # fmt: skip
    fields = ["sessions_used"]
    if package.sessions_left == 0:
        package.status, package.finished_on = PackageStatus.FINISHED, day
        fields += ["status", "finished_on"]
    package.save(update_fields=fields)
    events = {Event.TREATED: used_at} if use.number == 1 else {}
    if package.status == PackageStatus.FINISHED:
        course_end_followup(package=package, last_use=use)
        events[Event.COURSE_ENDED] = used_at
    if events:
        deal_id = package.deal_line.deal_id if package.deal_line_id else None
        journey.record_for_deal(deal_id=deal_id, center_id=package.center_id, events=events)
    # The tier condition 疗程已消耗次数 reads consumed sessions: re-evaluate after the commit.
    refresh_tier_after_commit(package.customer_id)
    return use
