from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppraisalConfig(AppConfig):
    name = "opscenter.appraisal"
    label = "appraisal"
    verbose_name = _("绩效考核与激励")

    def ready(self) -> None:
        from opscenter.appraisal import metrics, report_blocks  # noqa: F401  (registers metrics and blocks)
        from opscenter.scheduler import Cadence, register

        # Quarterly instalments of the year-end bonus become paid on their due day (seed 003).
        register(
            code="appraisal.instalments_due",
            label=_("年终奖金分期到期发放"),
            target="opscenter.appraisal.tasks.instalments_pay_due_task",
            cadence=Cadence.daily("06:00"),
        )
