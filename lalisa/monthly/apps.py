from django.apps import AppConfig


class MonthlyConfig(AppConfig):
    name = "lalisa.monthly"
    verbose_name = "Laporan bulanan"
