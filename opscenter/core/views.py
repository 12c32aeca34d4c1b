from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.db import connection
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from ninja.openapi.docs import Swagger

from opscenter.core import services
from opscenter.core.context_processors import nav_for
from opscenter.core.exceptions import DomainError, NotFound
from opscenter.core.forms import ApiTokenCreateForm, LanguageForm, PasswordChangeForm
from opscenter.core.htmx import hx_redirect, is_partial

# The home page is the one core view that shows the organization: it reads through org's scoped
# selectors like any other app would.
from opscenter.org.roles import ROLE_BY_CODE
from opscenter.org.selectors import scope_for, site_list, staff_list


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "database": connection.vendor})


def _greeting() -> str:
    hour = timezone.localtime().hour
    if hour < 11:
        return _("上午好")
    if hour < 13:
        return _("中午好")
    if hour < 18:
        return _("下午好")
    return _("晚上好")


# The work-queue counts on the home page: selectors `f(*, user) -> list of counters` (each with
# key, label, count, url, tone), named rather than imported because core imports none of the apps.
# An app adds its queues by adding its selector here.
HOME_COUNTERS: tuple[str, ...] = ("opscenter.pipeline.screens.queues.home_counters",)


def _home_counters(request: HttpRequest) -> list:
    counters = []
    for path in HOME_COUNTERS:
        counters.extend(import_string(path)(user=request.user))
    return counters


@login_required
def home(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    staff = staff_list(user=request.user).filter(pk=scope.staff_id).first() if scope.staff_id else None
    context = {
        "greeting": _greeting(),
        "display_name": staff.name if staff else str(request.user),
        "staff": staff,
        "roles": sorted(_(ROLE_BY_CODE[code].name) for code in scope.roles if code in ROLE_BY_CODE),
        "scope": scope,
        "sites": list(site_list(user=request.user).filter(is_active=True)),
        "tiles": [item for item in nav_for(request) if item["key"] != "home"],
        "counters": _home_counters(request),
    }
    return render(request, "core/home.html", context)


@login_required
@require_GET
def home_staff_chart(request: HttpRequest) -> JsonResponse:
    """ECharts option for the home page: active staff per visible site; each bar links to its site."""
    rows = (
        staff_list(user=request.user)
        .filter(is_active=True)
        .values("department__site_id", "department__site__name")
        .annotate(total=Count("id"))
        .order_by("department__site__code")
    )
    org_url = reverse("org:org_chart")
    return JsonResponse(
        {
            "tooltip": {"trigger": "axis"},
            "grid": {"left": 40, "right": 16, "top": 24, "bottom": 32, "containLabel": True},
            "xAxis": {"type": "category", "data": [row["department__site__name"] for row in rows]},
            "yAxis": {"type": "value", "minInterval": 1},
            "series": [
                {
                    "name": _("在职员工"),
                    "type": "bar",
                    "barMaxWidth": 48,
                    "data": [
                        {"value": row["total"], "url": f"{org_url}#site-{row['department__site_id']}"}
                        for row in rows
                    ],
                }
            ],
        }
    )


def _safe_next(request: HttpRequest, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("core:home")


@login_required
@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Save the signed-in user's interface language (and the cookie, for the login page later)."""
    form = LanguageForm(request.POST)
    next_url = _safe_next(request, request.POST.get("next"))
    if not form.is_valid():
        messages.error(request, _("不支持该界面语言"))
        return redirect(next_url)
    try:
        services.user_set_language(user=request.user, language=form.cleaned_data["language"])
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(next_url)
    language = request.user.language
    translation.activate(language)
    response = hx_redirect(next_url) if is_partial(request) else HttpResponseRedirect(next_url)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


def _token_page(request: HttpRequest, form: ApiTokenCreateForm, **extra: Any) -> HttpResponse:
    context = {
        "form": form,
        # The user's own tokens only: the relation is the scope.
        "tokens": request.user.api_tokens.order_by("revoked_at", "-created_at"),
        "api_base": request.build_absolute_uri(reverse("api:api-root")),
        "docs_url": reverse("api:openapi-view"),
        **extra,
    }
    return render(request, "core/token_list.html", context)


@never_cache
@login_required
@require_GET
def token_list(request: HttpRequest) -> HttpResponse:
    return _token_page(request, ApiTokenCreateForm())


@never_cache
@login_required
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    """Create a token and show it once, in this response only (never stored, never cached)."""
    form = ApiTokenCreateForm(request.POST)
    if form.is_valid():
        try:
            token, raw = services.api_token_create(user=request.user, name=form.cleaned_data["name"])
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            return _token_page(request, ApiTokenCreateForm(), new_token=token, raw_token=raw)
    return _token_page(request, form)


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    try:
        token = services.api_token_revoke(user=request.user, token_id=token_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except DomainError as exc:
        messages.warning(request, exc.message)
    else:
        messages.success(request, _("令牌“%(name)s”已吊销，使用它的请求将被拒绝。") % {"name": token.name})
    return redirect("core:token_list")


def lockout(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict | None = None,
    *args: Any,
    **kwargs: Any,
) -> HttpResponse:
    """django-axes lockout: repeated wrong passwords for one username from one address, or for
    any usernames from one address (`core.security.AddressThrottleHandler`)."""
    cooloff = settings.AXES_COOLOFF_TIME
    minutes = int(cooloff.total_seconds() // 60) if isinstance(cooloff, timedelta) else int(cooloff or 0) * 60
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": minutes,
        "by_address": getattr(request, "opscenter_address_locked", False),
        "address_limit": settings.OPSCENTER_LOGIN_ADDRESS_FAILURE_LIMIT,
    }
    return render(request, "registration/locked_out.html", context, status=429)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler404: one answer for "does not exist" and "not yours", so nothing leaks across sites."""
    return render(request, "core/404.html", status=404)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler403 (also what a failed CSRF check shows when CSRF_FAILURE_VIEW is not set)."""
    return render(request, "core/403.html", status=403)


class ApiDocs(Swagger):
    """Swagger UI for /api/docs from django-ninja's bundled static files, under our strict CSP.

    The page is for signed-in users only (the API prefix is otherwise public so that it can answer
    401 JSON), and the validator badge is switched off because it loads an image from
    validator.swagger.io, an external origin.
    """

    template = "core/api_docs.html"

    def __init__(self) -> None:
        super().__init__(settings={"validatorUrl": None, "persistAuthorization": False})

    def render_page(self, request: HttpRequest, api: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        response = super().render_page(request, api, **kwargs)
        response["Cache-Control"] = "no-store"
        return response


def _list_url(list_key: str) -> str | None:
    """The list page a saved filter belongs to (its URL name), or None for an unknown name."""
    try:
        return reverse(list_key)
    except NoReverseMatch:
        return None


@login_required
@require_POST
def saved_filter_save(request: HttpRequest) -> HttpResponse:
    """Save the list's current filters under a name; back to the list, filtered as saved."""
    list_key = request.POST.get("list_key", "")
    url = _list_url(list_key)
    if url is None:
        raise Http404(_("列表不存在"))
    try:
        saved = services.saved_filter_save(
            user=request.user,
            list_key=list_key,
            name=request.POST.get("name", ""),
            query=request.POST.get("query", ""),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        query = request.POST.get("query", "")
        return redirect(f"{url}?{query}" if query else url)
    messages.success(request, _("常用筛选“%(name)s”已保存") % {"name": saved.name})
    return redirect(f"{url}?{saved.query}" if saved.query else url)


@login_required
@require_POST
def saved_filter_delete(request: HttpRequest, saved_filter_id: int) -> HttpResponse:
    try:
        saved = services.saved_filter_delete(user=request.user, saved_filter_id=saved_filter_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    messages.success(request, _("常用筛选“%(name)s”已删除") % {"name": saved.name})
    return redirect(_list_url(saved.list_key) or reverse("core:home"))


@never_cache
@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    """Change one's own password (the validators apply); this session stays signed in."""
    from django.contrib.auth import get_user_model, update_session_auth_hash

    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = get_user_model().objects.get(pk=request.user.pk)  # the model, not the lazy wrapper
        try:
            services.password_change(
                user=user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password"],
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            update_session_auth_hash(request, user)
            messages.success(request, _("密码已修改"))
            return redirect("core:home")
    return render(request, "core/password_change.html", {"form": form}, status=400 if form.errors else 200)
