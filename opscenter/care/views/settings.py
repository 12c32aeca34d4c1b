"""The site's care set-up: settings (versioned edits), zones, rooms and beds, nurse shifts, materials."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from opscenter.care import services
from opscenter.care.admission_commitment import FAMILY
from opscenter.care.forms import MaterialForm, NurseForm, RoomForm, SettingsForm, ZoneForm
from opscenter.care.models import Bed, MaterialItem, NurseAssignment, Zone
from opscenter.care.views._common import site_for, staff_choices, submit
from opscenter.commitments.selectors import tree_list
from opscenter.core.exceptions import ValidationError


@permission_required("care.view_caresettings", raise_exception=True)
def setup(request: HttpRequest) -> HttpResponse:
    site, sites = site_for(request)
    url = f"{reverse('care:setup')}?site={site.pk}"
    settings = services.care_settings_for(site.pk)
    admission_tree = (
        tree_list(user=request.user).filter(site=site, family=FAMILY).order_by("-version").first()
    )
    zones = Zone.objects.filter(site=site)
    zone_choices = [(str(z.pk), z.name) for z in zones]
    settings_form = SettingsForm(instance=settings, initial={"version": settings.version})
    room_form = RoomForm()
    room_form.fields["zone"].choices = zone_choices
    nurse_form = NurseForm()
    nurse_form.fields["zone"].choices = zone_choices
    nurse_form.fields["staff"].choices = staff_choices(request.user, site.pk, kind="nursing")
    zone_form = ZoneForm()
    zone_form.fields["zone"].choices = zone_choices
    material_form = MaterialForm()
    action = request.POST.get("action")
    done = None
    if action == "settings":
        settings_form = SettingsForm(request.POST, instance=services.care_settings_for(site.pk))
        if settings_form.is_valid():
            data = dict(settings_form.cleaned_data)
            version = data.pop("version")
            try:
                services.care_settings_update(actor=request.user, site_id=site.pk, version=version, **data)
                messages.success(request, _("设置已保存"))
                done = HttpResponseRedirect(url)
            except ValidationError as exc:
                settings_form.add_error(None, exc.message)
    elif action == "room":
        room_form = RoomForm(request.POST)
        room_form.fields["zone"].choices = zone_choices
        done = submit(
            request,
            room_form,
            lambda d: services.room_create(
                actor=request.user,
                zone_id=int(d["zone"]),
                number=d["number"],
                floor=d.get("floor") or "",
                beds=d["beds"],
            ),
            _("房间已添加"),
            url,
        )
    elif action == "zone":
        zone_form = ZoneForm(request.POST)
        zone_form.fields["zone"].choices = zone_choices
        done = submit(
            request,
            zone_form,
            lambda d: services.zone_update(
                actor=request.user,
                zone_id=int(d["zone"]),
                name=d["name"],
                max_day=d["max_day"],
                max_night=d["max_night"],
            ),
            _("分区已保存"),
            url,
        )
    elif action == "material":
        material_form = MaterialForm(request.POST)
        done = submit(
            request,
            material_form,
            lambda d: services.material_create(
                actor=request.user, site_id=site.pk, name=d["name"], is_required=d.get("is_required", False)
            ),
            _("材料已添加"),
            url,
        )
    elif action == "nurse":
        nurse_form = NurseForm(request.POST)
        nurse_form.fields["zone"].choices = zone_choices
        nurse_form.fields["staff"].choices = staff_choices(request.user, site.pk, kind="nursing")
        done = submit(
            request,
            nurse_form,
            lambda d: services.nurse_assign(
                actor=request.user, zone_id=int(d["zone"]), staff_id=int(d["staff"]), shift=d["shift"]
            ),
            _("排班已保存"),
            url,
        )
    if done:
        return done
    from django.db.models import Count

    return render(
        request,
        "care/setup.html",
        {
            "site": site,
            "sites": sites,
            "zones": zones.annotate(n_beds=Count("beds")),
            "beds": Bed.objects.filter(site=site)
            .select_related("room", "zone")
            .order_by("zone__sort_order", "room__number", "label"),
            "nurses": NurseAssignment.objects.filter(site=site).select_related("zone", "staff"),
            "materials": MaterialItem.objects.filter(site=site),
            "settings_form": settings_form,
            "room_form": room_form,
            "nurse_form": nurse_form,
            "zone_form": zone_form,
            "material_form": material_form,
            "admission_tree": admission_tree,
        },
    )
