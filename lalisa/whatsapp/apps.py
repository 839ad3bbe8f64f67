from django.apps import AppConfig


class WhatsappConfig(AppConfig):
    name = "lalisa.whatsapp"
    verbose_name = "WhatsApp"
