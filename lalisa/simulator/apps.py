from django.apps import AppConfig


class SimulatorConfig(AppConfig):
    name = "lalisa.simulator"
    verbose_name = "Simulator WhatsApp"

    def ready(self):
        # Registers the system check that refuses the simulator on a public site.
        from lalisa.simulator import exposure  # noqa: F401
