from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClinicConfig(AppConfig):
    """Clinic orders and the treatment journey (issue 19): quotes, packages and course sessions,
    gift orders, refunds, points and clinical follow-ups, on top of the pipeline's deals."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "opscenter.clinic"
    verbose_name = _("诊疗与订单")

    def ready(self) -> None:
        from opscenter.clinic import funnel, import_kinds, metrics, selectors, tasks  # noqa: F401  (registers kinds, metrics, jobs)
        from opscenter.members import sources
        from opscenter.members.choices import Metric

        # The member-tier condition 疗程已消耗次数 reads consumed sessions through our selectors.
        sources.register(
            sources.FactSource(
                Metric.COURSE_SESSIONS,
                counts=selectors.course_session_counts,
                facts=selectors.course_session_facts,
            )
        )
