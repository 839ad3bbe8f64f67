"""Queue what the service must tell people, inside the caller's transaction."""

from django.db import transaction

from lalisa.notifications.models import Notification
from lalisa.notifications.texts import render


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
    deliver_notification.enqueue(notification.pk)
    return notification


def reachable(reporter) -> bool:
    """A citizen we can write to on WhatsApp."""
    return reporter is not None and bool(reporter.user_id or reporter.wa_id or reporter.phone)
