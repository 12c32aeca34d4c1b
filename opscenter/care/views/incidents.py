"""Incidents: list, record (opens a work order), detail, monthly rates per 1,000 resident-days."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from opscenter.care import selectors, services
from opscenter.care.choices import IncidentKind
from opscenter.care.forms import IncidentForm
from opscenter.care.selectors.census import incident_rates as rate_rows
from opscenter.care.views._common import int_or_none, month_param, site_for, staff_choices, submit, this_month
from opscenter.org.models import Department


@permission_required("care.view_incident", raise_exception=True)
def incident_list(request: HttpRequest) -> HttpResponse:
    site, sites = site_for(request)
    rows = selectors.incident_list(user=request.user, site_id=site.pk)
    zone = int_or_none(request.GET.get("zone"))
    if zone:
        rows = rows.filter(zone_id=zone)
    kind = request.GET.get("kind")
    if kind in IncidentKind.values:
        rows = rows.filter(kind=kind)
    month = request.GET.get("month")
    if month:
        start = month_param(month, this_month())
        end = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        rows = rows.filter(day__gte=start.toordinal(), day__lt=end.toordinal())
    return render(request, "care/incident_list.html", {"site": site, "sites": sites, "rows": rows[:500]})


@permission_required("care.add_incident", raise_exception=True)
def incident_create(request: HttpRequest) -> HttpResponse:
    site, _sites = site_for(request)
    form = IncidentForm(request.POST or None, initial={"residency": request.GET.get("residency")})
    residents = selectors.residency_list(user=request.user, site_id=site.pk, active=False).order_by(
        "customer__name"
    )
    form.fields["residency"].choices = [
        (
            str(r.pk),
            f"{r.customer.name} · {r.zone.name} {r.bed}" + ("" if r.ended_on is None else _("（已离院）")),
        )
        for r in residents
    ]
    form.fields["family_informed_by"].choices = staff_choices(request.user, site.pk, blank=True)
    form.fields["department"].choices = [("", _("护理部(默认)"))] + [
        (str(d.pk), d.name) for d in Department.objects.filter(site=site).order_by("name")
    ]
    done = submit(
        request,
        form,
        lambda d: services.incident_record(
            actor=request.user,
            residency_id=int(d["residency"]),
            kind=d["kind"],
            occurred_at=d["occurred_at"],
            place=d["place"],
            people=d.get("people") or "",
            severity=d["severity"],
            immediate_action=d["immediate_action"],
            family_informed_at=d.get("family_informed_at"),
            family_informed_by_id=int_or_none(d.get("family_informed_by")),
            follow_up=d.get("follow_up") or "",
            after_return_care=d.get("after_return_care") or "",
            department_id=int_or_none(d.get("department")),
        ),
        _("事件已登记，已生成工单"),
        lambda i: reverse("care:incident_detail", args=[i.pk]),
    )
    return done or render(
        request, "care/form_page.html", {"site": site, "form": form, "title": _("登记护理事件")}
    )


@permission_required("care.view_incident", raise_exception=True)
def incident_detail(request: HttpRequest, incident_id: int) -> HttpResponse:
    incident = selectors.incident_get(user=request.user, incident_id=incident_id)
    return render(request, "care/incident_detail.html", {"i": incident})


def _range(request) -> tuple[dt.date, dt.date]:
    today = timezone.localdate()
    last = month_param(request.GET.get("to"), today.replace(day=1))
    first = month_param(request.GET.get("from"), (last - dt.timedelta(days=330)).replace(day=1))
    if first > last:
        first = last
    end = (last.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    return first, end


@permission_required("care.view_incident", raise_exception=True)
def incident_rates(request: HttpRequest) -> HttpResponse:
    site, sites = site_for(request)
    first, last = _range(request)
    data = rate_rows(site_id=site.pk, first=first, last=last)
    grid = [{"zone": zone, "cells": [r for r in data["rows"] if r["zone"] == zone]} for zone in data["zones"]]
    return render(
        request,
        "care/incident_rates.html",
        {
            "site": site,
            "sites": sites,
            "grid": grid,
            "months": data["months"],
            "totals": data["totals"],
            "from": first.strftime("%Y-%m"),
            "to": last.strftime("%Y-%m"),
        },
    )


@permission_required("care.view_incident", raise_exception=True)
def incident_rates_data(request: HttpRequest) -> JsonResponse:
    """Monthly incident rate per 1,000 resident-days per zone (ECharts option; a point links to the rows)."""
    site, _sites = site_for(request)
    first, last = _range(request)
    data = rate_rows(site_id=site.pk, first=first, last=last)
    months = [m.strftime("%Y-%m") for m in data["months"]]
    base = reverse("care:incident_list")
    series = [
        {
            "name": zone.name,
            "type": "line",
            "data": [
                {
                    "value": float(r["rate"]) if r["rate"] is not None else None,
                    "url": f"{base}?site={site.pk}&zone={zone.pk}&month={r['month']:%Y-%m}",
                }
                for r in data["rows"]
                if r["zone"] == zone
            ],
        }
        for zone in data["zones"]
    ]
    return JsonResponse(
        {
            "tooltip": {"trigger": "axis"},
            "legend": {},
            "xAxis": {"type": "category", "data": months},
            "yAxis": {"type": "value", "name": _("每千住养日")},
            "series": series,
        }
    )
