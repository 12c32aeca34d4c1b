"""全员营销 referrals (seed 001): a customer referred by an employee is attributed to that employee
for the month of the referral; the referral metric (`appraisal.referrals`) feeds the 全员营销
reward/penalty plan. Recorded by someone who manages the site's appraisal; withdrawn with a reason,
never deleted."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opscenter.appraisal.models import Referral
from opscenter.core.audit import as_actor
from opscenter.core.exceptions import PermissionDenied, ValidationError
from opscenter.org.selectors import scope_for


def _require(actor, site_id: int, perm: str) -> None:
    if actor is None:
        return
    scope = scope_for(actor)
    scope.require(perm)
    if not scope.writes_site(site_id):
        raise PermissionDenied(_("该院区不在您的管理范围内"), log_message=f"referral site {site_id}")


def _customer(actor, site_id: int, phone: str):
    """The site's customer with this phone, looked up through the pipeline's scoped selector."""
    from opscenter.pipeline.models import Customer
    from opscenter.pipeline.phones import normalize_phone
    from opscenter.pipeline.selectors import customer_list

    canonical = normalize_phone(phone, field="customer_phone")
    qs = (
        customer_list(user=actor, site_id=site_id)
        if actor is not None
        else Customer.objects.filter(site_id=site_id, is_deleted=False)
    )
    customer = qs.filter(phone=canonical).first()
    if customer is None:
        raise ValidationError(
            _("本院区没有电话为 %(p)s 的客户，请先登记客户") % {"p": canonical}, field="customer_phone"
        )
    return customer


@transaction.atomic
@as_actor
def referral_record(
    *, actor, site_id: int, staff_id: int, customer_phone: str, referred_on: dt.date, note: str = ""
) -> Referral:
    """Attribute a customer to the employee who referred them. One referring employee per customer:
    a second attribution is refused, naming who holds it (withdraw that one first)."""
    from opscenter.org.models import Staff

    _require(actor, site_id, "appraisal.add_referral")
    staff = Staff.objects.filter(pk=staff_id, department__site_id=site_id).first()
    if staff is None:
        raise ValidationError(_("推荐员工不属于该院区"), field="staff")
    if referred_on is None or referred_on > timezone.localdate():
        raise ValidationError(_("推荐日期不能晚于今天"), field="referred_on")
    customer = _customer(actor, site_id, customer_phone)
    held = Referral.objects.filter(customer=customer, is_withdrawn=False).select_related("staff").first()
    if held is not None:
        raise ValidationError(
            _("客户 %(c)s 已由 %(s)s 于 %(d)s 推荐；如归属有误，请先撤销该条推荐")
            % {"c": customer.name, "s": held.staff.name, "d": held.referred_on},
            field="customer_phone",
        )
    return Referral.objects.create(
        site_id=site_id,
        staff=staff,
        customer=customer,
        referred_on=referred_on,
        note=(note or "").strip()[:200],
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )


@transaction.atomic
@as_actor
def referral_withdraw(*, actor, referral: Referral, reason: str) -> Referral:
    """Withdraw a wrong attribution (kept, with the reason); the month's count drops by one."""
    row = Referral.objects.select_for_update().get(pk=referral.pk)
    _require(actor, row.site_id, "appraisal.change_referral")
    if row.is_withdrawn:
        raise ValidationError(_("该推荐已撤销"), field="referral")
    if not (reason or "").strip():
        raise ValidationError(_("请填写撤销原因"), field="reason")
    row.is_withdrawn = True
    row.withdrawn_reason = reason.strip()[:200]
    row.save(update_fields=["is_withdrawn", "withdrawn_reason"])
    return row
