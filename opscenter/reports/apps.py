from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "opscenter.reports"
    label = "reports"
    verbose_name = _("报表")

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        from opscenter.scheduler import Cadence, register

        # Apps may declare report blocks in their own `report_blocks.py`; the built-in ones live in
        # `reports.blocks` and show only when their metrics are registered.
        autodiscover_modules("report_blocks")
        register(
            code="reports.delivery",
            label=_("周报/月报：每周一、每月第一个工作日生成并推送"),
            target="opscenter.reports.tasks.delivery_task",
            cadence=Cadence.workdays("08:00"),
        )
