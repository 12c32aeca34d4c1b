"""Residents, beds, census and the staffing ratio."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from opscenter.care import selectors, services
from opscenter.care.choices import RiskKind
from opscenter.care.forms import AdmitForm, DischargeForm, MeasureForm, RiskForm, TransferForm
from opscenter.care.models import Residency
from opscenter.care.selectors.census import census as census_rows
from opscenter.care.selectors.census import staffing
from opscenter.care.views._common import int_or_none, site_for, staff_choices, submit
from opscenter.org.selectors import scope_for
from opscenter.pipeline.choices import DealStatus
from opscenter.pipeline.models import Deal, ExitReason


@permission_required("care.view_zone", raise_exception=True)
def home(request: HttpRequest) -> HttpResponse:
    """Vacancies by zone and the nurse ratio per zone and shift (warning past the limit)."""
    site, sites = site_for(request)
    today = timezone.localdate()
    data = census_rows(site_id=site.pk, first=today.replace(day=1), last=today, today=today)
    return render(
        request,
        "care/home.html",
        {
            "site": site,
            "sites": sites,
            "vacancies": data["vacancies"],
            "staffing": staffing(site_id=site.pk, today=today),
        },
    )


@permission_required("care.view_zone", raise_exception=True)
def census(request: HttpRequest) -> HttpResponse:
    site, sites = site_for(request)
    today = timezone.localdate()
    first = (today.replace(day=1) - dt.timedelta(days=330)).replace(day=1)
    data = census_rows(site_id=site.pk, first=first, last=today, today=today)
    return render(request, "care/census.html", {"site": site, "sites": sites, **data})


@permission_required("care.view_zone", raise_exception=True)
def census_data(request: HttpRequest) -> JsonResponse:
    """Average daily census per zone and month (ECharts option)."""
    site, _sites = site_for(request)
    today = timezone.localdate()
    first = (today.replace(day=1) - dt.timedelta(days=330)).replace(day=1)
    data = census_rows(site_id=site.pk, first=first, last=today, today=today)
    months = [m.strftime("%Y-%m") for m in data["months"]]
    series = [
        {
            "name": zone.name,
            "type": "line",
            "data": [
                float(r["average"]) if r["average"] is not None else None
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
            "yAxis": {"type": "value", "name": _("日均在住人数")},
            "series": series,
        }
    )


@permission_required("care.view_residency", raise_exception=True)
def resident_list(request: HttpRequest) -> HttpResponse:
    site, sites = site_for(request)
    residents = selectors.residency_list(
        user=request.user, site_id=site.pk, active=request.GET.get("all") != "1"
    )
    return render(request, "care/resident_list.html", {"site": site, "sites": sites, "residents": residents})


@permission_required("care.add_residency", raise_exception=True)
def resident_admit(request: HttpRequest) -> HttpResponse:
    """Admit from a signed elder-care deal to a free bed of the decided zone."""
    site, _sites = site_for(request)
    form = AdmitForm(
        request.POST or None, initial={"started_on": timezone.localdate(), "deal": request.GET.get("deal")}
    )
    deals = (
        scope_for(request.user)
        .filter_sites(Deal.objects.filter(site=site, status=DealStatus.SIGNED).exclude(stay_type=""))
        .exclude(customer__in=Residency.objects.filter(ended_on__isnull=True).values("customer"))
        .select_related("customer")
        .order_by("-signed_on")[:300]
    )
    form.fields["deal"].choices = [
        (str(d.pk), f"{d.customer.name} · {d.get_stay_type_display()} · {d.signed_on}") for d in deals
    ]
    beds = selectors.bed_list(user=request.user, site_id=site.pk).order_by(
        "zone__sort_order", "room__number", "label"
    )
    form.fields["bed"].choices = [(str(b.pk), f"{b.zone.name} {b.room.number}-{b.label}") for b in beds]
    form.fields["nurse"].choices = staff_choices(request.user, site.pk, kind="nursing", blank=True)
    done = submit(
        request,
        form,
        lambda d: services.residency_admit(
            actor=request.user,
            deal_id=int(d["deal"]),
            bed_id=int(d["bed"]),
            started_on=d["started_on"],
            nurse_id=int_or_none(d.get("nurse")),
        ),
        _("已办理入住"),
        lambda r: reverse("care:resident_detail", args=[r.pk]),
    )
    return done or render(
        request, "care/form_page.html", {"site": site, "form": form, "title": _("办理入住")}
    )


@permission_required("care.view_residency", raise_exception=True)
def resident_detail(request: HttpRequest, residency_id: int) -> HttpResponse:
    residency = selectors.residency_get(user=request.user, residency_id=residency_id)
    return render(
        request,
        "care/resident_detail.html",
        {
            "r": residency,
            "risks": residency.risk_assessments.select_related("assessor").prefetch_related(
                "measures__owner"
            ),
            "incidents": residency.incidents.select_related("zone", "work_order"),
            "transfers": residency.transfers.select_related(
                "from_zone", "to_zone", "from_bed__room", "to_bed__room", "decided_by"
            ),
            "risk_kinds": RiskKind.choices,
        },
    )


@permission_required("care.add_transfer", raise_exception=True)
def resident_transfer(request: HttpRequest, residency_id: int) -> HttpResponse:
    residency = selectors.residency_get(user=request.user, residency_id=residency_id)
    form = TransferForm(request.POST or None, initial={"moved_on": timezone.localdate()})
    beds = selectors.bed_list(user=request.user, site_id=residency.site_id).exclude(pk=residency.bed_id)
    form.fields["bed"].choices = [(str(b.pk), f"{b.zone.name} {b.room.number}-{b.label}") for b in beds]
    form.fields["decided_by"].choices = staff_choices(request.user, residency.site_id)
    done = submit(
        request,
        form,
        lambda d: services.residency_transfer(
            actor=request.user,
            residency_id=residency.pk,
            to_bed_id=int(d["bed"]),
            moved_on=d["moved_on"],
            reason=d["reason"],
            decided_by_id=int(d["decided_by"]),
        ),
        _("已转床"),
        reverse("care:resident_detail", args=[residency.pk]),
    )
    return done or render(
        request, "care/form_page.html", {"form": form, "title": _("转床/跨区"), "residency": residency}
    )


@permission_required("care.change_residency", raise_exception=True)
def resident_discharge(request: HttpRequest, residency_id: int) -> HttpResponse:
    residency = selectors.residency_get(user=request.user, residency_id=residency_id)
    form = DischargeForm(request.POST or None, initial={"ended_on": timezone.localdate()})
    form.fields["exit_reason"].choices = [("", "—")] + [
        (str(r.pk), r.name) for r in ExitReason.objects.filter(is_active=True).order_by("sort_order")
    ]
    done = submit(
        request,
        form,
        lambda d: services.residency_discharge(
            actor=request.user,
            residency_id=residency.pk,
            ended_on=d["ended_on"],
            note=d.get("note") or "",
            exit_reason_id=int_or_none(d.get("exit_reason")),
        ),
        _("已办理离院"),
        reverse("care:resident_detail", args=[residency.pk]),
    )
    return done or render(
        request, "care/form_page.html", {"form": form, "title": _("办理离院"), "residency": residency}
    )


@permission_required("care.add_riskassessment", raise_exception=True)
def risk_assess(request: HttpRequest, residency_id: int, kind: str) -> HttpResponse:
    residency = selectors.residency_get(user=request.user, residency_id=residency_id)
    if kind not in RiskKind.values:
        kind = RiskKind.FALL
    form = RiskForm(request.POST or None, kind=kind, initial={"assessed_on": timezone.localdate()})
    done = submit(
        request,
        form,
        lambda d: services.risk_assess(
            actor=request.user,
            residency_id=residency.pk,
            kind=kind,
            answers=form.answers(),
            assessed_on=d["assessed_on"],
            note=d.get("note") or "",
        ),
        _("风险评估已保存"),
        reverse("care:resident_detail", args=[residency.pk]),
    )
    title = _("风险评估：%(kind)s") % {"kind": RiskKind(kind).label}
    return done or render(
        request, "care/form_page.html", {"form": form, "title": title, "residency": residency}
    )


@permission_required("care.add_riskmeasure", raise_exception=True)
def measure_add(request: HttpRequest, risk_id: int) -> HttpResponse:
    from opscenter.care.models import RiskAssessment

    risk = scope_for(request.user).filter_sites(RiskAssessment.objects.all()).filter(pk=risk_id).first()
    if risk is None:
        from django.http import Http404

        raise Http404
    form = MeasureForm(request.POST or None, initial={"due_on": timezone.localdate() + dt.timedelta(days=7)})
    form.fields["owner"].choices = staff_choices(request.user, risk.site_id)
    done = submit(
        request,
        form,
        lambda d: services.risk_measure_add(
            actor=request.user,
            risk_id=risk.pk,
            description=d["description"],
            owner_id=int(d["owner"]),
            due_on=d["due_on"],
        ),
        _("措施已添加"),
        reverse("care:resident_detail", args=[risk.residency_id]),
    )
    return done or render(request, "care/form_page.html", {"form": form, "title": _("添加风险措施")})
