from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CallcenterConfig(AppConfig):
    name = "opscenter.callcenter"
    label = "callcenter"
    verbose_name = _("客服中心")

    def ready(self) -> None:
        from opscenter.callcenter import import_kinds, metrics  # noqa: F401  (registers kinds and metrics)
