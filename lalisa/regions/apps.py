from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "lalisa.regions"
    verbose_name = "Wilayah"
