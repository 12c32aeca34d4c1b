from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketingConfig(AppConfig):
    name = "opscenter.marketing"
    label = "marketing"
    verbose_name = _("市场营销")

    def ready(self) -> None:
        from opscenter.marketing import import_kinds, metrics  # noqa: F401  (registers kinds and metrics)
        from opscenter.marketing.selectors import channel_protection
        from opscenter.pipeline.protection import register_source
        from opscenter.scheduler import Cadence, register

        # Grades last month once per site (a graded month is skipped), so a daily tick is enough.
        register(
            code="marketing.grade_channels",
            label=_("渠道分级(上月)"),
            target="opscenter.marketing.tasks.grade_channels_task",
            cadence=Cadence.daily("03:30"),
        )
        # A channel's grade sets the ownership protection of its customers (渠道归属保护).
        register_source(channel_protection)
