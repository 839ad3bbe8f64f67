"""A complaint's files as the staff pages and the API hand them out.

Nothing a citizen sent may run in a staff member's browser. The type is read from the file
itself (lalisa.filetypes), again at every request, so files stored before that check are
served as safely as new ones: a verified image, voice note or video is shown; anything else
is a download of type application/octet-stream under a name made here. And every answer of
a media view — the file, a refusal, a login redirect — carries `Content-Security-Policy:
sandbox` and `nosniff`: were a browser ever to render one as a page, it would run without
scripts and without the site's origin, so without its cookies.

Who may see the file is the caller's question (lalisa.access), asked before `serve`.
"""

import functools

from django.http import FileResponse, Http404, HttpResponseNotFound

from lalisa import filetypes
from lalisa.complaints.models import Media

SANDBOX_HEADERS = {
    "Content-Security-Policy": "sandbox",
    "X-Content-Type-Options": "nosniff",
}


class FileMissing(Http404):
    """No such media, or its file is not (or no longer) stored."""


def sandboxed(view):
    """Wraps a view serving complaint files: every response it gives carries the sandbox
    headers, and a 404 it raises is answered here, with them, as plain text."""

    @functools.wraps(view)
    def run(request, *args, **kwargs):
        try:
            response = view(request, *args, **kwargs)
        except Http404 as exc:
            response = HttpResponseNotFound(
                str(exc) or "Tidak ditemukan.", content_type="text/plain; charset=utf-8"
            )
        for name, value in SANDBOX_HEADERS.items():
            response[name] = value
        return response

    return run


def serve(item: Media | None) -> FileResponse:
    """The file of `item`, whose complaint the caller has already been allowed to see."""
    if item is None or not item.file:
        raise FileMissing("Media tidak ditemukan.")
    try:
        handle = item.file.open("rb")
    except FileNotFoundError as exc:
        raise FileMissing("Berkas media tidak ditemukan.") from exc
    found = filetypes.detect_file(handle, declared=item.mime_type, filename=item.file.name)
    # Our own name: nothing the sender chose reaches the header or the staff's disk.
    name = f"{item.complaint.code}-{item.pk}.{found.extension}"
    if found.inline:
        response = FileResponse(handle, content_type=found.mime, filename=name)
    else:
        response = FileResponse(
            handle, content_type=filetypes.UNKNOWN.mime, as_attachment=True, filename=name
        )
    response["Cache-Control"] = "private, no-store"
    return response
