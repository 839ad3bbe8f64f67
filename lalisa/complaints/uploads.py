"""Photos a team uploads from the mobile page: checked by their first bytes, not by what the
browser claims, and kept as the complaint's media."""

import hashlib

from django.core.files.base import ContentFile

from lalisa.complaints.models import Complaint, Media

# WhatsApp's own limit for images: what can be stored can also be sent on.
MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_PHOTOS = 10
_SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
)


class UploadRefused(ValueError):
    """An upload that cannot be kept; the message is for the person who sent it."""


def _sniff(head: bytes) -> tuple[str, str] | None:
    for signature, mime, extension in _SIGNATURES:
        if head.startswith(signature):
            return mime, extension
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp", "webp"
    return None


def check(files) -> None:
    """Refuse the whole batch before anything is stored: nothing is half-kept."""
    if len(files) > MAX_PHOTOS:
        raise UploadRefused(f"Paling banyak {MAX_PHOTOS} foto sekali unggah.")
    for upload in files:
        if upload.size > MAX_PHOTO_BYTES:
            raise UploadRefused(
                f"Foto «{upload.name}» terlalu besar: paling besar 5 MB "
                f"({upload.size / 1024 / 1024:.1f} MB)."
            )
        upload.seek(0)
        head = upload.read(16)
        upload.seek(0)
        if _sniff(head) is None:
            raise UploadRefused(f"«{upload.name}» bukan foto JPEG, PNG atau WebP.")


def store(complaint: Complaint, upload, *, user) -> Media:
    """Keep one checked upload as the complaint's photo."""
    content = upload.read()
    mime, extension = _sniff(content[:16])
    digest = hashlib.sha256(content).hexdigest()
    media = Media(
        complaint=complaint,
        kind=Media.Kind.IMAGE,
        mime_type=mime,
        size=len(content),
        sha256=digest,
        uploaded_by=user,
    )
    media.file.save(f"upload-{digest[:16]}.{extension}", ContentFile(content), save=False)
    media.save()
    return media
