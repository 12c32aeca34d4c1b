from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "opscenter.members"
    label = "members"
    verbose_name = "会员"

    def ready(self) -> None:
        from opscenter.members import import_kinds, signals  # noqa: F401  (registers the disputes import)

        signals.connect()
