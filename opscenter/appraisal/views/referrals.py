"""全员营销 referrals: the list behind the referral metric (drill-down), recording and withdrawing."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from opscenter.appraisal import selectors, services
from opscenter.appraisal.views.common import attempt, domain_errors, redirect
from opscenter.core.exceptions import NotFound
from opscenter.org.models import Staff
from opscenter.org.selectors import scope_for

__all__ = ["referral_list", "referral_record", "referral_withdraw"]

FILTERS = ("site", "department", "team", "staff", "from", "to", "active")


@require_GET
@domain_errors
def referral_list(request: HttpRequest) -> HttpResponse:
    filters = {k: request.GET.get(k, "") for k in FILTERS}
    rows = selectors.referral_list(user=request.user, filters=filters)
    scope = scope_for(request.user)
    return render(
        request,
        "appraisal/referral_list.html",
        {
            "rows": rows[:1000],
            "active_count": rows.filter(is_withdrawn=False).count(),
            "filters": filters,
            "staff_choices": selectors.referral_staff_choices(user=request.user),
            "can_withdraw": scope.can("appraisal.change_referral"),
            "today": timezone.localdate().isoformat(),
        },
    )


@require_POST
@domain_errors
def referral_record(request: HttpRequest) -> HttpResponse:
    staff = Staff.objects.filter(pk=request.POST.get("staff") or 0).select_related("department").first()
    if staff is None:
        messages.error(request, _("请选择推荐员工"))
        return redirect(request, reverse("appraisal:referral_list"))
    try:
        referred_on = dt.date.fromisoformat(request.POST.get("referred_on", ""))
    except ValueError:
        messages.error(request, _("请填写推荐日期"))
        return redirect(request, reverse("appraisal:referral_list"))
    attempt(
        request,
        _("已记入 %(s)s 的全员营销推荐") % {"s": staff.name},
        lambda: services.referral_record(
            actor=request.user,
            site_id=staff.department.site_id,
            staff_id=staff.pk,
            customer_phone=request.POST.get("customer_phone", ""),
            referred_on=referred_on,
            note=request.POST.get("note", ""),
        ),
    )
    return redirect(request, reverse("appraisal:referral_list"))


@require_POST
@domain_errors
def referral_withdraw(request: HttpRequest, referral_id: int) -> HttpResponse:
    row = selectors.referral_list(user=request.user, filters={}).filter(pk=referral_id).first()
    if row is None:
        raise NotFound(_("推荐记录不存在或无权查看"))
    attempt(
        request,
        _("推荐已撤销"),
        lambda: services.referral_withdraw(
            actor=request.user, referral=row, reason=request.POST.get("reason", "")
        ),
    )
    return redirect(request, reverse("appraisal:referral_list"))
