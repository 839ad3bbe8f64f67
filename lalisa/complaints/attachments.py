"""Photos, videos, voice notes and documents a citizen or a team sent on WhatsApp, kept as
the complaint's media.

A complaint's Media row points at the InboundMedia it came from. When the file is already
downloaded its name and size are copied at once; otherwise lalisa.whatsapp.media fills
them in when the download lands (both lock the InboundMedia row, so neither misses the
other). The file itself is not copied: both rows name the same stored file.
"""

from django.db import IntegrityError, transaction

from lalisa.complaints.models import Complaint, Media
from lalisa.whatsapp.models import InboundMedia, InboundMessage

# A message type that is not one of Media's kinds is kept as a document.
_KINDS = frozenset(Media.Kind.values)


def _kind(message_type: str) -> str:
    return message_type if message_type in _KINDS else Media.Kind.DOCUMENT


def _sha256(value: str) -> str:
    # Media.sha256 holds base64 (44) or hex (64); anything longer is not a digest we know.
    return value if len(value) <= 64 else ""


@transaction.atomic
def attach_message(
    complaint: Complaint, message: InboundMessage, *, dispatch=None, uploaded_by=None
) -> list[Media]:
    """Keep the media of `message` with `complaint`; returns its Media rows, new or already
    there. Attaching the same message again creates nothing. Links the message to the
    complaint when it is linked to none yet. `dispatch` marks a team's photos."""
    if message.complaint_id is None:
        linked = InboundMessage.objects.filter(pk=message.pk, complaint__isnull=True)
        if linked.update(complaint=complaint):
            message.complaint = complaint
        else:  # linked meanwhile: keep what is saved
            message.refresh_from_db(fields=["complaint"])
    # Locked: a download finishing now either sees our row or has already stored the file.
    inbound = InboundMedia.objects.select_for_update().filter(message_id=message.pk).first()
    if inbound is None:
        return []
    existing = Media.objects.filter(complaint=complaint, inbound=inbound).first()
    if existing is not None:
        return [existing]
    stored = inbound.state == InboundMedia.State.STORED
    row = Media(
        complaint=complaint,
        inbound=inbound,
        dispatch=dispatch,
        uploaded_by=uploaded_by,
        kind=_kind(message.type),
        caption=(message.text or "")[:1024],
        mime_type=inbound.mime_type[:100],
        sha256=_sha256(inbound.sha256),
        wa_media_id=inbound.media_id[:64],
        file=inbound.file.name if stored else "",
        size=inbound.size if stored else None,
    )
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        # Attached by another worker a moment ago (one_media_per_inbound).
        return [Media.objects.get(complaint=complaint, inbound=inbound)]
    return [row]
