from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "opscenter.api"
    label = "api"
    verbose_name = "API"
