"""What the care views share: the site in view, staff choices, the form-then-service step."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import timezone
from django.utils.translation import gettext as _

from opscenter.care.forms import add_domain_error
from opscenter.care.services import zones_ensure
from opscenter.core.exceptions import ValidationError
from opscenter.org.choices import SiteKind
from opscenter.org.selectors import site_list, staff_list


def site_for(request: HttpRequest):
    """The elder-care site in view (`?site=`), default the user's first one; zones are ensured."""
    sites = site_list(user=request.user).filter(kind=SiteKind.ELDER_CARE).order_by("pk")
    wanted = request.GET.get("site") or request.POST.get("site")
    site = sites.filter(pk=wanted).first() if wanted and str(wanted).isdigit() else sites.first()
    if site is None:
        raise Http404(_("没有可访问的养老社区"))
    zones_ensure(site_id=site.pk)
    return site, sites


def staff_choices(user, site_id: int, *, kind: str | None = None, blank: bool = False):
    qs = staff_list(user=user, site_id=site_id).filter(is_active=True)
    if kind:
        qs = qs.filter(department__kind=kind)
    rows = [(str(s.pk), f"{s.name} ({s.department.name})") for s in qs.order_by("department__name", "name")]
    return ([("", "—")] if blank else []) + rows


def int_or_none(value) -> int | None:
    return int(value) if value not in (None, "") and str(value).isdigit() else None


def submit(
    request: HttpRequest, form, action: Callable[[dict], object], success: str, url
) -> HttpResponse | None:
    """Validate, run the service, redirect with a message; on a domain error show it on the form."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        result = action(form.cleaned_data)
    except ValidationError as exc:
        add_domain_error(form, exc)
        return None
    messages.success(request, success)
    return HttpResponseRedirect(url(result) if callable(url) else url)


def month_param(value: str | None, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(f"{value}-01") if value and len(value) == 7 else default
    except ValueError:
        return default


def this_month() -> dt.date:
    return timezone.localdate().replace(day=1)
