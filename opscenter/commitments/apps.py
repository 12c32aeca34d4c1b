from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommitmentsConfig(AppConfig):
    name = "opscenter.commitments"
    label = "commitments"
    verbose_name = _("服务承诺/工单")

    def ready(self) -> None:
        from opscenter.commitments import import_kinds, metrics  # noqa: F401  (registers kinds and metrics)
