"""The one htmx convention: a request is partial when htmx sent it and did not ask to boost."""

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect


def is_partial(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-Boosted") != "true"


def hx_redirect(url: str) -> HttpResponse:
    response = HttpResponse(status=204)
    response["HX-Redirect"] = url
    return response


def hx_trigger(event: str, status: int = 204) -> HttpResponse:
    response = HttpResponse(status=status)
    response["HX-Trigger"] = event
    return response


def redirect_to(request: HttpRequest, url: str) -> HttpResponse:
    """A redirect htmx follows as a page change (an HX-Redirect), or a plain 302."""
    return hx_redirect(url) if is_partial(request) else HttpResponseRedirect(url)


def post_action(
    request: HttpRequest,
    *,
    action: Callable[[], object],
    success: str | Callable[[object], str] | None,
    url: str,
    success_url: Callable[[object], str] | None = None,
) -> HttpResponse:
    """Run the action of a POSTed button and go back to `url`: the success message, or the domain
    error as a message on that page. A missing or forbidden object is not a message but the 404 /
    403 it is, so the row's existence is never revealed through the message.

    `success` may be a function of what the action returned (a message naming what happened) or
    None (no message); `success_url(result)` sends a successful action elsewhere than `url` (e.g.
    to the new draft version it created)."""
    from opscenter.core.exceptions import DomainError, NotFound, PermissionDenied

    try:
        result = action()
    except DomainError as exc:
        if isinstance(exc, NotFound | PermissionDenied):
            raise
        messages.error(request, exc.message)
        return redirect_to(request, url)
    message = success(result) if callable(success) else success
    if message:
        messages.success(request, message)
    return redirect_to(request, success_url(result) if success_url else url)
