from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkdayConfig(AppConfig):
    name = "opscenter.workday"
    label = "workday"
    verbose_name = _("工作日清")

    def ready(self) -> None:
        from opscenter.scheduler import Cadence, register
        from opscenter.workday import metrics  # noqa: F401  (registers metrics)

        # Materialise the day's due items and mark what passed its deadline unsubmitted as missing;
        # idempotent (unique occurrence key, claim by status), so a tick every 15 minutes is cheap.
        register(
            code="workday.deadlines",
            label=_("工作日清：生成当日应交事项并标记缺交"),
            target="opscenter.workday.tasks.deadlines_task",
            cadence=Cadence.every(minutes=15),
        )
