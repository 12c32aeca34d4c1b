"""What every pipeline view shares: domain errors as HTTP, the success redirect, the shape of a
quick-entry view, and who may do what on the customer page."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from opscenter.core.exceptions import NotFound, PermissionDenied, ValidationError
from opscenter.core.htmx import hx_redirect, is_partial
from opscenter.org.choices import SiteKind
from opscenter.org.selectors import scope_for, site_list
from opscenter.pipeline.forms import add_domain_error
from opscenter.pipeline.models import Customer

# The services' rule for who counts as a manager (reassign owners, settle assessment disputes);
# the customer page uses the same function to decide which forms to offer.
from opscenter.pipeline.services._common import is_manager


def domain_errors(view):
    """Out of scope → 404 (we do not say whether it exists); out of role → 403."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from exc
        except PermissionDenied as exc:
            raise DjangoPermissionDenied(exc.message) from exc

    return wrapper


def redirect(request: HttpRequest, url: str) -> HttpResponse:
    return hx_redirect(url) if is_partial(request) else HttpResponseRedirect(url)


def done(request: HttpRequest, url: str, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect(request, url)


def form_page(request: HttpRequest, template: str, partial: str, context: dict[str, Any]) -> HttpResponse:
    """The form's full page, or only the form (htmx re-render with errors)."""
    return render(request, partial if is_partial(request) else template, context)


def customer_url(customer_id: int) -> str:
    return reverse("pipeline:customer_detail", args=[customer_id])


def writable_sites(user):
    scope = scope_for(user)
    sites = site_list(user=user).filter(is_active=True).order_by("name")
    return sites if scope.is_superuser else sites.filter(pk__in=scope.site_ids)


def customer_abilities(user, customer: Customer) -> dict[str, bool]:
    """Which actions the customer page offers; each mirrors the check its service makes."""
    scope = scope_for(user)
    writes = scope.writes_site(customer.site_id)
    return {
        "can_write": writes and scope.can("pipeline.add_consultation"),
        # Admission assessments are an elder-care step; other sites are not offered the form.
        "can_assess": writes
        and scope.can("pipeline.add_assessment")
        and customer.site.kind == SiteKind.ELDER_CARE,
        "can_resolve": writes and scope.can("pipeline.change_assessment") and is_manager(scope),
        "can_reassign": writes and is_manager(scope),
        "can_edit": writes and scope.can("pipeline.change_customer"),
        "can_cancel_deal": writes and scope.can("pipeline.change_deal"),
    }


def require_ability(user, customer: Customer, ability: str) -> None:
    """Refuse (403) before showing a form whose service would refuse the user anyway."""
    if not customer_abilities(user, customer)[ability]:
        raise PermissionDenied(_("您没有执行此操作的权限"), log_message=f"customer page without {ability}")


def entry(
    request: HttpRequest,
    customer: Customer,
    form: forms.Form,
    save: Callable[[dict[str, Any]], object],
    *,
    name: str,
    pk: int,
    title: str,
    submit: str,
    success: str,
    next_url: str | None = None,
    query: str = "",
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    """A quick entry on a customer: a valid POST calls `save(cleaned_data)` (the service) and goes
    to `next_url` (default: the customer page) with `success`; otherwise the form again, with the
    service's message next to the field it names. Nothing is saved when the service refuses.

    `name` is both the URL name (`pipeline:<name>`, with `pk`) and the page (`pipeline/<name>.html`).
    """
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except ValidationError as exc:
            add_domain_error(form, exc)
        else:
            return done(request, next_url or customer_url(customer.pk), success)
    context = {
        "customer": customer,
        "form": form,
        "title": title,
        "submit": submit,
        "action": reverse(f"pipeline:{name}", args=[pk]) + query,
        **(extra or {}),
    }
    return form_page(request, f"pipeline/{name}.html", "pipeline/partials/_entry_form.html", context)
