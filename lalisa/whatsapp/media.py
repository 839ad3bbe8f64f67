"""Photos, videos, voice notes and documents citizens send, fetched by the worker.

Meta gives a media id (valid 7 days); `GET /{media-id}` gives a download URL (valid about
5 minutes) that needs the same bearer token. The file is checked (size against Meta's
per-type maxima, type against what the webhook said, SHA-256) and stored privately under
MEDIA_ROOT (no URL: staff pages serve it after checking access). What the file is comes from
its content (lalisa.filetypes), never from the webhook: that type is kept and names the file
(the message's payload still holds what the webhook said). A failed try is retried with
growing delays until the id expires; a permanent refusal marks the row failed, and the
message row still holds the payload.

A stored file also fills in the complaint media attached from it (lalisa.complaints.
attachments). Code that must hear of a download given up for good registers with
`on_failure(func)`: `func(media_pk)` runs in the worker right after the failure is saved,
so it must only queue work (a notification, a task), never call the network itself.
"""

import base64
import binascii
import datetime as dt
import hashlib
import logging
import re
from collections.abc import Callable

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from lalisa import filetypes
from lalisa.whatsapp import graph
from lalisa.whatsapp.models import InboundMedia

log = logging.getLogger(__name__)

MB = 1024 * 1024
# Meta's maxima per message type (business-phone-numbers/media).
MAX_BYTES = {
    "image": 5 * MB,
    "video": 16 * MB,
    "audio": 16 * MB,
    "document": 100 * MB,
    "sticker": 500 * 1024,
}
DEFAULT_MAX_BYTES = 100 * MB
RETRY_DELAYS = [
    dt.timedelta(seconds=10),
    dt.timedelta(minutes=1),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=30),
    dt.timedelta(hours=2),
    dt.timedelta(hours=6),
]  # then every 6 hours
MEDIA_ID_LIFETIME = dt.timedelta(days=7)
# A try in progress holds the row this long; after it, the periodic job may try again.
CLAIM_FOR = dt.timedelta(minutes=10)
GENERIC_TYPES = frozenset({"", "application/octet-stream", "binary/octet-stream"})


FailureHandler = Callable[[int], None]

# Called with the InboundMedia pk once a download has failed for good.
FAILURE_HANDLERS: list[FailureHandler] = []


def on_failure(handler: FailureHandler) -> FailureHandler:
    """Register `handler(media_pk)` (once, however often this runs); usable as a decorator."""
    if handler not in FAILURE_HANDLERS:
        FAILURE_HANDLERS.append(handler)
    return handler


class Retry(Exception):
    """This try failed; a later one may work."""


class Refused(Exception):
    """The file will never be acceptable (too large, id expired)."""


def download(media_pk: int) -> str:
    """One try at fetching one media file; returns the outcome for the task log."""
    now = timezone.now()
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    claimed = (
        InboundMedia.objects.filter(pk=media_pk, state=InboundMedia.State.PENDING)
        .filter(due)
        .update(next_attempt_at=now + CLAIM_FOR, attempts=F("attempts") + 1)
    )
    if not claimed:
        # Stored, failed, not due yet, or another worker is at it.
        return "skipped"
    media = InboundMedia.objects.select_related("message").get(pk=media_pk)
    expires = media.message.sent_at + MEDIA_ID_LIFETIME
    try:
        if now >= expires:
            raise Refused("ID media sudah kedaluwarsa (lebih dari 7 hari); berkas tidak diunduh.")
        content = fetch(media)
        found = filetypes.detect(content, declared=media.mime_type, filename=filename(media))
        name = store(media, content, found)
    except Refused as exc:
        return _fail(media, str(exc))
    except graph.GraphError as exc:
        if exc.permanent and not _worth_retrying(exc):
            return _fail(media, f"Graph API menolak: {exc}")
        return _retry(media, f"Graph API: {exc}", expires)
    except (Retry, OSError) as exc:
        return _retry(media, str(exc), expires)
    sha256 = media.sha256 or base64.b64encode(hashlib.sha256(content).digest()).decode()
    with transaction.atomic():
        # This row's lock first: a complaint attaching it now waits, or is already saved.
        InboundMedia.objects.filter(pk=media.pk).update(
            file=name,
            mime_type=found.mime,
            size=len(content),
            sha256=sha256,
            state=InboundMedia.State.STORED,
            next_attempt_at=None,
            error="",
        )
        _fill_complaint_media(media, name, len(content), sha256, found.mime)
    log.info("media %s stored as %s (%d bytes)", media.media_id, name, len(content))
    return "stored"


def fetch(media: InboundMedia) -> bytes:
    """The checked content of one media file, or Retry/Refused/GraphError."""
    kind = media.message.type
    limit = MAX_BYTES.get(kind, DEFAULT_MAX_BYTES)
    info = graph.call("GET", media.media_id)
    if not isinstance(info, dict) or not info.get("url"):
        raise Retry("Graph API tidak memberi URL unduhan.")
    declared = _int(info.get("file_size"))
    if declared and declared > limit:
        raise Refused(_too_large(declared, limit, kind))
    try:
        response = graph.call("GET", "", absolute_url=info["url"], raw=True)
    except graph.GraphError as exc:
        # The URL lives about 5 minutes: a 404 there means "ask for a fresh one".
        if exc.status == 404:
            raise Retry(f"URL unduhan tidak berlaku lagi: {exc}") from exc
        raise
    content = response.content
    if not content:
        raise Retry("Berkas yang diunduh kosong.")
    if len(content) > limit:
        raise Refused(_too_large(len(content), limit, kind))
    expected_type = media.mime_type or str(info.get("mime_type") or "")
    got_type = response.headers.get("content-type", "")
    if not same_type(expected_type, got_type):
        raise Retry(f"Jenis berkas tidak cocok: diharapkan {expected_type}, diterima {got_type}.")
    for expected in {media.sha256, str(info.get("sha256") or "")} - {""}:
        if not digest_matches(content, expected):
            raise Retry("Checksum SHA-256 berkas tidak cocok; diunduh ulang nanti.")
    return content


def store(media: InboundMedia, content: bytes, found: filetypes.FileType) -> str:
    sent = timezone.localtime(media.message.sent_at)
    safe_id = re.sub(r"[^A-Za-z0-9_-]", "_", media.media_id)[:80]
    name = f"whatsapp/{sent:%Y/%m}/{safe_id}.{found.extension}"
    # The name is this media's own: an earlier try that died after writing it is replaced.
    if default_storage.exists(name):
        default_storage.delete(name)
    return default_storage.save(name, ContentFile(content))


def same_type(expected: str, got: str) -> bool:
    """Roughly the same type: equal, the same family (image/…), or a generic answer."""
    expected, got = _base_type(expected), _base_type(got)
    if not expected or got in GENERIC_TYPES:
        return True
    return expected == got or expected.split("/")[0] == got.split("/")[0]


def digest_matches(content: bytes, expected: str) -> bool:
    """Meta's docs do not say how sha256 is written: base64 in every example, hex in some
    third-party copies. Either is accepted."""
    digest = hashlib.sha256(content).digest()
    expected = expected.strip()
    if expected.lower() == digest.hex():
        return True
    try:
        return base64.b64decode(expected, validate=True) == digest
    except (binascii.Error, ValueError):
        return False


def filename(media: InboundMedia) -> str:
    """The name the sender gave a document (it only names a container its content shows)."""
    obj = (media.message.payload or {}).get(media.message.type)
    return str(obj.get("filename") or "") if isinstance(obj, dict) else ""


def next_delay(attempts: int) -> dt.timedelta:
    return RETRY_DELAYS[min(max(attempts, 1), len(RETRY_DELAYS)) - 1]


def _retry(media: InboundMedia, error: str, expires: dt.datetime) -> str:
    from lalisa.whatsapp.tasks import download_media

    attempts = InboundMedia.objects.values_list("attempts", flat=True).get(pk=media.pk)
    at = timezone.now() + next_delay(attempts)
    if at >= expires:
        return _fail(media, f"{error} Batas 7 hari ID media terlewati; tidak dicoba lagi.")
    with transaction.atomic():
        InboundMedia.objects.filter(pk=media.pk).update(next_attempt_at=at, error=error)
        download_media.using(run_after=at).enqueue(media.pk)
    log.warning("media %s: %s; retry %d at %s", media.media_id, error, attempts, at.isoformat())
    return "retry"


def _fill_complaint_media(
    media: InboundMedia, name: str, size: int, sha256: str, mime_type: str
) -> None:
    # Imported here: the WhatsApp adapter knows complaints only through this one update.
    from lalisa.complaints.models import Media

    Media.objects.filter(inbound=media).update(
        file=name, size=size, sha256=sha256 if len(sha256) <= 64 else "", mime_type=mime_type
    )


def _fail(media: InboundMedia, error: str) -> str:
    InboundMedia.objects.filter(pk=media.pk).update(
        state=InboundMedia.State.FAILED, next_attempt_at=None, error=error
    )
    log.error("media %s failed: %s", media.media_id, error)
    for handler in list(FAILURE_HANDLERS):
        try:
            # Its own savepoint: a handler that fails leaves the failure recorded above.
            with transaction.atomic():
                handler(media.pk)
        except Exception:
            log.exception("media failure handler %r failed for media %s", handler, media.pk)
    return "failed"


def _worth_retrying(exc: graph.GraphError) -> bool:
    # An expired or revoked token is fixed by ops, usually within the media's 7 days.
    return exc.code == 190 or exc.status == 401


def _too_large(size: int, limit: int, kind: str) -> str:
    return f"Berkas terlalu besar: {size} byte (batas {kind}: {limit} byte)."


def _base_type(mime: str) -> str:
    return (mime or "").split(";")[0].strip().lower()


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
