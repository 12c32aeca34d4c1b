"""The one htmx convention: a request is partial when htmx sent it and did not ask to boost."""

from django.http import HttpRequest, HttpResponse


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
