from django.apps import AppConfig


class SimulatorConfig(AppConfig):
    name = "lalisa.simulator"
    verbose_name = "Simulator WhatsApp"
