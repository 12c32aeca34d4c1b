"""Customer list and Excel export, the customer page, registration with duplicate detection,
claiming after the protection window, and a manager's reassignment of the owner."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from opscenter.core.excel import Column, xlsx_response
from opscenter.core.exceptions import DomainError, PermissionDenied, ValidationError
from opscenter.core.history import history_page
from opscenter.core.htmx import is_partial
from opscenter.core.lists import list_page
from opscenter.org.selectors import scope_for, site_list, staff_list
from opscenter.pipeline import screens, selectors, services
from opscenter.pipeline.exceptions import DuplicateCustomer
from opscenter.pipeline.forms import (
    CustomerBulkForm,
    CustomerEditForm,
    CustomerFilterForm,
    CustomerReassignForm,
    CustomerRegisterForm,
    add_domain_error,
)
from opscenter.pipeline.views._common import (
    customer_abilities,
    customer_url,
    domain_errors,
    done,
    entry,
    form_page,
    is_manager,
    redirect,
    require_ability,
    writable_sites,
)

# --- list and export ------------------------------------------------------------------------------


def _filter_form(request: HttpRequest) -> CustomerFilterForm:
    user = request.user
    scope = scope_for(user)
    form = CustomerFilterForm(
        request.GET or None,
        channels=selectors.channel_list(user=user),
        staff=screens.staff_choices(user=user),
        sites=site_list(user=user).order_by("name"),
    )
    form.show_owner = not scope.own_only or scope.is_superuser
    form.show_site = scope.is_superuser or scope.all_sites or len(scope.site_ids) > 1
    return form


def _filtered_customers(request: HttpRequest, form: CustomerFilterForm):
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    return screens.customer_search(
        user=request.user,
        search=data.get("q") or "",
        status=data.get("status") or None,
        channel_id=data["channel"].pk if data.get("channel") else None,
        owner_id=data["owner"].pk if data.get("owner") else None,
        site_id=data["site"].pk if data.get("site") else None,
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
    )


def _bulk_form(request: HttpRequest, data=None) -> CustomerBulkForm | None:
    """The list's bulk-action form, with the actions this user may take (None: no action)."""
    user = request.user
    scope = scope_for(user)
    actions = []
    if is_manager(scope):
        actions.append("reassign")
    if scope.can("pipeline.add_followup"):
        actions.append("followup")
    if not actions:
        return None
    return CustomerBulkForm(data, staff=screens.staff_choices(user=user), actions=actions)


@require_GET
def customer_list(request: HttpRequest) -> HttpResponse:
    form = _filter_form(request)
    customers = _filtered_customers(request, form)
    listing = list_page(
        request,
        customers,
        columns=screens.customer_columns(with_site=form.show_site),
        list_key="pipeline:customer_list",
        default_sort=screens.CUSTOMER_DEFAULT_SORT,
    )
    context = {
        "form": form,
        "list": listing,
        "page": listing.page,
        "query": listing.query,
        "export_url": f"{reverse('pipeline:customer_export')}?{listing.query}",
        "can_add": scope_for(request.user).can("pipeline.add_customer"),
        "bulk_form": None if listing.print_view else _bulk_form(request),
    }
    if is_partial(request):
        return render(request, "pipeline/partials/_customer_table.html", context)
    return render(request, "pipeline/customer_list.html", context)


@require_POST
@domain_errors
def customer_bulk(request: HttpRequest) -> HttpResponse:
    """Apply a bulk action to the ticked customers, then back to the list as it was filtered."""
    back = reverse("pipeline:customer_list")
    query = request.POST.get("query", "")
    if query:
        back = f"{back}?{QueryDict(query).urlencode()}"
    form = _bulk_form(request, request.POST)
    if form is None:
        raise PermissionDenied(_("您没有执行此操作的权限"), log_message="bulk action without a role")
    ids = [int(v) for v in request.POST.getlist("customers") if v.isdigit()]
    if not form.is_valid():
        errors = _("；").join(str(e) for errs in form.errors.values() for e in errs)
        messages.error(request, errors)
        return redirect(request, back)
    data = form.cleaned_data
    try:
        if data["action"] == "reassign":
            count = services.customers_reassign(
                actor=request.user, customer_ids=ids, to_owner_id=data["owner"].pk, reason=data["reason"]
            )
            message = _("已改派 %(count)d 位客户给 %(owner)s") % {"count": count, "owner": data["owner"].name}
        else:
            count = services.followups_schedule(
                actor=request.user,
                customer_ids=ids,
                scheduled_on=data["scheduled_on"],
                channel=data.get("channel") or "phone",
                note=data.get("note") or "",
            )
            message = _("已为 %(count)d 位客户安排回访") % {"count": count}
    except ValidationError as exc:
        messages.error(request, exc.message)
        return redirect(request, back)
    return done(request, back, message)


@require_GET
def customer_export(request: HttpRequest) -> HttpResponse:
    """The list as Excel, with the same filters (and the same scoping) as on screen."""
    form = _filter_form(request)
    customers = _filtered_customers(request, form).order_by("pk")
    columns = [Column(header, kind) for header, kind in screens.EXPORT_COLUMNS]
    filename = _("客户列表_%(localdate)s.xlsx") % {"localdate": format(timezone.localdate(), "%Y%m%d")}
    return xlsx_response(
        filename, columns=columns, rows=screens.customer_export_rows(customers), sheet_name=_("客户")
    )


# --- customer page --------------------------------------------------------------------------------

MAX_TIMELINE_PAGE = 1000  # 50,000 entries; a page number beyond is read as the first page


@require_GET
@domain_errors
def customer_detail(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = selectors.customer_get(user=request.user, customer_id=customer_id)
    tab = "history" if request.GET.get("tab") == "history" else "timeline"
    context: dict[str, Any] = {
        "customer": customer,
        "tab": tab,
        "protected_until": customer.protected_until(),
        "protection": customer.protection(),
        **customer_abilities(request.user, customer),
    }
    if tab == "history":
        context["history"] = history_page(customer)
    else:
        page = request.GET.get("page", "1")
        page = int(page) if page.isdigit() and 0 < int(page) <= MAX_TIMELINE_PAGE else 1
        context["timeline"] = screens.customer_timeline(user=request.user, customer=customer, page=page)
        context["today"] = timezone.localdate()
        if is_partial(request) and page > 1:  # "load more": only the next entries
            return render(request, "pipeline/partials/_customer_timeline_items.html", context)
    if is_partial(request):
        return render(request, f"pipeline/partials/_customer_{tab}.html", context)
    return render(request, "pipeline/customer_detail.html", context)


# --- registration and ownership -------------------------------------------------------------------


@domain_errors
def customer_register(request: HttpRequest) -> HttpResponse:
    """Register a prospect together with the first consultation; a known phone says who owns it."""
    user = request.user
    scope = scope_for(user)
    scope.require("pipeline.add_customer")
    sites = writable_sites(user)
    kwargs = {"channels": selectors.channel_list(user=user), "sites": sites}
    if not scope.own_only or scope.is_superuser:
        kwargs["staff"] = (
            staff_list(user=user).filter(is_active=True, department__site__in=sites).order_by("name")
        )
    form = CustomerRegisterForm(request.POST or None, **kwargs)
    duplicate = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                customer = services.customer_register(
                    actor=user,
                    site_id=data["site"].pk,
                    name=data["name"],
                    phone=data["phone"],
                    channel_id=data["channel"].pk if data.get("channel") else None,
                    owner_id=data["owner"].pk if data.get("owner") else None,
                    gender=data["gender"],
                    age=data.get("age"),
                    profession=data.get("profession") or "",
                    city=data.get("city") or "",
                    note=data.get("note") or "",
                )
                services.consultation_record(
                    actor=user,
                    customer_id=customer.pk,
                    mode=data["mode"],
                    occurred_at=timezone.now(),
                    content=data.get("content") or "",
                    intent=data["intent"],
                )
        except DuplicateCustomer as exc:
            duplicate = exc
            form.add_error("phone", _("该电话已登记，不能重复登记"))
        except ValidationError as exc:
            add_domain_error(form, exc)
        else:
            return done(
                request, customer_url(customer.pk), _("客户“%(name)s”已登记") % {"name": customer.name}
            )
    context = {
        "form": form,
        "duplicate": duplicate,
        "duplicate_message": _duplicate_message(duplicate) if duplicate else "",
    }
    return form_page(
        request, "pipeline/customer_register.html", "pipeline/partials/_register_form.html", context
    )


def _duplicate_message(exc: DuplicateCustomer) -> str:
    """“该客户已由 咨询师X（院区）跟进，保护期至 …” — who owns the phone, without showing the record."""
    if exc.owner_name:
        text = _("该客户已由 %(owner)s（%(site)s）跟进") % {"owner": exc.owner_name, "site": exc.site_name}
    else:
        text = _("该电话已在%(site)s登记，目前无归属咨询师") % {"site": exc.site_name}
    if exc.protected_until is not None and not exc.can_claim:
        until = timezone.localtime(exc.protected_until)
        text += _("，保护期至 %(date)s") % {"date": f"{until:%Y-%m-%d}"}
    elif exc.can_claim:
        text += _("，已过保护期，可以认领")
    return text + _("；不能重复登记。")


@require_POST
@domain_errors
def customer_claim(request: HttpRequest, customer_id: int) -> HttpResponse:
    """Take a customer whose owner's protection window has passed (or who has no owner)."""
    try:
        customer = services.customer_claim(actor=request.user, customer_id=customer_id)
    except DomainError as exc:  # e.g. OwnershipProtected: still inside the owner's window
        messages.error(request, exc.message)
        return HttpResponseRedirect(reverse("pipeline:customer_register"))
    return done(request, customer_url(customer.pk), _("已认领客户“%(name)s”") % {"name": customer.name})


@domain_errors
def customer_reassign(request: HttpRequest, customer_id: int) -> HttpResponse:
    """A manager gives the customer to another consultant of the site; the reason is required and
    shows on the timeline (ownership) and in the history tab (audit)."""
    user = request.user
    customer = selectors.customer_get(user=user, customer_id=customer_id)
    require_ability(user, customer, "can_reassign")
    staff = screens.staff_choices(user=user, site_id=customer.site_id).exclude(pk=customer.owner_id)
    form = CustomerReassignForm(request.POST or None, staff=staff)

    def save(data):
        services.customer_reassign(
            actor=user,
            customer_id=customer.pk,
            to_owner_id=data["owner"].pk,
            reason=data.get("reason") or "",
        )

    return entry(
        request,
        customer,
        form,
        save,
        name="customer_reassign",
        pk=customer.pk,
        title=_("改派归属咨询师"),
        submit=_("确认改派"),
        success=_("客户归属已改派"),
    )


@domain_errors
def customer_edit(request: HttpRequest, customer_id: int) -> HttpResponse:
    """Edit a customer's details. The form carries the version it was drawn with: if someone saved
    the customer in between, the service refuses and the form says so (nothing is overwritten).
    A change of source channel needs a reason (it moves the channel attribution)."""
    user = request.user
    customer = selectors.customer_get(user=user, customer_id=customer_id)
    require_ability(user, customer, "can_edit")
    channels = selectors.channel_list(user=user, site_id=customer.site_id)
    initial = CustomerEditForm.initial_for(customer, services.customer_version(customer))
    form = CustomerEditForm(request.POST or None, channels=channels, initial=initial)

    def save(data):
        services.customer_update(
            actor=user,
            customer_id=customer.pk,
            expected_version=data["expected_version"],
            reason=data.get("reason") or "",
            name=data["name"],
            phone=data["phone"],
            gender=data["gender"],
            birthday=data.get("birthday"),
            age=data.get("age"),
            city=data.get("city") or "",
            profession=data.get("profession") or "",
            channel_id=data["channel"].pk if data.get("channel") else None,
            tags=data.get("tags") or "",
            note=data.get("note") or "",
        )

    return entry(
        request,
        customer,
        form,
        save,
        name="customer_edit",
        pk=customer.pk,
        title=_("编辑客户资料"),
        submit=_("保存修改"),
        success=_("客户资料已更新"),
    )
