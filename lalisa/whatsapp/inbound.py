"""What the worker does with a stored webhook delivery (DESIGN.md, reliability rules 1 and 4).

`process_delivery` parses the body and handles each item in its own transaction:

- a message is stored once per wamid, its sender resolved (staff or citizen), its media
  queued for download, and the registered HANDLERS called, all in one transaction: a
  message is handled exactly once, and a handler's failure is recorded without losing it;
- a delivery status moves the outbound message forward, never back;
- a template verdict updates the template; an identity change moves the citizen's record.

Processing the same delivery again does nothing new. Handlers register with
`register_handler(func)`; `func(message: InboundMessage) -> str | None` (a note for staff)
runs inside the message's transaction (so it must not call the network: enqueue a task).
"""

import datetime as dt
import logging
import time
from collections.abc import Callable

from django.db import DataError, transaction
from django.db.models import F, Q
from django.utils import timezone

from lalisa.accounts.models import User
from lalisa.complaints.models import Reporter
from lalisa.redact import mask_wamid
from lalisa.whatsapp import identity, parse
from lalisa.whatsapp.models import (
    InboundMedia,
    InboundMessage,
    OutboundMessage,
    WebhookDelivery,
)

log = logging.getLogger(__name__)

Handler = Callable[[InboundMessage], str | None]

HANDLERS: list[Handler] = []

# A delivery whose processing keeps failing is given up (and kept) after this many tries,
# tried again after 30 s, 1 min, 1.5 min, 2 min.
MAX_DELIVERY_ATTEMPTS = 5
RETRY_DELAY = dt.timedelta(seconds=30)
DRAIN_BATCH = 10
# A failed status for a wamid not yet known is retried while it is this recent.
EARLY_STATUS_WINDOW = dt.timedelta(minutes=10)
# A delivery newer than this means Meta is still posting.
INTAKE_BUSY = dt.timedelta(seconds=1)
MAX_YIELD = 0.5
CLAIM_FOR = dt.timedelta(minutes=5)
# How a delivery's error starts when it failed (the rest are notes for staff).
FAILED = "Gagal"

OutState = OutboundMessage.State
STATE_RANK = {OutState.QUEUED: 0, OutState.SENT: 1, OutState.DELIVERED: 2, OutState.READ: 3}
PROGRESS = {"sent": OutState.SENT, "delivered": OutState.DELIVERED, "read": OutState.READ}


def register_handler(handler: Handler) -> Handler:
    if handler not in HANDLERS:
        HANDLERS.append(handler)
    return handler


def process_delivery(delivery_id: int) -> str:
    delivery = WebhookDelivery.objects.defer("body").filter(pk=delivery_id).first()
    if delivery is None:
        return "missing"
    if delivery.processed_at is not None:
        return "done before"
    if delivery.attempts >= MAX_DELIVERY_ATTEMPTS:
        _finish(delivery_id, delivery.error or f"{FAILED}: diproses berulang kali; dihentikan.")
        return "given up"
    WebhookDelivery.objects.filter(pk=delivery_id).update(attempts=F("attempts") + 1)
    attempts = delivery.attempts + 1
    raw = WebhookDelivery.objects.values_list("body", flat=True).get(pk=delivery_id)
    try:
        body = parse.load(bytes(raw))
    except ValueError as exc:
        # Signed by Meta yet unreadable: kept as it came, for staff to look at.
        _finish(delivery_id, f"{FAILED} dibaca: isi kiriman bukan JSON: {exc}")
        return "not json"

    # Failures first: the error then starts with FAILED, which is how staff find them.
    failures, notes, broken = [], [], False
    for item in parse.parse(body):
        try:
            note = handle(item, delivery)
        except Exception as exc:
            log.exception("delivery %s: %s failed", delivery_id, type(item).__name__)
            broken = True
            failures.append(f"{FAILED} diproses ({type(item).__name__}): {_describe(exc)}")
        else:
            if isinstance(item, parse.Problem) and item.unreadable:
                failures.append(f"{FAILED} dibaca: {note}")  # the same next time: no retry
            elif note:
                notes.append(note)
    return _settle(delivery_id, attempts, "\n".join(failures + notes), retry=broken)


def drain(limit: int = DRAIN_BATCH, now: dt.datetime | None = None) -> int:
    """Process the deliveries waiting in the table; return how many were taken.

    The webhook only stores a delivery; workers call this in their loop. A batch is
    claimed with one conditional UPDATE so that several workers share the work; a
    claim left by a dead worker runs out after CLAIM_FOR. Whatever one delivery raises is
    recorded on it, and the rest of the batch goes on.
    """
    now = now or timezone.now()
    ready = (
        WebhookDelivery.objects.filter(processed_at__isnull=True)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
    )
    ids = list(ready.order_by("pk").values_list("pk", flat=True)[:limit])
    if not ids:
        return 0
    until = now + CLAIM_FOR
    # Only rows still ready become ours: another worker may have claimed some meanwhile.
    ready.filter(pk__in=ids).update(claimed_until=until)
    taken = list(
        WebhookDelivery.objects.filter(pk__in=ids, claimed_until=until, processed_at__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    started = time.monotonic()
    for pk in taken:
        try:
            process_delivery(pk)
        except Exception as exc:
            log.exception("delivery %s failed", pk)
            attempts = WebhookDelivery.objects.filter(pk=pk).values_list("attempts", flat=True)
            error = f"{FAILED} diproses: {_describe(exc)}"
            _settle(pk, attempts.first() or 0, error, retry=True)
    yield_to_intake(time.monotonic() - started)
    return len(taken)


def _settle(delivery_id: int, attempts: int, error: str, *, retry: bool) -> str:
    """Record how a try ended: tried again later by the drain (items already done stay
    done) while attempts remain, else finished with its error."""
    if retry and attempts < MAX_DELIVERY_ATTEMPTS:
        WebhookDelivery.objects.filter(pk=delivery_id).update(
            error=parse.storable(error),
            next_attempt_at=timezone.now() + RETRY_DELAY * max(attempts, 1),
            claimed_until=None,
        )
        return "retry"
    _finish(delivery_id, error)
    return "failed" if error.startswith(FAILED) else "ok"


def state_of(delivery: WebhookDelivery) -> str:
    """Where a delivery stands, in the words staff read."""
    if delivery.processed_at is None:
        if delivery.attempts:
            return f"Dicoba lagi ({delivery.attempts} dari {MAX_DELIVERY_ATTEMPTS} percobaan)"
        return "Menunggu"
    if delivery.error.startswith(FAILED):
        return "Gagal (isi tetap disimpan)"
    return "Selesai, dengan catatan" if delivery.error else "Selesai"


def yield_to_intake(spent: float) -> None:
    """While Meta is still posting (a burst), pause as long as the batch took: the web's
    inserts get the CPU and SQLite's write lock, so every post is answered fast; the backlog
    is processed at full speed as soon as the burst is over (bench/webhook.py)."""
    newest = WebhookDelivery.objects.order_by("-pk").values_list("received_at", flat=True)[:1]
    if newest and timezone.now() - newest[0] < INTAKE_BUSY:
        time.sleep(min(spent, MAX_YIELD))


def handle(item: parse.Item, delivery: WebhookDelivery | None = None) -> str:
    """Handle one parsed item; return a note for the delivery's error field, if any."""
    if isinstance(item, parse.Inbound):
        store_inbound(item, delivery)
        return ""
    if isinstance(item, parse.Status):
        return apply_status(item)
    if isinstance(item, parse.TemplateUpdate):
        return apply_template_update(item)
    if isinstance(item, parse.IdentityChange):
        with transaction.atomic():
            identity.follow_change(**_change_ids(item))
        return ""
    if isinstance(item, parse.WebhookError):
        log.warning("WhatsApp reported an error: %s", item.describe())
        return f"Galat dari WhatsApp: {item.describe()}"
    if isinstance(item, parse.Problem):
        log.warning("webhook part not understood at %s: %s", item.where, item.reason)
        return f"{item.where}: {item.reason}"
    return f"Tidak dikenal: {item!r}"


def store_inbound(item: parse.Inbound, delivery: WebhookDelivery | None = None):
    """Store and handle one message; None when this wamid was stored before."""
    with transaction.atomic():
        if InboundMessage.objects.filter(wamid=item.wamid).exists():
            return None
        sender, problem = _sender(item)
        received = delivery.received_at if delivery else timezone.now()
        sent_at = item.timestamp or received
        message, created = InboundMessage.objects.get_or_create(
            wamid=item.wamid,
            defaults={
                "delivery": delivery,
                "reporter": sender if isinstance(sender, Reporter) else None,
                "staff": sender if isinstance(sender, User) else None,
                "from_phone": item.from_phone[:32],
                "from_user_id": item.from_user_id[:200],
                "profile_name": item.profile_name[:200],
                "type": item.type[:40],
                "text": item.text,
                "payload": item.raw,
                "context_wamid": item.context_id[:200],
                "sent_at": sent_at,
                "received_at": received,
            },
        )
        if not created:
            # Another worker stored it a moment ago: nothing of this try is kept.
            transaction.set_rollback(True)
            return None
        if isinstance(sender, Reporter) and item.type != "system":
            # The 24-hour customer-service window runs from the citizen's last message.
            Reporter.objects.filter(pk=sender.pk).filter(
                Q(last_inbound_at__isnull=True) | Q(last_inbound_at__lt=sent_at)
            ).update(last_inbound_at=sent_at)
            if sender.last_inbound_at is None or sender.last_inbound_at < sent_at:
                sender.last_inbound_at = sent_at  # the handlers see it too
        if item.media is not None:
            _queue_media(message, item.media)
        _run_handlers(message, [problem] if problem else [])
    return message


def _sender(item: parse.Inbound) -> tuple[Reporter | User | None, str]:
    """Who sent it, and what went wrong finding out: ids the database cannot hold must
    not cost the message itself."""
    try:
        with transaction.atomic():
            if item.change is not None:
                # A system message about the sender's own ids: follow it, create no one.
                return identity.follow_change(**_change_ids(item.change)), ""
            sender = identity.resolve(
                user_id=item.from_user_id,
                wa_id=item.from_phone,
                profile_name=item.profile_name,
                username=item.username,
            )
            return sender, ""
    except DataError as exc:
        log.exception("sender of message %s not recorded", mask_wamid(item.wamid))
        return None, f"Pengirim tidak dapat dicatat: {exc}"


def _queue_media(message: InboundMessage, media: parse.Media) -> None:
    from lalisa.whatsapp.tasks import download_media

    row = InboundMedia.objects.create(
        message=message,
        media_id=media.id[:100],
        mime_type=media.mime_type[:100],
        sha256=media.sha256[:100],
        next_attempt_at=timezone.now(),
    )
    download_media.enqueue(row.pk)


def _run_handlers(message: InboundMessage, errors: list[str]) -> None:
    for handler in list(HANDLERS):
        try:
            with transaction.atomic():
                note = handler(message)
            if isinstance(note, str) and note:
                errors.append(note)  # handled, with something for staff to see
        except Exception as exc:
            # What the handler wrote is undone; the message stays, with the error shown.
            log.exception("handler %s failed on inbound message %s", _name(handler), message.pk)
            errors.append(f"{_name(handler)}: {type(exc).__name__}: {exc}")
    message.handled_at = timezone.now()
    message.handle_error = "\n".join(errors)
    message.save(update_fields=["handled_at", "handle_error"])


class StatusTooEarly(Exception):
    pass


def apply_status(item: parse.Status) -> str:
    """Move the outbound message forward: queued < sent < delivered < read. `failed` is
    final, but does not undo a delivery or a read already seen. Late and repeated statuses
    change nothing; unknown ones (e.g. `played`) are ignored."""
    if item.status not in PROGRESS and item.status != "failed":
        log.info("status %r for %s ignored", item.status, mask_wamid(item.wamid))
        return ""
    with transaction.atomic():
        message = OutboundMessage.objects.select_for_update().filter(wamid=item.wamid).first()
        if message is None:
            at = item.timestamp or timezone.now()
            if item.status == "failed" and timezone.now() - at < EARLY_STATUS_WINDOW:
                # Meta can report a failure before the sender has saved the wamid: the
                # delivery is tried again shortly rather than losing, say, a 131047.
                raise StatusTooEarly(f"status failed untuk {item.wamid} belum dikenal")
            log.info(
                "status %s for unknown message %s ignored", item.status, mask_wamid(item.wamid)
            )
            return ""
        fields = advance(message, item)
        if not fields:
            return ""
        message.save(update_fields=fields)
        if message.reporter_id and (item.recipient_user_id or item.recipient_id):
            # Sent to a phone, the status tells the BSUID too (and the other way round).
            identity.learn(
                message.reporter, user_id=item.recipient_user_id, wa_id=item.recipient_id
            )
        if "state" in fields:
            _after_state_change(message)
    return ""


def advance(message: OutboundMessage, item: parse.Status) -> list[str]:
    """Apply one status to the message in memory; return the fields changed."""
    at = item.timestamp or timezone.now()
    if message.state == OutState.FAILED:
        return []
    if item.status == "failed":
        if message.state in (OutState.DELIVERED, OutState.READ):
            log.warning("failed after %s for outbound %s ignored", message.state, message.pk)
            return []
        message.state = OutState.FAILED
        message.failed_at = at
        message.error_code = item.error_code
        message.error = failure_text(item)
        return ["state", "failed_at", "error_code", "error"]
    fields = []
    reached = PROGRESS[item.status]
    # A later step implies the earlier ones; the earliest time seen for each step wins.
    for step, stamp in (
        (OutState.SENT, "sent_at"),
        (OutState.DELIVERED, "delivered_at"),
        (OutState.READ, "read_at"),
    ):
        if STATE_RANK[step] > STATE_RANK[reached]:
            break
        current = getattr(message, stamp)
        if current is None or at < current:
            setattr(message, stamp, at)
            fields.append(stamp)
    if STATE_RANK[reached] > STATE_RANK.get(message.state, 0):
        message.state = reached
        fields.append("state")
    return fields


def _after_state_change(message: OutboundMessage) -> None:
    """The sender's rules take over: 131047 after Meta accepted the send means the 24-hour
    window had closed, so the approved template goes instead; and the notification the
    message carries is settled from all its messages."""
    from lalisa.whatsapp import sender

    if message.state == OutState.FAILED and message.error_code == sender.REENGAGEMENT:
        sender.replace_with_template(message)
    sender.settle_notification(message.notification_id)


def apply_template_update(item: parse.TemplateUpdate) -> str:
    """Meta's verdict on a template; the templates module owns what each event means."""
    from lalisa.whatsapp import templates

    with transaction.atomic():
        row = templates.apply_status_update(item.raw)
    if row is None:
        log.info("verdict %s for unknown template %r ignored", item.event, item.name)
    return ""


def failure_text(item: parse.Status) -> str:
    """Staff read the meaning in Indonesian, then Meta's own words."""
    from lalisa.whatsapp.sender import EXPLANATIONS, REENGAGEMENT

    meta = item.error_message
    # For 131047 the sender writes its own explanation when it queues the template (and
    # takes one that starts with it as "already handled").
    meaning = EXPLANATIONS.get(item.error_code or 0) if item.error_code != REENGAGEMENT else ""
    if meaning and meta:
        return f"{meaning} [{meta}]"
    return meaning or meta or "Gagal terkirim (tanpa keterangan dari WhatsApp)."


def _change_ids(change: parse.IdentityChange) -> dict:
    return {
        "previous_user_id": change.previous_user_id,
        "user_id": change.user_id,
        "previous_wa_id": change.previous_wa_id,
        "wa_id": change.wa_id,
        "profile_name": change.profile_name,
    }


def _finish(delivery_id: int, error: str) -> None:
    WebhookDelivery.objects.filter(pk=delivery_id).update(
        processed_at=timezone.now(), error=parse.storable(error)
    )


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def _name(func) -> str:
    return getattr(func, "__qualname__", None) or repr(func)
