from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from opscenter.core.exceptions import DomainError, NotFound, PermissionDenied
from opscenter.core.forms import PasswordResetForm
from opscenter.core.history import history_page
from opscenter.imports.exports import FORMATS
from opscenter.imports.tables import ExportColumn, export_response
from opscenter.org import selectors, services
from opscenter.org import workforce as workforce_mod
from opscenter.org.selectors import scope_for


def _staff_table():
    """The staff import template's columns (so the file re-imports), plus the site."""
    return (*FORMATS["staff"], ExportColumn(_("院区"), "department__site__name"))


def org_chart(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    return render(
        request,
        "org/org_chart.html",
        {
            "sites": selectors.org_tree(user=request.user),
            "editable_site_ids": scope.site_ids if scope.can("org.change_liaison") else set(),
            "is_superuser": scope.is_superuser,
        },
    )


def staff_export(request: HttpRequest) -> HttpResponse:
    """The active staff the org page shows, as .xlsx (`?site=<id>`: one site's)."""
    try:
        site_id = int(request.GET["site"]) if request.GET.get("site") else None
    except ValueError as exc:
        raise Http404(_("院区不存在")) from exc
    staff = selectors.staff_list(user=request.user, site_id=site_id).filter(is_active=True)
    staff = staff.order_by("department__site__name", "department__name", "name", "pk")
    return export_response(_("员工名单"), _staff_table(), staff, sheet_name=_("员工"))


def staff_detail(request: HttpRequest, staff_id: int) -> HttpResponse:
    staff = selectors.staff_list(user=request.user).filter(pk=staff_id).first()
    if staff is None:
        raise Http404(_("员工不存在或无权访问"))
    return _staff_page(request, staff, PasswordResetForm())


def _staff_page(request: HttpRequest, staff, form: PasswordResetForm, status: int = 200) -> HttpResponse:
    scope = selectors.scope_for(request.user)
    # The hand-over (pipeline:staff_hand_over) is a manager's step: the pipeline's rule, by permission.
    can_hand_over = scope.is_superuser or (not scope.own_only and scope.can("pipeline.change_customer"))
    can_reset = (
        staff.user_id is not None
        and scope.can("org.change_staff")
        and scope.writes_site(staff.department.site_id)
        and (request.user.is_superuser or not staff.user.is_superuser)
    )
    context = {
        "staff": staff,
        "history": history_page(staff),
        "can_hand_over": can_hand_over,
        "reset_form": form,
        "can_reset": can_reset,
    }
    return render(request, "org/staff_detail.html", context, status=status)


@require_POST
def staff_password_reset(request: HttpRequest, staff_id: int) -> HttpResponse:
    """An administrator (operations / HR of the staff member's site) sets their password."""
    staff = selectors.staff_list(user=request.user).select_related("user").filter(pk=staff_id).first()
    if staff is None:
        raise Http404(_("员工不存在或无权访问"))
    form = PasswordResetForm(request.POST)
    if form.is_valid():
        try:
            services.staff_password_reset(
                actor=request.user, staff_id=staff.pk, new_password=form.cleaned_data["new_password"]
            )
        except (NotFound, PermissionDenied) as exc:
            raise Http404(exc.message) from exc
        except DomainError as exc:
            form.add_error("new_password", exc.message)
        else:
            messages.success(request, _("已重置该员工的登录密码"))
            return redirect("org:staff_detail", staff_id=staff.pk)
    return _staff_page(request, staff, form, status=400)


@require_POST
def liaison_assign(request: HttpRequest, department_id: int) -> HttpResponse:
    """Set a department's liaison from the org page (operations / HR of that site)."""
    try:
        staff_id = int(request.POST.get("staff_id", ""))
        services.liaison_assign(actor=request.user, department_id=department_id, staff_id=staff_id)
        messages.success(request, _("联络员已更新"))
    except ValueError:
        messages.error(request, _("请选择联络员"))
    except (NotFound, PermissionDenied) as exc:
        raise Http404(exc.message) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(f"{reverse('org:org_chart')}#department-{department_id}")


def _month_param(raw: str | None, default: int) -> int:
    if not raw:
        return default
    try:
        year, month = (int(part) for part in raw.split("-"))
        if not (2000 <= year <= 2100 and 1 <= month <= 12):
            raise ValueError
    except ValueError as exc:
        raise Http404(_("月份格式不正确，应为 2026-07")) from exc
    return year * 100 + month


def _id_param(request: HttpRequest, name: str) -> int | None:
    raw = request.GET.get(name)
    if not raw:
        return None
    if not raw.isdigit():
        raise Http404(_("参数不正确"))
    return int(raw)


def workforce(request: HttpRequest) -> HttpResponse:
    """Headcount, joiners, leavers and turnover per month per department (`?year=`, `?site=`)."""
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year") or today.year)
    except ValueError as exc:
        raise Http404(_("年份不正确")) from exc
    site_id = _id_param(request, "site")
    months = [year * 100 + m for m in range(1, 13)]
    counts = workforce_mod.workforce_counts(
        user=request.user, months=months, site_id=site_id, by_department=True
    )
    departments = selectors.department_list(user=request.user).filter(pk__in=counts).select_related("site")
    rows = []
    for department in departments.order_by("site__code", "name"):
        cells = []
        for month in months:
            c = counts[department.pk][month]
            params = {"department": department.pk, "month_from": f"{year}-{month % 100:02d}"}
            params["month_to"] = params["month_from"]
            base = reverse("org:workforce_rows")
            cells.append({
                "month": month, **c,
                "turnover": workforce_mod.turnover(c["staff_leavers"], c["staff_headcount_start"]),
                "urls": {key: f"{base}?{urlencode({**params, 'metric': key})}" for key in workforce_mod.KEYS},
            })  # fmt: skip
        rows.append({"department": department, "cells": cells})
    return render(request, "org/workforce.html", {"year": year, "months": months, "rows": rows})


def workforce_rows(request: HttpRequest) -> HttpResponse:
    key = request.GET.get("metric", "")
    if key not in workforce_mod.LABELS:
        raise Http404(_("未知的人员指标"))
    current = timezone.localdate().year * 100 + timezone.localdate().month
    month_to = _month_param(request.GET.get("month_to"), current)
    month_from = _month_param(request.GET.get("month_from"), month_to)
    staff = workforce_mod.workforce_rows(
        user=request.user, key=key, month_from=month_from, month_to=month_to, site_id=_id_param(request, "site"),
        department_id=_id_param(request, "department"), team_id=_id_param(request, "team"),
        staff_id=_id_param(request, "consultant"),
    )  # fmt: skip
    return render(
        request,
        "org/workforce_rows.html",
        {"label": workforce_mod.LABELS[key], "month_from": month_from, "month_to": month_to, "staff": staff},
    )
