from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class SchedulerConfig(AppConfig):
    name = "opscenter.scheduler"
    label = "scheduler"
    verbose_name = _("定时任务")

    def ready(self) -> None:
        from opscenter.scheduler import services

        post_migrate.connect(services.sync_after_migrate, sender=self)
