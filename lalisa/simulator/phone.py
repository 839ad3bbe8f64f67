"""The simulated phone: turns what the person did on the simulator page into a message in
Meta's exact webhook format, records it, signs it and posts it to the service's webhook."""

from pathlib import Path

from django.utils import timezone

from lalisa.simulator import emulator, meta
from lalisa.simulator.models import EmulatedContact, EmulatedMedia, EmulatedMessage

STICKER_DIR = Path(__file__).resolve().parent / "static" / "simulator" / "stickers"
STICKERS = sorted(path.stem for path in STICKER_DIR.glob("*.webp"))


class PhoneError(ValueError):
    """What the person did cannot be sent (shown on the page, in Indonesian)."""


def _str(data: dict, key: str, *, required: bool = True, limit: int = 4096) -> str:
    value = data.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise PhoneError(f"Kolom {key} wajib diisi.")
        return ""
    if not isinstance(value, str):
        raise PhoneError(f"Kolom {key} harus berupa teks.")
    return value[:limit]


def _context(contact: EmulatedContact, wamid: str) -> dict:
    """A reply's context: whose message it quotes (ours: the business number) and its id."""
    quoted = EmulatedMessage.objects.filter(wamid=wamid, chat=contact.user_id).first()
    if quoted is None:
        raise PhoneError("Pesan yang dibalas tidak ditemukan.")
    if quoted.direction == EmulatedMessage.Direction.OUT:
        return {"from": meta.display_number(), "id": wamid}
    return {"from": contact.wa_id or contact.user_id, "id": wamid}


def _media_object(request, media: EmulatedMedia, **extra) -> dict:
    url = emulator.media_url(request, media, source="webhook", ttl=emulator.WEBHOOK_MEDIA_URL_TTL)
    return {
        **extra,
        "mime_type": media.mime_type,
        "sha256": media.sha256,
        "id": media.media_id,
        "url": url,
    }


def compose(request, contact: EmulatedContact, data: dict) -> dict:
    """The page's request → the message object of a webhook (without sender and id)."""
    kind = data.get("kind")
    context = None
    if kind == "text":
        message = {"type": "text", "text": {"body": _str(data, "text")}}
        if data.get("context_id"):
            context = _context(contact, _str(data, "context_id"))
    elif kind == "button_reply":
        context = _context(contact, _str(data, "context_id"))
        reply = {"id": _str(data, "id", limit=256), "title": _str(data, "title", limit=20)}
        message = {
            "type": "interactive",
            "interactive": {"type": "button_reply", "button_reply": reply},
        }
    elif kind == "list_reply":
        context = _context(contact, _str(data, "context_id"))
        reply = {"id": _str(data, "id", limit=200), "title": _str(data, "title", limit=24)}
        if data.get("description"):
            reply["description"] = _str(data, "description", limit=72)
        message = {
            "type": "interactive",
            "interactive": {"type": "list_reply", "list_reply": reply},
        }
    elif kind == "template_button":
        # A quick-reply button of a template arrives as type "button" (button_template_reply).
        context = _context(contact, _str(data, "context_id"))
        button = {"payload": _str(data, "payload"), "text": _str(data, "text")}
        message = {"type": "button", "button": button}
    elif kind == "location":
        try:
            lat, lng = float(data.get("latitude")), float(data.get("longitude"))
        except (TypeError, ValueError):
            raise PhoneError("Lintang dan bujur harus berupa angka.") from None
        if not (-90 <= lat <= 90 and -180 <= lng <= 180):
            raise PhoneError("Lintang atau bujur di luar jangkauan.")
        location = {"latitude": lat, "longitude": lng}
        for key in ("name", "address"):
            if data.get(key):
                location[key] = _str(data, key, limit=200)
        message = {"type": "location", "location": location}
    elif kind == "image":
        media = EmulatedMedia.objects.filter(media_id=_str(data, "media_id")).first()
        if media is None:
            raise PhoneError("Foto belum terunggah.")
        caption = _str(data, "caption", required=False, limit=1024)
        image = _media_object(request, media, **({"caption": caption} if caption else {}))
        message = {"type": "image", "image": image}
        if data.get("context_id"):
            context = _context(contact, _str(data, "context_id"))
    elif kind == "audio":
        # A voice note, as WhatsApp sends one recorded in the chat.
        media = EmulatedMedia.objects.filter(media_id=_str(data, "media_id")).first()
        if media is None:
            raise PhoneError("Pesan suara belum terunggah.")
        message = {"type": "audio", "audio": _media_object(request, media, voice=True)}
    elif kind == "document":
        # A file shared from the phone (the page has no picker for one; the API takes it).
        media = EmulatedMedia.objects.filter(media_id=_str(data, "media_id")).first()
        if media is None:
            raise PhoneError("Dokumen belum terunggah.")
        extra = {"filename": media.filename} if media.filename else {}
        caption = _str(data, "caption", required=False, limit=1024)
        if caption:
            extra["caption"] = caption
        message = {"type": "document", "document": _media_object(request, media, **extra)}
    elif kind == "sticker":
        name = _str(data, "sticker")
        if name not in STICKERS:
            raise PhoneError("Stiker tidak dikenal.")
        media = sticker_media(name)
        sticker = _media_object(request, media)
        sticker["animated"] = False
        message = {"type": "sticker", "sticker": sticker}
    elif kind == "reaction":
        target = _str(data, "message_id")
        if not EmulatedMessage.objects.filter(wamid=target, chat=contact.user_id).exists():
            raise PhoneError("Pesan yang ditanggapi tidak ditemukan.")
        reaction = {"message_id": target}
        emoji = _str(data, "emoji", required=False, limit=16)
        if emoji:  # Meta omits emoji when a reaction is removed
            reaction["emoji"] = emoji
        message = {"type": "reaction", "reaction": reaction}
    else:
        raise PhoneError("Jenis pesan tidak dikenal.")
    return {"context": context, **message} if context else message


def sticker_media(name: str) -> EmulatedMedia:
    """Each sticker is one media item, reused (the same file has the same sha256)."""
    content = (STICKER_DIR / f"{name}.webp").read_bytes()
    existing = EmulatedMedia.objects.filter(sha256=meta.sha256_b64(content)).first()
    return existing or emulator.store_media(content, "image/webp", f"{name}.webp")


def send(request, contact: EmulatedContact, data: dict) -> EmulatedMessage:
    """Compose, record and post one message from `contact`. The record keeps the whole
    webhook body, so that it can be posted again unchanged (a duplicate delivery)."""
    composed = compose(request, contact, data)
    wamid = meta.wamid(contact.wa_id or contact.user_id)
    message = {}
    if "context" in composed:
        message["context"] = composed.pop("context")
    if contact.shared_wa_id:
        message["from"] = contact.wa_id
    message["from_user_id"] = contact.user_id
    message["id"] = wamid
    message["timestamp"] = meta.now_ts()
    message.update(composed)
    body = emulator.inbound_body(contact, message)
    record = EmulatedMessage.objects.create(
        direction=EmulatedMessage.Direction.IN,
        wamid=wamid,
        chat=contact.user_id,
        payload=body,
        raw=emulator.encode(body).decode(),
        status="sent",
    )
    EmulatedContact.objects.filter(pk=contact.pk).update(updated_at=timezone.now())
    return post(record)


def post(record: EmulatedMessage) -> EmulatedMessage:
    """POST the recorded body; delivered on 200, failed (with the webhook's answer) otherwise."""
    status, error = emulator.post_webhook(
        record.raw.encode() if record.raw else emulator.encode(record.payload)
    )
    rows = EmulatedMessage.objects.filter(pk=record.pk)
    # Conditional: the service may already have marked it read (its worker is quick).
    if status == 200:
        rows.filter(status__in=["sent", "failed"]).update(status="delivered", error="")
    else:
        error = f"HTTP {status}: {error}" if status else error
        rows.exclude(status="read").update(status="failed", error=error)
    record.refresh_from_db()
    return record
