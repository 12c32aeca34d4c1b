from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CareConfig(AppConfig):
    name = "opscenter.care"
    label = "care"
    verbose_name = _("养老照护")

    def ready(self) -> None:
        from opscenter.care import import_kinds, metrics  # noqa: F401  (registers the import kind and metrics)
