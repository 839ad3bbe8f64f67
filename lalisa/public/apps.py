from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "lalisa.public"
    verbose_name = "Halaman publik"
