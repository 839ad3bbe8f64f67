"""Queue what the service must tell people, inside the caller's transaction."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from lalisa.notifications.models import Notification
from lalisa.notifications.texts import render

# Someone who wrote within this long is looking at the chat: their news goes first.
WAITING_FOR = timedelta(minutes=2)
WAITING_PRIORITY = 50


def waiting(reporter) -> bool:
    last = getattr(reporter, "last_inbound_at", None)
    return last is not None and timezone.now() - last < WAITING_FOR


def queue(kind: str, *, complaint=None, event=None, to_reporter=None, to_user=None, **params):
    """Write the notification and enqueue its delivery in the current transaction, so a
    change and the news of it are saved together or not at all."""
    from lalisa.notifications.tasks import deliver_notification

    assert transaction.get_connection().in_atomic_block, "queue() belongs in a transaction"
    notification = Notification.objects.create(
        kind=kind,
        complaint=complaint,
        event=event,
        to_reporter=to_reporter,
        to_user=to_user,
        text=render(kind, **params),
        params={k: str(v) for k, v in params.items()},
    )
    if waiting(to_reporter):
        deliver_notification.using(priority=WAITING_PRIORITY).enqueue(notification.pk)
    else:
        deliver_notification.enqueue(notification.pk)
    return notification


def reachable(reporter) -> bool:
    """A citizen we can write to on WhatsApp."""
    return reporter is not None and bool(reporter.user_id or reporter.wa_id or reporter.phone)
