from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic.base import RedirectView

from opscenter.api.urls import api
from opscenter.core import views as core_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    # Browsers ask for /favicon.ico whatever the page links; answer from static, login or not.
    path("favicon.ico", RedirectView.as_view(url=static("img/favicon.svg"), permanent=True)),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("org/", include("opscenter.org.urls")),
    path("pipeline/", include("opscenter.pipeline.urls")),
    path("imports/", include("opscenter.imports.urls")),
    path("targets/", include("opscenter.targets.urls")),
    path("members/", include("opscenter.members.urls")),
    path("scheduler/", include("opscenter.scheduler.urls")),
    path("commitments/", include("opscenter.commitments.urls")),
    path("appraisal/", include("opscenter.appraisal.urls")),
    path("callcenter/", include("opscenter.callcenter.urls")),
    path("care/", include("opscenter.care.urls")),
    path("workday/", include("opscenter.workday.urls")),
    path("reports/", include("opscenter.reports.urls")),
    path("clinic/", include("opscenter.clinic.urls")),
    path("marketing/", include("opscenter.marketing.urls")),
    path("", include("opscenter.core.urls")),
]

handler404 = "opscenter.core.views.page_not_found"
handler403 = "opscenter.core.views.permission_denied"
