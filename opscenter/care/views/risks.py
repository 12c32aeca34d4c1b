"""Due reviews and the periodic risk-resident summary (page, print, .xlsx)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from opscenter.care.selectors.risks import due_reviews as due_reviews_rows
from opscenter.care.selectors.risks import risk_summary as summary_rows
from opscenter.care.views._common import int_or_none, month_param, site_for, staff_choices, this_month
from opscenter.core.excel import Column, xlsx_response


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
