from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "opscenter.imports"
    label = "imports"
    verbose_name = _("数据导入")

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
