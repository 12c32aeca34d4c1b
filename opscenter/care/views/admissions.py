"""The admission assessment workflow screens and the disagreement analysis."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from opscenter.care import admission_commitment, selectors, services
from opscenter.care.forms import AdmissionRequestForm, AdmissionViewForm, LostForm, ResolveForm
from opscenter.care.models import MaterialItem
from opscenter.care.selectors.admissions import disagreement_analysis
from opscenter.care.views._common import int_or_none, site_for, staff_choices, submit
from opscenter.org.selectors import scope_for
from opscenter.pipeline.choices import DealStatus
from opscenter.pipeline.models import Customer, Deal


@permission_required("care.view_admissionrequest", raise_exception=True)
def admission_list(request: HttpRequest) -> HttpResponse:
    site, sites = site_for(request)
    rows = list(selectors.admission_list(user=request.user, site_id=site.pk)[:300])
    stages = admission_commitment.stages_for([row.pk for row in rows])
    for row in rows:
        row.stage = stages.get(row.pk)
    return render(request, "care/admission_list.html", {"site": site, "sites": sites, "rows": rows})


@permission_required("care.add_admissionrequest", raise_exception=True)
def admission_create(request: HttpRequest) -> HttpResponse:
    site, _sites = site_for(request)
    form = AdmissionRequestForm(request.POST or None, initial={"customer": request.GET.get("customer")})
    customers = scope_for(request.user).filter_sites(Customer.objects.filter(site=site, is_deleted=False))
    form.fields["customer"].choices = [
        (str(c.pk), f"{c.name} {c.phone[-4:]}") for c in customers.order_by("-pk")[:500]
    ]
    deals = (
        Deal.objects.filter(site=site, status=DealStatus.SIGNED)
        .exclude(stay_type="")
        .select_related("customer")
    )
    form.fields["deal"].choices = [("", "—")] + [
        (str(d.pk), f"{d.customer.name} · {d.get_stay_type_display()} · {d.signed_on}")
        for d in deals.order_by("-pk")[:500]
    ]
    staff = staff_choices(request.user, site.pk)
    form.fields["panel"].choices = staff
    form.fields["arbiter"].choices = staff
    materials = MaterialItem.objects.filter(site=site, is_active=True)
    form.fields["materials"].choices = [
        (str(m.pk), m.name + (_("（必需）") if m.is_required else "")) for m in materials
    ]
    done = submit(
        request,
        form,
        lambda d: services.admission_request_open(
            actor=request.user,
            customer_id=int(d["customer"]),
            deal_id=int_or_none(d.get("deal")),
            panel_ids=[int(x) for x in d["panel"]],
            arbiter_id=int(d["arbiter"]),
            material_ids=[int(x) for x in d.get("materials") or []],
            note=d.get("note") or "",
        ),
        _("入住评估申请已提交"),
        lambda r: reverse("care:admission_detail", args=[r.pk]),
    )
    return done or render(
        request, "care/form_page.html", {"site": site, "form": form, "title": _("申请入住评估")}
    )


@permission_required("care.view_admissionrequest", raise_exception=True)
def admission_detail(request: HttpRequest, request_id: int) -> HttpResponse:
    adm = selectors.admission_get(user=request.user, request_id=request_id)
    settings = services.care_settings_for(adm.site_id)
    view_form = AdmissionViewForm(cognitive_screen=settings.cognitive_screen)
    resolve_form = ResolveForm()
    lost_form = LostForm()
    url = reverse("care:admission_detail", args=[adm.pk])
    action = request.POST.get("action")
    done = None
    if action == "view":
        view_form = AdmissionViewForm(request.POST, cognitive_screen=settings.cognitive_screen)
        done = submit(
            request,
            view_form,
            lambda d: services.admission_view_record(
                actor=request.user,
                request_id=adm.pk,
                answers=view_form.answers(),
                zone=d.get("zone") or "",
                notes=d.get("notes") or "",
            ),
            _("评估意见已记录"),
            url,
        )
    elif action == "resolve":
        resolve_form = ResolveForm(request.POST)
        done = submit(
            request,
            resolve_form,
            lambda d: services.admission_resolve(
                actor=request.user, request_id=adm.pk, zone=d["zone"], reason=d["reason"]
            ),
            _("分歧已裁定"),
            url,
        )
    elif action == "lost":
        lost_form = LostForm(request.POST)
        done = submit(
            request,
            lost_form,
            lambda d: services.admission_lost(actor=request.user, request_id=adm.pk, reason=d["reason"]),
            _("已记录客户流失"),
            url,
        )
    if done:
        return done
    return render(
        request,
        "care/admission_detail.html",
        {
            "adm": adm,
            "views": adm.views.select_related("assessor", "department", "assessment"),
            "panel": adm.panel.all(),
            "materials": MaterialItem.objects.filter(site_id=adm.site_id, is_active=True),
            "received": set(adm.materials.values_list("pk", flat=True)),
            "view_form": view_form,
            "resolve_form": resolve_form,
            "lost_form": lost_form,
            "stage": admission_commitment.stages_for([adm.pk]).get(adm.pk),
        },
    )


@permission_required("care.view_admissionrequest", raise_exception=True)
def disagreements(request: HttpRequest) -> HttpResponse:
    site, sites = site_for(request)
    today = timezone.localdate()
    try:
        start = dt.date.fromisoformat(request.GET.get("from") or "")
    except ValueError:
        start = today - dt.timedelta(days=364)
    data = disagreement_analysis(site_id=site.pk, start=start, end=today)
    return render(
        request,
        "care/disagreements.html",
        {"site": site, "sites": sites, "start": start, "end": today, **data},
    )
