from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from opscenter.core.audit import history_for
from opscenter.core.exceptions import DomainError, NotFound, PermissionDenied
from opscenter.core.forms import PasswordResetForm
from opscenter.imports.exports import FORMATS
from opscenter.imports.tables import ExportColumn, export_response
from opscenter.org import selectors, services
from opscenter.org.selectors import scope_for


def _staff_table():
    """The staff import template's columns (so the file re-imports), plus the site."""
    return (*FORMATS["staff"], ExportColumn("院区", "department__site__name"))


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
        raise Http404("院区不存在") from exc
    staff = selectors.staff_list(user=request.user, site_id=site_id).filter(is_active=True)
    staff = staff.order_by("department__site__name", "department__name", "name", "pk")
    return export_response("员工名单", _staff_table(), staff, sheet_name="员工")


def staff_detail(request: HttpRequest, staff_id: int) -> HttpResponse:
    staff = selectors.staff_list(user=request.user).filter(pk=staff_id).first()
    if staff is None:
        raise Http404("员工不存在或无权访问")
    return _staff_page(request, staff, PasswordResetForm())


def _staff_page(request: HttpRequest, staff, form: PasswordResetForm, status: int = 200) -> HttpResponse:
    scope = scope_for(request.user)
    can_reset = (
        staff.user_id is not None
        and scope.can("org.change_staff")
        and scope.writes_site(staff.department.site_id)
        and (request.user.is_superuser or not staff.user.is_superuser)
    )
    context = {
        "staff": staff,
        "history": history_for(staff)[:100],
        "reset_form": form,
        "can_reset": can_reset,
    }
    return render(request, "org/staff_detail.html", context, status=status)


@require_POST
def staff_password_reset(request: HttpRequest, staff_id: int) -> HttpResponse:
    """An administrator (operations / HR of the staff member's site) sets their password."""
    staff = selectors.staff_list(user=request.user).select_related("user").filter(pk=staff_id).first()
    if staff is None:
        raise Http404("员工不存在或无权访问")
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
