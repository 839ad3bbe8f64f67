from django.apps import AppConfig


class SlaConfig(AppConfig):
    name = "lalisa.sla"
    verbose_name = "Batas waktu (SLA)"
