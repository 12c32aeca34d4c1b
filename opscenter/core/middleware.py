from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.utils import translation

from opscenter.core.audit import Actor, _current

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
