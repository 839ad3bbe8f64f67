"""The emulator's webhooks to the service, posted from the worker as Meta posts them: after
the API call has been answered. A refused post is tried again later, as Meta retries."""

import datetime as dt
import logging

from django.utils import timezone
from django_tasks import task

from lalisa.simulator import emulator
from lalisa.simulator.models import EmulatedMessage, EmulatedTemplate

log = logging.getLogger(__name__)

# Meta retries for days; the emulator a few times over about ten minutes.
RETRY_DELAYS = [dt.timedelta(seconds=s) for s in (2, 10, 60, 300)]


@task()
def emit_status(wamid: str, status: str, error_code: int | None = None) -> None:
    message = EmulatedMessage.objects.filter(
        wamid=wamid, direction=EmulatedMessage.Direction.OUT
    ).first()
    if message is None:
        return
    # "read" was recorded when the page showed it; the others move the status here, and a
    # status overtaken by a later one (read before delivered) is not sent at all.
    if status != "read" and not emulator.advance_status(wamid, status):
        return
    deliver(emulator.status_body(message, status, error_code))


@task()
def emit_template_status(template_id: str, event: str) -> None:
    template = EmulatedTemplate.objects.filter(template_id=template_id).first()
    if template is not None:
        deliver(emulator.template_status_body(template, event))


@task()
def redeliver(raw: str, attempt: int) -> None:
    deliver(raw.encode(), attempt)


def deliver(body: dict | bytes, attempt: int = 0) -> None:
    # Encoded once: a retry posts the same bytes (task arguments are JSON, reordered by jsonb).
    raw = body if isinstance(body, bytes) else emulator.encode(body)
    status, error = emulator.post_webhook(raw)
    if status == 200:
        return
    if attempt >= len(RETRY_DELAYS):
        log.warning("Webhook gave up after %d attempts: %s %s", attempt + 1, status, error)
        return
    log.info("Webhook refused (%s %s); retrying", status, error)
    redeliver.using(run_after=timezone.now() + RETRY_DELAYS[attempt]).enqueue(
        raw.decode(), attempt + 1
    )
