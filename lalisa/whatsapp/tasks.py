"""Background work of the inbound side: draining webhook deliveries, downloading media,
and every five minutes re-enqueueing downloads a dead worker left behind."""

import datetime as dt
import logging

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from lalisa.whatsapp import inbound, media
from lalisa.whatsapp.models import InboundMedia
from lalisa.worker import drains
from lalisa.worker.scheduler import periodic

log = logging.getLogger(__name__)

# Older than this and still not done: its task was lost (or is far behind), enqueue again.
# Doing the same work twice is harmless: deliveries and downloads are idempotent.
STALE_AFTER = dt.timedelta(minutes=2)
RETRY_BATCH = 500


# Deliveries have no task rows: every worker drains the table in its loop.
# While Meta posts a burst, the worker's tasks (the bot's sends) wait their turn too.
drains.register("whatsapp.deliveries", inbound.drain, yield_to=inbound.yield_to_intake)


@task()
def download_media(media_id: int) -> str:
    return media.download(media_id)


@periodic("whatsapp.retry_pending", dt.timedelta(minutes=5))
@task()
def retry_pending() -> str:
    """Re-enqueue downloads whose task was lost (a dead worker); deliveries need no help:
    the drain finds them in the table."""
    stale = timezone.now() - STALE_AFTER
    downloads = list(
        InboundMedia.objects.filter(state=InboundMedia.State.PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=stale))
        .order_by("pk")
        .values_list("pk", flat=True)[:RETRY_BATCH]
    )
    with transaction.atomic():
        for pk in downloads:
            download_media.enqueue(pk)
    if downloads:
        log.warning("re-enqueued %d downloads", len(downloads))
    return f"{len(downloads)} downloads"
