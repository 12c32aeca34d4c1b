"""The one NinjaAPI: docs at /api/docs, schema at /api/openapi.json. Apps contribute routers."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import URLPattern, path
from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI
from ninja.openapi.views import openapi_json
from ninja.security import django_auth

from opscenter.api.appraisal import router as appraisal_router
from opscenter.api.auth import TokenAuth
from opscenter.api.callcenter import router as callcenter_router
from opscenter.api.care import router as care_router
from opscenter.api.clinic import router as clinic_router
from opscenter.api.commitments import router as commitments_router
from opscenter.api.marketing import router as marketing_router
from opscenter.api.members import router as members_router
from opscenter.api.org import router as org_router
from opscenter.api.pipeline import router as pipeline_router
from opscenter.api.targets import router as targets_router
from opscenter.api.workday import router as workday_router
from opscenter.core.exceptions import DomainError, NotFound, PermissionDenied
from opscenter.core.views import ApiDocs


class OpscenterApi(NinjaAPI):
    """The schema (`/api/openapi.json`) is for API clients: a session or a bearer token, else 401
    JSON like every endpoint. Only the HTML docs page redirects to the login page."""

    def _get_urls(self):
        urls = super()._get_urls()
        return [
            path(self.openapi_url.lstrip("/"), self._schema_view, name="openapi-json")
            if isinstance(url, URLPattern) and url.name == "openapi-json"
            else url
            for url in urls
        ]

    def _schema_view(self, request: HttpRequest, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated and TokenAuth()(request) is None:
            return JsonResponse({"detail": "Unauthorized"}, status=401)
        return openapi_json(request, api=self, **kwargs)


api = OpscenterApi(
    title="opscenter API",
    version="1",
    description=_(
        "运营中心 API. Authenticate with `Authorization: Bearer <token>` (tokens: 用户菜单 → API 令牌)."
    ),
    # Session auth (for the pages' own fetches) enforces CSRF; tokens do not need it.
    auth=[TokenAuth(), django_auth],
    urls_namespace="api",
    # Swagger UI from ninja's bundled static files, for signed-in users, with nothing from another origin.
    docs=ApiDocs(),
    docs_decorator=login_required,
)


@api.exception_handler(NotFound)
def _not_found(request: HttpRequest, exc: NotFound):
    return api.create_response(request, {"detail": exc.message}, status=404)


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied):
    return api.create_response(request, {"detail": exc.message}, status=403)


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError):
    return api.create_response(request, {"detail": exc.message, "field": exc.field}, status=422)


api.add_router("/org/", org_router)
api.add_router("/pipeline/", pipeline_router)
api.add_router("/targets/", targets_router)
api.add_router("/members/", members_router)
api.add_router("/commitments/", commitments_router)
api.add_router("/appraisal/", appraisal_router)
api.add_router("/callcenter/", callcenter_router)
api.add_router("/care/", care_router)
api.add_router("/workday/", workday_router)
api.add_router("/clinic/", clinic_router)
api.add_router("/marketing/", marketing_router)
