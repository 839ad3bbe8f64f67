from django.apps import AppConfig


class ComplaintsConfig(AppConfig):
    name = "lalisa.complaints"
    verbose_name = "Aduan"
