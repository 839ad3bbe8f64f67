"""Files as citizens and teams send them: real images made by Pillow (a stored file's type
comes from its content), and the hostile ones a browser must never run."""

import io

from PIL import Image


def image(fmt: str = "JPEG", size=(4, 3), color="orange") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, fmt)
    return buffer.getvalue()


JPEG = image("JPEG")
PNG = image("PNG")
WEBP = image("WEBP")
GIF = image("GIF")

# A page that loads another of the citizen's files as its script, and that script.
HTML = (
    b"<!doctype html><html><body><h1>Surat pengaduan</h1>"
    b'<script src="/aduan/LL-2612-0001/media/2"></script></body></html>'
)
SCRIPT = b"fetch('/api/v1/complaints').then(r => r.text()).then(t => alert(document.cookie));"
SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(document.cookie)</script><rect width='10' height='10'/></svg>"
)
