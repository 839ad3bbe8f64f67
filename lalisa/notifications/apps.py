from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save


def _ensure_texts(sender, **kwargs):
    from lalisa.notifications.models import MessageText
    from lalisa.notifications.texts import ensure_rows

    ensure_rows(MessageText)


class NotificationsConfig(AppConfig):
    name = "lalisa.notifications"
    verbose_name = "Pesan dan pemberitahuan"

    def ready(self):
        from lalisa.notifications.models import MessageText
        from lalisa.notifications.texts import clear_cache
        from lalisa.service.models import ServiceProfile

        post_migrate.connect(_ensure_texts, sender=self)
        for model in (MessageText, ServiceProfile):
            post_save.connect(clear_cache, sender=model, dispatch_uid=f"texts-{model.__name__}")
            post_delete.connect(
                clear_cache, sender=model, dispatch_uid=f"texts-d-{model.__name__}"
            )
