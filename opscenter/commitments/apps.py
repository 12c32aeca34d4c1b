from django.apps import AppConfig


class CommitmentsConfig(AppConfig):
    name = "opscenter.commitments"
    label = "commitments"
    verbose_name = "服务承诺/工单"

    def ready(self) -> None:
        from opscenter.commitments import import_kinds, metrics  # noqa: F401  (registers kinds and metrics)
