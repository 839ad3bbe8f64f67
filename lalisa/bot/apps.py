from django.apps import AppConfig


class BotConfig(AppConfig):
    name = "lalisa.bot"
    verbose_name = "Bot warga"

    def ready(self):
        from lalisa.bot import conversation, staff, texts
        from lalisa.notifications import texts as notification_texts
        from lalisa.whatsapp import channel, inbound, media

        notification_texts.register(texts.TEXTS, texts.LIMITS)
        inbound.register_handler(conversation.handle)
        channel.register_followup("complaint_done", conversation.rating_followup)
        channel.register_followup("kabid_review", staff.kabid_followup)
        channel.register_followup("trc_dispatch", staff.trc_followup)
        media.on_failure(conversation.media_refused)
