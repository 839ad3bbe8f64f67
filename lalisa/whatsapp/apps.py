from django.apps import AppConfig


class WhatsappConfig(AppConfig):
    name = "lalisa.whatsapp"
    verbose_name = "WhatsApp"

    def ready(self):
        # The notification channel; importing it also registers the outbound sweep job.
        from lalisa.whatsapp import channel

        channel.install()
