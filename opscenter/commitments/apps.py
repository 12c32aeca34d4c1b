from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommitmentsConfig(AppConfig):
    name = "opscenter.commitments"
    label = "commitments"
    verbose_name = _("服务承诺/工单")

    def ready(self) -> None:
        from opscenter.commitments import import_kinds, metrics  # noqa: F401  (registers kinds and metrics)
        from opscenter.commitments.pipeline_hooks import on_pipeline_event
        from opscenter.pipeline.services.hooks import register_pipeline_event_hook
        from opscenter.scheduler import Cadence, register

        register_pipeline_event_hook(on_pipeline_event)

        # The monitor is idempotent (each stage and work order claimed once), so a tick every few
        # minutes is cheap; early warnings and breaches are then at most this late.
        register(
            code="commitments.monitor",
            label=_("服务承诺监控（预警、超时、异动规则、工单升级）"),
            target="opscenter.commitments.tasks.monitor_task",
            cadence=Cadence.every(minutes=5),
        )
