from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "lalisa.notifications"
    verbose_name = "Pesan dan pemberitahuan"
