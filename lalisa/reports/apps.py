from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "lalisa.reports"
    verbose_name = "Dasbor dan kinerja"

    def ready(self):
        from lalisa.reports import signals  # noqa: F401  (connects the deletion signals)
