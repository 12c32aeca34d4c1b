"""Work queues (issue 12 item 5): the appointment calendar (day / week / list), the visits and
deals lists, and the assessments awaiting a ruling. Filters live in the URL (GET forms), every
list sorts by column, prints and exports with the same filters (`?format=xlsx`), and tables that
mix sites show the site."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from opscenter.core.lists import list_page
from opscenter.org.choices import SiteKind
from opscenter.org.selectors import scope_for, site_list
from opscenter.pipeline import screens
from opscenter.pipeline.forms import AppointmentCalendarForm, DealFilterForm, VisitFilterForm
from opscenter.pipeline.screens import queues
from opscenter.pipeline.views._common import is_manager
from opscenter.pipeline.views.exports import queue_response, wants_xlsx


def _form(request: HttpRequest, form_class, **extra):
    user = request.user
    return form_class(
        request.GET or None,
        sites=site_list(user=user).filter(is_active=True).order_by("name"),
        staff=screens.staff_choices(user=user),
        show_site=queues.sees_many_sites(user),
        **extra,
    )


def _list_context(request: HttpRequest, listing, **extra) -> dict:
    return {
        "list": listing,
        "export_url": f"?{listing.filter_query}{'&' if listing.filter_query else ''}format=xlsx",
        "show_site": queues.sees_many_sites(request.user),
        **extra,
    }


@require_GET
def appointment_calendar(request: HttpRequest) -> HttpResponse:
    """Appointments by day (a lane per consultant, rows by hour), by week (a column per day), or as
    a list; per site and per consultant. The day defaults to today."""
    form = _form(request, AppointmentCalendarForm)
    view = form.value("view") or "day"
    day = form.value("date") or timezone.localdate()
    site_id, consultant_id, status = form.pk("site"), form.pk("consultant"), form.value("status")
    context = {"form": form, "view": view, "day": day, "show_site": queues.sees_many_sites(request.user)}
    if view == "list":
        rows = queues.appointment_search(
            user=request.user,
            date_from=form.value("date_from") or (day if not form.value("date_to") else None),
            date_to=form.value("date_to"),
            site_id=site_id,
            consultant_id=consultant_id,
            status=status,
        )
        if wants_xlsx(request):
            return queue_response(_("预约列表"), "appointment", rows.order_by("scheduled_for", "pk"))
        listing = list_page(
            request,
            rows,
            columns=queues.appointment_columns(with_site=context["show_site"]),
            list_key="pipeline:appointment_calendar",
            default_sort="scheduled",
        )
        context.update(_list_context(request, listing))
    else:
        context["calendar"] = queues.appointment_calendar(
            user=request.user,
            view=view,
            day=day,
            site_id=site_id,
            consultant_id=consultant_id,
            status=status,
        )
    query = request.GET.copy()
    for name in ("view", "date", "page", "sort", "print", "format"):
        query.pop(name, None)
    context["base_query"] = query.urlencode()
    context["today"] = timezone.localdate()
    return render(request, "pipeline/appointment_calendar.html", context)


def _filtered_list(request, form, rows, *, kind: str, title: str, columns, default_sort: str, template: str):
    if wants_xlsx(request):
        return queue_response(title, kind, rows.order_by("pk"))
    listing = list_page(
        request, rows, columns=columns, list_key=f"pipeline:{kind}_list", default_sort=default_sort
    )
    return render(request, template, {"form": form, **_list_context(request, listing)})


@require_GET
def visit_list(request: HttpRequest) -> HttpResponse:
    """Visits (上门/到院) with filters: date range, site, consultant, source, outcome, untriaged."""
    form = _form(request, VisitFilterForm)
    rows = queues.visit_search(
        user=request.user,
        date_from=form.value("date_from"),
        date_to=form.value("date_to"),
        site_id=form.pk("site"),
        consultant_id=form.pk("consultant"),
        source=form.value("source"),
        outcome=form.value("outcome"),
        untriaged=bool(form.value("untriaged")),
    )
    columns = queues.visit_columns(with_site=queues.sees_many_sites(request.user))
    return _filtered_list(
        request,
        form,
        rows,
        kind="visit",
        title=_("上门列表"),
        columns=columns,
        default_sort="-arrived",
        template="pipeline/visit_list.html",
    )


def _sees_elder_care(user) -> bool:
    return site_list(user=user).filter(kind=SiteKind.ELDER_CARE).exists()


@require_GET
def deal_list(request: HttpRequest) -> HttpResponse:
    """Deals (成交/签约) with filters: date range, site, consultant, status, stay type, new only."""
    elder_care = _sees_elder_care(request.user)
    form = _form(request, DealFilterForm, elder_care=elder_care)
    rows = queues.deal_search(
        user=request.user,
        date_from=form.value("date_from"),
        date_to=form.value("date_to"),
        site_id=form.pk("site"),
        consultant_id=form.pk("consultant"),
        status=form.value("status"),
        stay_type=form.value("stay_type"),
        new_only=bool(form.value("new_only")),
    )
    columns = queues.deal_columns(with_site=queues.sees_many_sites(request.user), elder_care=elder_care)
    return _filtered_list(
        request,
        form,
        rows,
        kind="deal",
        title=_("成交列表"),
        columns=columns,
        default_sort="-signed",
        template="pipeline/deal_list.html",
    )


@require_GET
def assessment_queue(request: HttpRequest) -> HttpResponse:
    """Second opinions awaiting a manager's ruling, oldest first, each with how long it has waited
    and, for managers, the link to rule on it."""
    scope = scope_for(request.user)
    show_site = queues.sees_many_sites(request.user)
    listing = list_page(
        request,
        queues.assessment_queue(user=request.user),
        columns=queues.assessment_columns(with_site=show_site),
        list_key="pipeline:assessment_queue",
        default_sort="raised",
    )
    rows = list(listing.page.object_list)
    listing.page.object_list = rows
    # The same rule as the customer page's "裁定分歧": a manager, on their own sites only
    # (executives read every site but rule on none).
    can_resolve = scope.can("pipeline.change_assessment") and is_manager(scope)
    context = _list_context(request, listing)
    context["resolvable"] = {a.pk for a in rows if can_resolve and scope.writes_site(a.site_id)}
    return render(request, "pipeline/assessment_queue.html", context)
