from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "opscenter.imports"
    label = "imports"
    verbose_name = "数据导入"

    def ready(self) -> None:
        # Register the built-in kinds (other apps register theirs in their own ready()).
        from opscenter.imports.kinds import (  # noqa: F401
            consultations,
            customers,
            deals,
            followups,
            staff,
            transactions,
            visits,
        )
