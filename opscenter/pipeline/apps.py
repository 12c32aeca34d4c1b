from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PipelineConfig(AppConfig):
    name = "opscenter.pipeline"
    label = "pipeline"
    verbose_name = _("客户管理")

    def ready(self) -> None:
        from opscenter.pipeline import import_kinds  # noqa: F401  (registers the pipeline's import kinds)
