from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _ensure_texts(sender, **kwargs):
    from lalisa.notifications.models import MessageText
    from lalisa.notifications.texts import ensure_rows

    ensure_rows(MessageText)


class NotificationsConfig(AppConfig):
    name = "lalisa.notifications"
    verbose_name = "Pesan dan pemberitahuan"

    def ready(self):
        post_migrate.connect(_ensure_texts, sender=self)
