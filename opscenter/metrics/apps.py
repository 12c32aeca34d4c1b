from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MetricsConfig(AppConfig):
    name = "opscenter.metrics"
    label = "metrics"
    verbose_name = _("指标库")

    def ready(self) -> None:
        from opscenter.metrics.adapters import target_values, targets  # noqa: F401  (register)
