from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "opscenter.members"
    label = "members"
    verbose_name = _("会员")

    def ready(self) -> None:
        from opscenter.members import import_kinds, signals  # noqa: F401  (registers the disputes import)

        signals.connect()
