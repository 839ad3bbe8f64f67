from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "lalisa.api"
    verbose_name = "API JSON"
