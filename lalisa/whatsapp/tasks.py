"""Background jobs of the inbound side: process a webhook delivery, download a media file,
and every five minutes pick up whatever a dead worker left behind."""

import datetime as dt
import logging

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from lalisa.whatsapp import inbound, media
from lalisa.whatsapp.models import InboundMedia, WebhookDelivery
from lalisa.worker.scheduler import periodic

log = logging.getLogger(__name__)

# Older than this and still not done: its task was lost (or is far behind), enqueue again.
# Doing the same work twice is harmless: deliveries and downloads are idempotent.
STALE_AFTER = dt.timedelta(minutes=2)
RETRY_BATCH = 500


@task()
def process_delivery(delivery_id: int) -> str:
    return inbound.process_delivery(delivery_id)


@task()
def download_media(media_id: int) -> str:
    return media.download(media_id)


@periodic("whatsapp.retry_pending", dt.timedelta(minutes=5))
@task()
def retry_pending() -> str:
    stale = timezone.now() - STALE_AFTER
    deliveries = list(
        WebhookDelivery.objects.filter(processed_at__isnull=True, received_at__lte=stale)
        .order_by("received_at")
        .values_list("pk", flat=True)[:RETRY_BATCH]
    )
    downloads = list(
        InboundMedia.objects.filter(state=InboundMedia.State.PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=stale))
        .order_by("pk")
        .values_list("pk", flat=True)[:RETRY_BATCH]
    )
    with transaction.atomic():
        for pk in deliveries:
            process_delivery.enqueue(pk)
        for pk in downloads:
            download_media.enqueue(pk)
    if deliveries or downloads:
        log.warning("re-enqueued %d deliveries, %d downloads", len(deliveries), len(downloads))
    return f"{len(deliveries)} deliveries, {len(downloads)} downloads"
