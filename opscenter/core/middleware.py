import logging
import re

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _

from opscenter.core.audit import Actor, _current
from opscenter.core.exceptions import DomainError, NotFound, PermissionDenied

logger = logging.getLogger(__name__)

# Reachable without login: the login page itself, health check, static files, language switch
# (so the login page can be read in English). The API answers 401 JSON itself.
PUBLIC_PREFIXES = ("/accounts/login/", "/healthz", "/favicon.ico", "/static/", "/i18n/", "/api/")


class LoginRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.user.is_authenticated and not request.path.startswith(PUBLIC_PREFIXES):
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        return self.get_response(request)


class UserLanguageMiddleware:
    """A signed-in user's saved language wins over the cookie and the browser's Accept-Language."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)


class AuditActorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user if request.user.is_authenticated else None
        token = _current.set(Actor(user=user, source="web"))
        try:
            return self.get_response(request)
        finally:
            _current.reset(token)


# Ids, offsets and counts are stored in 64-bit columns: a larger number in a query string or in
# the path can never name a row, and would overflow the database driver (a 500) if passed on.
INT64_MAX = 2**63 - 1
_INTEGER = re.compile(r"[+-]?[0-9]+")
# Free-text parameters, where a long run of digits is a search term rather than a number.
TEXT_PARAMETERS = frozenset({"q", "search", "next"})


def _too_big(value: str) -> bool:
    text = value.strip()
    if not _INTEGER.fullmatch(text):
        return False
    digits = text.lstrip("+-").lstrip("0")
    return len(digits) > 19 or int(digits or "0") > INT64_MAX  # int() of a huge string is refused


def _bad_request(request, message: str, field: str | None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message, "field": field}, status=400)
    return render(request, "core/400.html", {"message": message, "field": field}, status=400)


class BadInputMiddleware:
    """Refuse out-of-range integers before a view sees them, and answer the domain errors a view
    let through (`core.exceptions`) with a 4xx rather than a server error: out of scope → 404 (we
    do not say whether it exists), out of role → 403, anything else refused → 400 naming the field.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for name, values in request.GET.lists():
            if name not in TEXT_PARAMETERS and any(_too_big(v) for v in values):
                logger.info("query parameter %s out of the 64-bit range", name)
                return _bad_request(request, _("参数“%(name)s”的数值超出范围") % {"name": name}, name)
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        for name, value in view_kwargs.items():
            if (isinstance(value, int) and abs(value) > INT64_MAX) or (
                isinstance(value, str) and _too_big(value)
            ):
                logger.info("path argument %s out of the 64-bit range", name)
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": str(_("记录不存在或无权访问")), "field": name}, status=404)
                raise Http404(name)
        return None

    def process_exception(self, request, exception):
        if not isinstance(exception, DomainError):
            return None
        logger.info("domain error reached %s: %s", request.path, exception.log_message)
        if isinstance(exception, NotFound):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": exception.message}, status=404)
            raise Http404(exception.message) from exception
        if isinstance(exception, PermissionDenied):
            raise DjangoPermissionDenied(exception.message) from exception
        return _bad_request(request, exception.message, exception.field)


class NoStoreMiddleware:
    """Pages and API answers for a signed-in user carry personal data (names, phone numbers):
    no browser or proxy cache may keep them (`Cache-Control: no-store`)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or request.path.startswith("/api/"):
            response["Cache-Control"] = "no-store, private"
        return response
