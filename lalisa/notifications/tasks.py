"""Delivery of queued notifications: the WhatsApp channel plugs in through `channels`."""

import logging

from django_tasks import task

from lalisa.notifications import channels
from lalisa.notifications.models import Notification

log = logging.getLogger(__name__)


@task()
def deliver_notification(notification_id: int) -> str:
    notification = Notification.objects.filter(pk=notification_id).first()
    if notification is None or notification.state != Notification.State.PENDING:
        return "skipped"
    channel = channels.get_channel()
    if channel is None:
        # Kept pending: staff see it unsent, and a configured channel can pick it up later.
        Notification.objects.filter(pk=notification_id).update(
            error="Kanal WhatsApp belum dikonfigurasi; pesan belum terkirim."
        )
        log.warning("notification %s kept pending: no channel configured", notification_id)
        return "no-channel"
    return channel.deliver(notification)
