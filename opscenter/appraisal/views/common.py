"""Helpers shared by the appraisal screens."""

from __future__ import annotations

import functools

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from opscenter.core.exceptions import DomainError, NotFound, PermissionDenied
from opscenter.core.htmx import redirect_to


def domain_errors(view):
    """Out of role or out of one's sites → 403; missing → 404."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from exc
        except PermissionDenied as exc:
            raise DjangoPermissionDenied(exc.message) from exc

    return wrapper


redirect = redirect_to  # the one htmx-aware redirect (core.htmx)


def attempt(request: HttpRequest, success: str, call) -> bool:
    """Run a service; a refused input becomes an error message (permission errors propagate)."""
    try:
        call()
    except PermissionDenied:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
        return False
    if success:
        messages.success(request, success)
    return True


def form_attempt(form, call):
    """Run a service for a valid form: its result, or None with the refusal shown on the field it
    names (or above the form); permission errors propagate."""
    try:
        return call()
    except PermissionDenied:
        raise
    except DomainError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return None
