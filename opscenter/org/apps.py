from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "opscenter.org"
    label = "org"
    verbose_name = _("组织架构")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from opscenter.org.roles import sync_role_permissions

        post_migrate.connect(sync_role_permissions, dispatch_uid="opscenter_sync_role_permissions")
