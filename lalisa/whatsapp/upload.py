"""Sending a stored file on: the complaint's photo uploaded to Meta when its message goes.

A payload names the file as `{"type": "image", "image": {"lalisa_media": <Media id>}}`;
just before the send, `resolve` uploads the file (or reuses an upload younger than Meta's
30 days) and puts Meta's media id in its place. A file still downloading is a transient
error (the send is retried); a file that is gone is a permanent one.
"""

import datetime as dt
import mimetypes

from django.conf import settings
from django.utils import timezone

from lalisa.whatsapp import graph
from lalisa.whatsapp.graph import GraphError

KEY = "lalisa_media"
MEDIA_TYPES = ("image", "video", "document", "audio")
# Meta keeps an uploaded file 30 days; a day's margin for a send that waits in retries.
REUSE_FOR = dt.timedelta(days=29)


def reference(payload: dict) -> int | None:
    """The Media id a payload names, if any."""
    kind = payload.get("type")
    obj = payload.get(kind) if kind in MEDIA_TYPES else None
    return obj.get(KEY) if isinstance(obj, dict) else None


def upload_id(media) -> str:
    """Meta's id for this Media's file: a recent upload, or a new one."""
    now = timezone.now()
    if media.wa_upload_id and media.wa_uploaded_at and now - media.wa_uploaded_at < REUSE_FOR:
        return media.wa_upload_id
    if not media.file:
        pending = media.inbound_id is not None and media.inbound.state == "pending"
        reason = "berkas foto belum selesai diunduh" if pending else "berkas foto tidak ada"
        raise GraphError(reason.capitalize() + ".", permanent=not pending)
    mime = media.mime_type or mimetypes.guess_type(media.file.name)[0] or ""
    mime = mime.split(";")[0].strip() or "application/octet-stream"
    try:
        with media.file.open("rb") as handle:
            content = handle.read()
    except OSError as exc:
        raise GraphError(f"Berkas foto tidak dapat dibaca: {exc}", permanent=True) from exc
    name = media.file.name.rsplit("/", 1)[-1]
    answer = graph.call(
        "POST",
        f"{settings.WHATSAPP_PHONE_NUMBER_ID}/media",
        data={"messaging_product": "whatsapp", "type": mime},
        files={"file": (name, content, mime)},
    )
    media_id = str((answer or {}).get("id") or "")
    if not media_id:
        raise GraphError("Jawaban unggah Meta tidak memuat id media", permanent=False)
    media.wa_upload_id, media.wa_uploaded_at = media_id, now
    media.save(update_fields=["wa_upload_id", "wa_uploaded_at"])
    return media_id


def resolve(payload: dict) -> dict:
    """The payload as Meta takes it: a named Media replaced by its uploaded id."""
    from lalisa.complaints.models import Media

    pk = reference(payload)
    if pk is None:
        return payload
    media = Media.objects.select_related("inbound").filter(pk=pk).first()
    if media is None:
        raise GraphError("Foto yang akan dikirim sudah tidak ada.", permanent=True)
    kind = payload["type"]
    obj = {k: v for k, v in payload[kind].items() if k != KEY}
    return {**payload, kind: {**obj, "id": upload_id(media)}}
