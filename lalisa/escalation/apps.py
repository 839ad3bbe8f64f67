from django.apps import AppConfig


class EscalationConfig(AppConfig):
    name = "lalisa.escalation"
    verbose_name = "Eskalasi"
