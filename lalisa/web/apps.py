from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "lalisa.web"
    verbose_name = "Halaman petugas"
