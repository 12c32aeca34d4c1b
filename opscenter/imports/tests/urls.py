"""The project's URLs plus the imports screens (until the lead includes them in opscenter/urls.py)."""

from django.urls import include, path

from opscenter.urls import handler403, handler404  # noqa: F401
from opscenter.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    path("imports/", include("opscenter.imports.urls")),
    *(p for p in project_urlpatterns if not str(getattr(p, "pattern", "")).startswith("imports/")),
]
