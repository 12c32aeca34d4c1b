from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "opscenter.imports"
    label = "imports"
    verbose_name = "数据导入"
