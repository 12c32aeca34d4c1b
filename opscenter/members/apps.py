from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "opscenter.members"
    label = "members"
    verbose_name = "会员"

    def ready(self) -> None:
        from opscenter.members import import_kinds, signals  # noqa: F401  (registers the disputes import)

        signals.connect()
        from opscenter.members.handover import care_tasks_hand_over
        from opscenter.pipeline.services.handover import register_hand_over_step

        register_hand_over_step(care_tasks_hand_over)
