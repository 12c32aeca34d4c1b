from django.apps import AppConfig


class PipelineConfig(AppConfig):
    name = "opscenter.pipeline"
    label = "pipeline"
    verbose_name = "客户管理"
