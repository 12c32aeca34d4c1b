from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TargetsConfig(AppConfig):
    name = "opscenter.targets"
    label = "targets"
    verbose_name = _("指标分解")

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from opscenter.scheduler import Cadence, register

        # Projection-below-target alerts: idempotent per allocation and month (alerts.check_alerts).
        register(
            code="targets.check_alerts",
            label=_("目标进度预警"),
            target="opscenter.targets.tasks.check_alerts_task",
            cadence=Cadence.workdays("09:00"),
        )
