"""Photos a team uploads from the mobile page: checked by their content (lalisa.filetypes),
not by what the browser claims, and kept as the complaint's media."""

import hashlib

from django.core.files.base import ContentFile

from lalisa import filetypes
from lalisa.complaints.models import Complaint, Media

# WhatsApp's own limit for images: what can be stored can also be sent on.
MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_PHOTOS = 10
# What WhatsApp takes as a photo, and a phone's browser makes.
PHOTO_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})


class UploadRefused(ValueError):
    """An upload that cannot be kept; the message is for the person who sent it."""


def _photo_type(content: bytes) -> filetypes.FileType | None:
    found = filetypes.detect(content)
    return found if found.mime in PHOTO_TYPES else None


def _not_a_photo(upload) -> UploadRefused:
    return UploadRefused(f"«{upload.name}» bukan foto JPEG, PNG atau WebP.")


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
        content = upload.read()
        upload.seek(0)
        if _photo_type(content) is None:
            raise _not_a_photo(upload)


def store(complaint: Complaint, upload, *, user) -> Media:
    """Keep one checked upload as the complaint's photo."""
    content = upload.read()
    found = _photo_type(content)
    if found is None:  # check() refused it already; never kept under a photo's name
        raise _not_a_photo(upload)
    digest = hashlib.sha256(content).hexdigest()
    media = Media(
        complaint=complaint,
        kind=Media.Kind.IMAGE,
        mime_type=found.mime,
        size=len(content),
        sha256=digest,
        uploaded_by=user,
    )
    media.file.save(f"upload-{digest[:16]}.{found.extension}", ContentFile(content), save=False)
    media.save()
    return media
