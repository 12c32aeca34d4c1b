from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "opscenter.members"
    label = "members"
    verbose_name = "会员"
