from django.apps import AppConfig


class TargetsConfig(AppConfig):
    name = "opscenter.targets"
    label = "targets"
    verbose_name = "指标分解"
