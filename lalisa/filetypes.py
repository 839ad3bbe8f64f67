"""What a stored file is, decided from its bytes, never from what its sender said.

A WhatsApp message or a browser names a type, and either can lie: an HTML page sent as a
document of type text/html, or as a photo of type image/jpeg. Only what is verified here is
shown in a staff member's browser: an image Pillow opens as JPEG, PNG, WebP or GIF, a voice
note or a video by its container's signature. Everything else is a download.

Pillow (already installed for ReportLab) reads the images: it checks a file's structure, not
only its first bytes. python-magic was not taken: it needs libmagic on the server, and its
answer is a name to trust, where what is needed is the short list of what may be shown.
"""

import io
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import BinaryIO

from PIL import Image


@dataclass(frozen=True)
class FileType:
    mime: str
    extension: str
    # A verified image, voice note or video: the one kind of file a browser may show.
    inline: bool = False

    @property
    def is_image(self) -> bool:
        return self.inline and self.mime.startswith("image/")


UNKNOWN = FileType("application/octet-stream", "bin")

JPEG = FileType("image/jpeg", "jpg", inline=True)
# Pillow's format names → the type. Only these plugins are tried, never Pillow's others.
IMAGES = {
    "JPEG": JPEG,
    "PNG": FileType("image/png", "png", inline=True),
    "WEBP": FileType("image/webp", "webp", inline=True),
    "GIF": FileType("image/gif", "gif", inline=True),
}
IMAGE_FORMATS = tuple(IMAGES)
# A phone's multi-picture JPEG: opened by the JPEG plugin, named apart.
IMAGES["MPO"] = JPEG
IMAGE_TYPES = frozenset(t.mime for t in IMAGES.values())

OGG = FileType("audio/ogg", "ogg", inline=True)  # WhatsApp's voice notes: Opus in Ogg
MP3 = FileType("audio/mpeg", "mp3", inline=True)
AAC = FileType("audio/aac", "aac", inline=True)
M4A = FileType("audio/mp4", "m4a", inline=True)
AMR = FileType("audio/amr", "amr", inline=True)
AMR_WB = FileType("audio/amr-wb", "awb", inline=True)
MP4 = FileType("video/mp4", "mp4", inline=True)
THREE_GP = FileType("video/3gpp", "3gp", inline=True)

PDF = FileType("application/pdf", "pdf")
# Office files are ZIP or OLE containers: their kind comes from the name, checked against the
# container they must be.
ZIP_DOCUMENTS = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
OLE_DOCUMENTS = {
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "ppt": "application/vnd.ms-powerpoint",
}
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
HEAD = 64


def detect(content: bytes, *, declared: str = "", filename: str = "") -> FileType:
    return detect_file(io.BytesIO(content), declared=declared, filename=filename)


def detect_file(handle: BinaryIO, *, declared: str = "", filename: str = "") -> FileType:
    """The type of the file open in `handle` (read from its start, left at its start).

    `declared` and `filename` (what the sender said) only name a document whose container
    the content shows; they never make a file inline."""
    handle.seek(0)
    head = handle.read(HEAD)
    try:
        found = _image(handle) or _audio_video(head) or _document(head, declared, filename)
    finally:
        handle.seek(0)
    return found or UNKNOWN


def _image(handle: BinaryIO) -> FileType | None:
    handle.seek(0)
    try:
        with Image.open(handle, formats=IMAGE_FORMATS) as image:
            image.verify()
            return IMAGES.get(image.format or "")
    except Exception:  # whatever Pillow cannot read is not an image
        return None


def _audio_video(head: bytes) -> FileType | None:
    if head.startswith(b"OggS"):
        return OGG
    if head.startswith(b"#!AMR\n"):
        return AMR
    if head.startswith(b"#!AMR-WB\n"):
        return AMR_WB
    if head.startswith(b"ID3"):
        return MP3
    if head[4:8] == b"ftyp":  # ISO base media: MP4, M4A, 3GP
        brand = head[8:12]
        if brand.startswith((b"3gp", b"3g2")):
            return THREE_GP
        return M4A if brand in (b"M4A ", b"M4B ") else MP4
    if len(head) >= 3 and head[0] == 0xFF:
        # Frame headers (no container): the sync bits and fields that have no "reserved"
        # or "bad" value, so that an arbitrary 0xFF… start (a UTF-16 text) is not taken.
        if head[1] & 0xF6 == 0xF0 and (head[2] >> 2) & 0x0F <= 12:  # ADTS: AAC
            return AAC
        version, layer = (head[1] >> 3) & 0x03, (head[1] >> 1) & 0x03
        bitrate, rate = head[2] >> 4, (head[2] >> 2) & 0x03
        if head[1] & 0xE0 == 0xE0 and version != 1 and layer == 1 and bitrate != 15 and rate != 3:
            return MP3  # MPEG audio, layer III
    return None


def _document(head: bytes, declared: str, filename: str) -> FileType | None:
    suffix = PurePosixPath(filename or "").suffix.lstrip(".").lower()
    base = (declared or "").split(";")[0].strip().lower()
    if head.startswith(b"%PDF-"):
        return PDF
    for magic, kinds in ((ZIP_MAGIC, ZIP_DOCUMENTS), (OLE_MAGIC, OLE_DOCUMENTS)):
        if head.startswith(magic):
            for extension, mime in kinds.items():
                if suffix == extension or base == mime:
                    return FileType(mime, extension)
    if head.startswith(ZIP_MAGIC):
        return FileType("application/zip", "zip")
    if base == "text/plain" and b"\x00" not in head:
        return FileType("text/plain", "txt")
    return None
