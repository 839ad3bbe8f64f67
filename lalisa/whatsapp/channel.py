"""The WhatsApp Cloud API as the notification channel (lalisa.notifications.channels).

`deliver(notification)` turns the notification into OutboundMessage rows (its text, split
if long, with the template for its kind as the fallback for a closed 24-hour window) and
queues their sends, in one transaction. The sender marks the notification sent or failed.
"""

import logging

from django.conf import settings
from django.db import transaction

from lalisa.notifications import channels, notify
from lalisa.notifications.models import Notification
from lalisa.phones import wa_id_of
from lalisa.whatsapp import messages, sender, templates
from lalisa.whatsapp.models import OutboundMessage

log = logging.getLogger(__name__)

NOT_CONFIGURED = "Kanal WhatsApp belum dikonfigurasi; pesan belum terkirim."
NO_ADDRESS_REPORTER = "Pelapor tidak punya nomor WhatsApp maupun ID WhatsApp (BSUID)."
NO_ADDRESS_STAFF = "Petugas ini belum mengisi nomor WhatsApp maupun ID WhatsApp (BSUID)."


def configured() -> bool:
    # Read at delivery time: tests and the demo set these after start-up.
    return bool(settings.WHATSAPP_ACCESS_TOKEN and settings.WHATSAPP_PHONE_NUMBER_ID)


def address(notification: Notification) -> tuple[str, str] | None:
    """(to_phone digits, to_user_id) for the notification's recipient; one is empty."""
    if notification.to_reporter_id:
        person = notification.to_reporter
        phone = person.wa_id or (wa_id_of(person.phone) if person.phone else "")
        user_id = person.user_id or ""
    else:
        person = notification.to_user
        phone = wa_id_of(person.whatsapp) if person.whatsapp else ""
        user_id = person.whatsapp_user_id or ""
    if phone:
        return phone, ""
    if user_id:
        return "", user_id
    return None


def fallback_params(notification: Notification) -> dict:
    """The named values the kind's template takes: the notification's params over the
    service-wide ones ({agency}, {service})."""
    from lalisa.service.models import ServiceProfile

    profile = ServiceProfile.get()
    values = {"agency": profile.agency_name, "service": profile.service_name}
    values.update(notification.params or {})
    return values


# Messages that follow a notification's text, by kind (the bot's rating list after
# "done"): func(notification) -> message objects, empty when none fit (e.g. the window
# is closed and only the template can go).
FOLLOWUPS: dict = {}


def register_followup(kind: str, func) -> None:
    FOLLOWUPS[kind] = func


class WhatsAppChannel:
    name = "whatsapp"

    def deliver(self, notification: Notification) -> str:
        if not configured():
            Notification.objects.filter(pk=notification.pk).update(error=NOT_CONFIGURED)
            log.warning("notification %s kept pending: WhatsApp not configured", notification.pk)
            return "no-channel"
        with transaction.atomic():
            n = Notification.objects.select_for_update().get(pk=notification.pk)
            if n.state != Notification.State.PENDING:
                return "skipped"
            if OutboundMessage.objects.filter(notification=n).exists():
                return "skipped"  # a repeated delivery task: the messages are already queued
            to = address(n)
            if to is None:
                n.state = Notification.State.FAILED
                n.error = NO_ADDRESS_REPORTER if n.to_reporter_id else NO_ADDRESS_STAFF
                n.save(update_fields=["state", "error"])
                return "failed"
            key = n.kind if templates.definition(n.kind) else ""
            params = fallback_params(n) if key else []
            extra = FOLLOWUPS[n.kind](n) if n.kind in FOLLOWUPS else []
            priority = notify.WAITING_PRIORITY if notify.waiting(n.to_reporter) else None
            for payload in [*messages.text(n.text), *extra]:
                row = OutboundMessage.objects.create(
                    reporter_id=n.to_reporter_id,
                    staff_id=n.to_user_id,
                    to_phone=to[0],
                    to_user_id=to[1],
                    kind=n.kind[: OutboundMessage._meta.get_field("kind").max_length],
                    payload=payload,
                    fallback_template=key,
                    fallback_params=params,
                    notification=n,
                    complaint_id=n.complaint_id,
                )
                sender.enqueue(row.pk, priority=priority)
            if n.error:
                n.error = ""
                n.save(update_fields=["error"])
        return "queued"


channel = WhatsAppChannel()


def install() -> None:
    """Register the channel. It is always registered and checks the settings when it
    delivers, so settings changed after start-up (tests, the demo) take effect."""
    channels.register(channel)
