from django.apps import AppConfig


class WorkerConfig(AppConfig):
    name = "lalisa.worker"
    verbose_name = "Pekerja latar"
