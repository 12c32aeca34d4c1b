from django.apps import AppConfig


class CommitmentsConfig(AppConfig):
    name = "opscenter.commitments"
    label = "commitments"
    verbose_name = "服务承诺/工单"

    def ready(self) -> None:
        from opscenter.commitments import metrics  # noqa: F401  (registers into opscenter.metrics)
