from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketingConfig(AppConfig):
    name = "opscenter.marketing"
    label = "marketing"
    verbose_name = _("市场营销")

    def ready(self) -> None:
        from opscenter.marketing import import_kinds, metrics  # noqa: F401  (registers kinds and metrics)
