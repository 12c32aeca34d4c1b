"""Screens of the report center and the cockpit. Thin: scoped fetch → service → render."""

from __future__ import annotations

import functools

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from opscenter.core.exceptions import DomainError, NotFound, PermissionDenied
from opscenter.core.htmx import is_partial, post_action, redirect_to
from opscenter.org.selectors import department_list, site_list
from opscenter.reports import periods, selectors, services
from opscenter.reports.choices import ReportKind
from opscenter.reports.cockpit import cockpit as build_cockpit
from opscenter.reports.exports import charts, report_pdf_bytes, report_xlsx


def domain_errors(view):
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from exc
        except PermissionDenied as exc:
            raise DjangoPermissionDenied(exc.message) from exc

    return wrapper


_redirect = redirect_to


def _report(request: HttpRequest, report_id: int):
    report = selectors.report_get(user=request.user, report_id=report_id)
    if report is None:
        raise NotFound(_("报告不存在或无权访问"))
    return report


@require_GET
def cockpit(request: HttpRequest) -> HttpResponse:
    """The cockpit: a full page, or the panel the home page loads (htmx)."""
    template = "reports/partials/_cockpit.html" if is_partial(request) else "reports/cockpit.html"
    return render(request, template, {"cockpit": build_cockpit(user=request.user)})


@domain_errors
def report_list(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("reports.view_report"):
        raise PermissionDenied(_("您没有查看报表的权限"))
    if request.method == "POST":
        try:
            kind = request.POST.get("kind", "")
            if kind not in ReportKind.values:
                raise DomainError(_("请选择报告类型"), field="kind")
            period = periods.parse(kind, request.POST.get("period", ""))
            site = site_list(user=request.user).filter(pk=request.POST.get("site") or 0).first()
            if site is None:
                raise NotFound(_("院区不存在或无权访问"))
            dept_id = request.POST.get("department")
            department = (
                department_list(user=request.user).filter(pk=dept_id, site=site).first() if dept_id else None
            )
            report = services.report_create(
                actor=request.user, site=site, period=period, department=department
            )
            return _redirect(request, reverse("reports:report_detail", args=[report.pk]))
        except DomainError as exc:
            if isinstance(exc, (PermissionDenied, NotFound)):
                raise
            messages.error(request, exc.message)
    today = timezone.localdate()
    return render(
        request,
        "reports/report_list.html",
        {
            "reports": selectors.report_list(user=request.user)[:200],
            "sites": site_list(user=request.user).filter(is_active=True),
            "departments": department_list(user=request.user).order_by("site__code", "name"),
            "this_week": periods.previous(periods.containing(ReportKind.WEEKLY, today)).label,
            "this_month": periods.previous(periods.containing(ReportKind.MONTHLY, today)).label,
        },
    )


@domain_errors
def report_detail(request: HttpRequest, report_id: int) -> HttpResponse:
    report = _report(request, report_id)
    data = services.report_data(report)
    svgs = charts(data)
    blocks = [{**block, "svg": svgs.get(block["code"])} for block in data["blocks"]]
    return render(request, "reports/report_detail.html", {"report": report, "data": data, "blocks": blocks})


@require_POST
@domain_errors
def report_narrative(request: HttpRequest, report_id: int) -> HttpResponse:
    return post_action(
        request,
        action=lambda: services.report_save_narrative(
            actor=request.user,
            report_id=report_id,
            narrative=request.POST.get("narrative", ""),
            version=request.POST.get("version") or None,
        ),
        success=_("趋势研判已保存"),
        url=reverse("reports:report_detail", args=[report_id]),
    )


@require_POST
@domain_errors
def report_publish(request: HttpRequest, report_id: int) -> HttpResponse:
    return post_action(
        request,
        action=lambda: services.report_publish(actor=request.user, report_id=report_id),
        success=_("报告已发布，数据已冻结"),
        url=reverse("reports:report_detail", args=[report_id]),
    )


@require_GET
@domain_errors
def report_xlsx_view(request: HttpRequest, report_id: int) -> HttpResponse:
    report = _report(request, report_id)
    return report_xlsx(report, services.report_data(report))


@require_GET
@domain_errors
def report_pdf_view(request: HttpRequest, report_id: int) -> HttpResponse:
    report = _report(request, report_id)
    pdf = report_pdf_bytes(report, services.report_data(report))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="report-{report.site.code}-{report.label}.pdf"'
    return response
