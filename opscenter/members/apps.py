from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "opscenter.members"
    label = "members"
    verbose_name = _("会员")

    def ready(self) -> None:
        from opscenter.members import import_kinds, metrics, signals  # noqa: F401  (disputes import, metrics)

        signals.connect()
        _register_scheduled_jobs()
        from opscenter.members.handover import care_tasks_hand_over
        from opscenter.pipeline.services.handover import register_hand_over_step

        register_hand_over_step(care_tasks_hand_over)


def _register_scheduled_jobs() -> None:
    from django.utils.translation import gettext_lazy as _

    from opscenter.scheduler import Cadence, register

    # Tier evaluation and the care tasks it makes due (members.nightly does both, per site and day).
    register(
        code="members.tiers_nightly",
        label=_("会员等级夜间评估与关怀任务生成"),
        target="opscenter.members.tasks.evaluate_all_sites_task",
        cadence=Cadence.daily("02:00"),
    )
