from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "opscenter.core"
    label = "core"
    verbose_name = "基础"

    def ready(self) -> None:
        from opscenter.core import audit

        audit.connect_signals()
