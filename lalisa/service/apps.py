from django.apps import AppConfig


class ServiceConfig(AppConfig):
    name = "lalisa.service"
    verbose_name = "Layanan"
