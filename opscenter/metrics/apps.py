from django.apps import AppConfig


class MetricsConfig(AppConfig):
    name = "opscenter.metrics"
    label = "metrics"
    verbose_name = "指标库"

    def ready(self) -> None:
        from opscenter.metrics.adapters import targets  # noqa: F401  (registers the targets' metrics)
