"""Due reviews, the risk measures (防范措施) to confirm, and the periodic risk-resident summary
(page, print, .xlsx)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from opscenter.care import services
from opscenter.care.selectors.risks import MEASURE_STATUSES, measure_counts
from opscenter.care.selectors.risks import due_reviews as due_reviews_rows
from opscenter.care.selectors.risks import measure_list as measure_rows
from opscenter.care.selectors.risks import risk_summary as summary_rows
from opscenter.care.views._common import int_or_none, month_param, site_for, staff_choices, this_month
from opscenter.core.excel import Column, xlsx_response
from opscenter.core.exceptions import ValidationError
from opscenter.core.htmx import post_action


@permission_required("care.view_riskassessment", raise_exception=True)
def due_reviews(request: HttpRequest) -> HttpResponse:
    site, sites = site_for(request)
    today = timezone.localdate()
    rows = due_reviews_rows(
        site_id=site.pk,
        today=today,
        zone_id=int_or_none(request.GET.get("zone")),
        nurse_id=int_or_none(request.GET.get("nurse")),
    )
    from opscenter.care.models import Zone

    return render(
        request,
        "care/due_reviews.html",
        {
            "site": site,
            "sites": sites,
            "rows": rows,
            "today": today,
            "zones": Zone.objects.filter(site=site),
            "nurses": staff_choices(request.user, site.pk, kind="nursing"),
            "zone_id": request.GET.get("zone", ""),
            "nurse_id": request.GET.get("nurse", ""),
        },
    )


def _period(request) -> tuple[dt.date, dt.date]:
    start = month_param(request.GET.get("month"), this_month())
    end = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    return start, min(end, max(start, timezone.localdate()))


@permission_required("care.view_riskassessment", raise_exception=True)
def risk_summary(request: HttpRequest) -> HttpResponse:
    site, sites = site_for(request)
    start, end = _period(request)
    data = summary_rows(site_id=site.pk, start=start, end=end)
    if request.GET.get("format") == "xlsx":
        return _xlsx(site, data)
    return render(
        request,
        "care/risk_summary.html",
        {"site": site, "sites": sites, "month": start.strftime("%Y-%m"), **data},
    )


def _xlsx(site, data) -> HttpResponse:
    columns = [
        Column(_("长者"), "text"),
        Column(_("分区"), "text"),
        Column(_("床位"), "text"),
        Column(_("风险"), "text"),
        Column(_("措施"), "text"),
        Column(_("跨区"), "text"),
        Column(_("事件数"), "int"),
        Column(_("新上榜"), "text"),
    ]
    rows = []
    for row in data["rows"]:
        r = row["residency"]
        rows.append(
            [
                r.customer.name,
                r.zone.name,
                str(r.bed),
                "; ".join(
                    f"{x.get_kind_display()} {x.get_level_display()} ({x.score})" for x in row["risks"]
                ),
                "; ".join(m.description for x in row["risks"] for m in x.measures.all()),
                "; ".join(f"{t.from_zone.name}→{t.to_zone.name}" for t in row["transfers"]),
                len(row["incidents"]),
                _("是") if row["new"] else "",
            ]
        )
    name = f"risk-summary-{site.code}-{data['start']:%Y%m}.xlsx"
    return xlsx_response(name, columns=columns, rows=rows, sheet_name=str(_("风险客户汇总")))


@permission_required("care.view_riskmeasure", raise_exception=True)
def measure_list(request: HttpRequest) -> HttpResponse:
    """防范措施: open ones (overdue first) by zone and owner, each confirmable by its nurse."""
    from opscenter.care.models import Zone

    site, sites = site_for(request)
    today = timezone.localdate()
    status = request.GET.get("status") if request.GET.get("status") in MEASURE_STATUSES else "open"
    mine = request.GET.get("mine") == "1" and getattr(request.user, "staff", None) is not None
    owner_id = request.user.staff.pk if mine else int_or_none(request.GET.get("owner"))
    rows = measure_rows(
        user=request.user,
        site_id=site.pk,
        today=today,
        status=status,
        zone_id=int_or_none(request.GET.get("zone")),
        owner_id=owner_id,
        due_from=_day(request.GET.get("from")),
        due_to=_day(request.GET.get("to")),
    )[:500]
    return render(
        request,
        "care/measure_list.html",
        {
            "site": site,
            "sites": sites,
            "rows": rows,
            "today": today,
            "status": status,
            "mine": mine,
            "counts": measure_counts(user=request.user, site_id=site.pk, today=today),
            "zones": Zone.objects.filter(site=site),
            "owners": staff_choices(request.user, site.pk),
            "zone_id": request.GET.get("zone", ""),
            "owner_id": request.GET.get("owner", ""),
            "here": request.get_full_path(),
        },
    )


def _day(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@require_POST
@permission_required("care.change_riskmeasure", raise_exception=True)
def measure_done(request: HttpRequest, measure_id: int) -> HttpResponse:
    """The nurse confirms a measure done (date, note); the version she saw guards the write."""

    def action():
        try:
            done_on = dt.date.fromisoformat(request.POST.get("done_on") or "")
            version = int(request.POST.get("version") or "")
        except ValueError:
            raise ValidationError(_("请填写正确的完成日期（如 2026-03-02）"), field="done_on") from None
        return services.risk_measure_done(
            actor=request.user,
            measure_id=measure_id,
            done_on=done_on,
            version=version,
            note=request.POST.get("note") or "",
        )

    back = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}) or not back.startswith(
        "/"
    ):
        back = reverse("care:measure_list")
    return post_action(request, action=action, success=_("措施已确认完成"), url=back)
