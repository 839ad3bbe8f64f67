"""Nothing a citizen sent runs in a staff member's browser. A file's type comes from its
content (lalisa.filetypes), when it is stored and again when it is served; the pages and the
API show only verified images, voice notes and videos, hand out everything else as a download
of type application/octet-stream under a name of our own, and sandbox every answer
(lalisa.complaints.serving)."""

import io
import re

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from lalisa import filetypes
from lalisa.accounts.models import ApiToken
from lalisa.complaints import uploads, workflow
from lalisa.complaints.models import Complaint, Media
from tests import files
from tests.test_bot_conversation import file_by_taps

pytestmark = pytest.mark.django_db

OCTET = "application/octet-stream"
SAFE_DOWNLOAD = re.compile(r'^attachment; filename="LL-\d{4}-\d{4,}-\d+\.[a-z0-9]+"$')
SAFE_INLINE = re.compile(r'^inline; filename="LL-\d{4}-\d{4,}-\d+\.[a-z0-9]+"$')
STAFF = ("admin", "kabid", "trc")


def sandboxed(response) -> None:
    assert response["Content-Security-Policy"] == "sandbox"
    assert response["X-Content-Type-Options"] == "nosniff"


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def web_get(client, user, media: Media):
    client.force_login(user)
    return client.get(f"/aduan/{media.complaint.code}/media/{media.pk}")


def api_get(client, user, media_pk):
    header = {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(user)}"}
    return client.get(f"/api/v1/media/{media_pk}", **header)


def assert_download(response, content: bytes) -> None:
    assert response.status_code == 200
    assert response["Content-Type"] == OCTET
    assert SAFE_DOWNLOAD.match(response["Content-Disposition"]), response["Content-Disposition"]
    sandboxed(response)
    assert body(response) == content  # handed out unchanged, never run


# --- through the real webhook ------------------------------------------------------------


@pytest.fixture
def sent(chat, admin, kabid, team_a):
    """A citizen's complaint filed on the phone simulator (with a real PNG), then the files
    an attacker sends to it; verified and dispatched to team A, so admin, Kabid and the team
    all open it. Returns the complaint's media by name."""
    c = chat(name="Siti")
    file_by_taps(c)
    c.document(files.HTML, "text/html", "surat.html", caption="Surat pengaduan RT 03")
    c.document(files.SCRIPT, "text/javascript", "surat.js")
    c.photo(content=files.HTML, mime="image/jpeg")  # a page, said to be a photo
    c.document(files.SVG, "image/svg+xml", "denah.svg")
    c.photo(content=files.SVG, mime="image/png")  # the same, said to be a PNG
    c.photo(content=files.JPEG, mime="image/jpeg")
    complaint = Complaint.objects.get()
    workflow.dispatch(workflow.verify(complaint, actor=admin), actor=kabid, team=team_a)
    media = list(complaint.media.order_by("pk"))
    names = ["png", "html", "script", "html_as_jpeg", "svg", "svg_as_png", "jpeg"]
    assert [m.kind for m in media] == [
        "image", "document", "document", "image", "document", "image", "image",
    ]  # fmt: skip
    assert all(m.file for m in media)  # every download landed
    return dict(zip(names, media, strict=True))


def test_what_a_citizen_sent_that_could_run_is_a_download_for_staff(request, client, sent):
    hostile = {
        "html": files.HTML,
        "script": files.SCRIPT,
        "html_as_jpeg": files.HTML,
        "svg": files.SVG,
        "svg_as_png": files.SVG,
    }
    for who in STAFF:
        user = request.getfixturevalue(who)
        for name, content in hostile.items():
            item = sent[name]
            for response in (web_get(client, user, item), api_get(client, user, item.pk)):
                assert_download(response, content)
                assert response["Content-Disposition"].endswith('.bin"'), (who, name)

    # What is stored says what the content is, not what the webhook said.
    for name in hostile:
        item = sent[name]
        assert item.mime_type == item.inbound.mime_type == OCTET, name
        assert item.file.name.endswith(".bin"), item.file.name  # never .html, .js or .svg
        message = item.inbound.message  # what the webhook said stays in the message
        assert message.payload[message.type]["mime_type"] != OCTET


def test_real_photos_are_shown_inline_sandboxed_and_as_thumbnails(request, client, sent):
    assert (sent["png"].mime_type, sent["jpeg"].mime_type) == ("image/png", "image/jpeg")
    assert sent["jpeg"].file.name.endswith(".jpg")
    for who in STAFF:
        user = request.getfixturevalue(who)
        for name, mime in [("png", "image/png"), ("jpeg", "image/jpeg")]:
            item = sent[name]
            for response in (web_get(client, user, item), api_get(client, user, item.pk)):
                assert response.status_code == 200
                assert response["Content-Type"] == mime
                assert SAFE_INLINE.match(response["Content-Disposition"])
                sandboxed(response)
        assert body(web_get(client, user, sent["jpeg"])) == files.JPEG

        # The complaint page shows thumbnails of the real photos only; all are counted.
        client.force_login(user)
        html = client.get(f"/aduan/{sent['png'].complaint.code}/").content.decode()
        shown = set(re.findall(r'<img src="/aduan/[^/]+/media/(\d+)"', html))
        assert shown == {str(sent["png"].pk), str(sent["jpeg"].pk)}, who
        assert "7 berkas" in html

    # The API lists the type the content shows.
    header = {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(request.getfixturevalue('kabid'))}"}
    detail = client.get(f"/api/v1/complaints/{sent['png'].complaint.code}", **header).json()
    types = {m["id"]: m["mime_type"] for m in detail["media"]}
    assert types[sent["html"].pk] == types[sent["html_as_jpeg"].pk] == OCTET
    assert types[sent["jpeg"].pk] == "image/jpeg"


# --- files stored before the check: decided again when served ----------------------------


@pytest.fixture
def stored(file, media):
    """A complaint's media row whose file (and declared type) are as given: how files
    stored before their content was checked still lie on disk."""
    complaint = file()

    def _stored(content: bytes, mime: str, name: str, kind=Media.Kind.DOCUMENT) -> Media:
        item = Media(complaint=complaint, kind=kind, mime_type=mime)
        item.file.save(name, ContentFile(content), save=True)
        return item

    return _stored


HOSTILE = [
    (files.HTML, "text/html", "surat.html"),
    (files.HTML, "text/html; charset=utf-8", "surat.htm"),
    (files.HTML, "image/jpeg", "foto.jpg"),
    (files.HTML, "", "tanpa-nama"),
    (files.HTML, "text/plain", "catatan.txt"),
    (b"\xff\xd8\xff\xe0" + files.HTML, "image/jpeg", "foto.jpg"),  # JPEG's first bytes
    (b"\x89PNG\r\n\x1a\n" + files.HTML, "image/png", "foto.png"),  # PNG's first bytes
    (b"GIF89a=1;" + files.SCRIPT, "image/gif", "gerak.gif"),  # a GIF-shaped script
    (b"RIFF\x00\x00\x00\x00WEBP" + files.HTML, "image/webp", "stiker.webp"),
    (files.SCRIPT, "text/javascript", "surat.js"),
    (files.SCRIPT, "application/javascript", "surat.mjs"),
    (files.SVG, "image/svg+xml", "denah.svg"),
    (files.SVG, "image/png", "denah.png"),
    (
        b"<?xml version='1.0'?><html xmlns='http://www.w3.org/1999/xhtml'><script>1</script>"
        b"</html>",
        "application/xhtml+xml",
        "surat.xhtml",
    ),  # fmt: skip
    ("\ufeff<html><script>1</script></html>".encode("utf-16"), "text/html", "surat.html"),
    (
        b"MIME-Version: 1.0\r\nContent-Type: text/html\r\n\r\n<script>1</script>",
        "multipart/related",
        "surat.mht",
    ),  # fmt: skip
    (b"", "image/jpeg", "kosong.jpg"),
]


@pytest.mark.parametrize(("content", "mime", "name"), HOSTILE)
def test_a_file_stored_before_the_check_is_served_as_a_download(
    client, stored, admin, content, mime, name
):
    item = stored(content, mime, name, kind=Media.Kind.IMAGE)
    for response in (web_get(client, admin, item), api_get(client, admin, item.pk)):
        assert_download(response, content)
        # Named so that no program runs it either (a .txt opens as text).
        assert response["Content-Disposition"].endswith(('.bin"', '.txt"'))


def test_a_verified_image_stored_before_is_shown_whatever_it_was_called(client, stored, admin):
    item = stored(files.PNG, "application/octet-stream", "lampiran.bin")
    response = web_get(client, admin, item)
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline;")
    sandboxed(response)


def test_a_pdf_is_a_download_named_as_a_pdf(client, stored, admin):
    pdf = b"%PDF-1.7\n1 0 obj <</Type /Catalog /OpenAction <</S /JavaScript /JS (app.alert(1))>>>>"
    item = stored(pdf, "application/pdf", "surat.pdf")
    response = web_get(client, admin, item)
    assert_download(response, pdf)
    assert response["Content-Disposition"].endswith('.pdf"')


def test_the_senders_file_name_never_reaches_the_header(client, stored, admin):
    item = stored(files.HTML, "text/html", 'a"; filename=x.html; .html')
    disposition = web_get(client, admin, item)["Content-Disposition"]
    assert SAFE_DOWNLOAD.match(disposition) and "x.html" not in disposition


# --- audio and video ----------------------------------------------------------------------

AUDIO_VIDEO = [
    (b"OggS\x00\x02" + bytes(200), "audio/ogg"),
    (b"ID3\x04\x00" + bytes(200), "audio/mpeg"),
    (b"\xff\xfb\x90\x64" + bytes(200), "audio/mpeg"),
    (b"\xff\xf1\x50\x80" + bytes(200), "audio/aac"),
    (b"\x00\x00\x00\x20ftypM4A " + bytes(200), "audio/mp4"),
    (b"#!AMR\n" + bytes(200), "audio/amr"),
    (b"\x00\x00\x00\x18ftypisom" + bytes(200), "video/mp4"),
    (b"\x00\x00\x00\x18ftypmp42" + bytes(200), "video/mp4"),
    (b"\x00\x00\x00\x14ftyp3gp4" + bytes(200), "video/3gpp"),
]


@pytest.mark.parametrize(("content", "mime"), AUDIO_VIDEO)
def test_voice_notes_and_videos_play_in_the_page(client, stored, kabid, content, mime):
    item = stored(content, "application/octet-stream", "berkas.bin")
    for response in (web_get(client, kabid, item), api_get(client, kabid, item.pk)):
        assert response.status_code == 200
        assert response["Content-Type"] == mime
        assert response["Content-Disposition"].startswith("inline;")
        sandboxed(response)


def test_the_type_table():
    assert {filetypes.detect(files.image(fmt)).mime for fmt in ("JPEG", "PNG", "WEBP", "GIF")} == {
        "image/jpeg", "image/png", "image/webp", "image/gif",
    }  # fmt: skip
    assert all(filetypes.detect(c).inline for c, _ in AUDIO_VIDEO)
    for content, mime, name in HOSTILE:
        found = filetypes.detect(content, declared=mime, filename=name)
        assert not found.inline, (content[:20], mime)
    # A phone's multi-picture JPEG is a JPEG.
    buffer, picture = io.BytesIO(), Image.new("RGB", (4, 3))
    picture.save(buffer, "MPO", save_all=True, append_images=[picture])
    assert filetypes.detect(buffer.getvalue()) == filetypes.JPEG
    # Other images Pillow reads (BMP, TIFF, ICO) are not shown: only the four above.
    for fmt in ("BMP", "TIFF", "ICO"):
        assert filetypes.detect(files.image(fmt)) == filetypes.UNKNOWN
    docx = filetypes.detect(b"PK\x03\x04" + bytes(60), filename="laporan.docx")
    assert (docx.extension, docx.inline) == ("docx", False)
    # A name never makes a container what it is not.
    assert filetypes.detect(files.HTML, filename="laporan.docx") == filetypes.UNKNOWN


# --- every answer is sandboxed, errors too ------------------------------------------------


def test_web_refusals_and_errors_are_sandboxed(client, stored, file, admin, trc_b):
    item = stored(files.JPEG, "image/jpeg", "foto.jpg")
    code = item.complaint.code
    other = file()
    missing = stored(files.JPEG, "image/jpeg", "hilang.jpg")
    default_storage.delete(missing.file.name)
    pending = Media.objects.create(complaint=item.complaint, kind=Media.Kind.IMAGE)

    anonymous = client.get(f"/aduan/{code}/media/{item.pk}")
    assert anonymous.status_code == 302
    sandboxed(anonymous)
    client.force_login(admin)
    for url in [
        f"/aduan/{code}/media/999999",
        f"/aduan/{other.code}/media/{item.pk}",  # another complaint's
        f"/aduan/{code}/media/{missing.pk}",  # gone from the disk
        f"/aduan/{code}/media/{pending.pk}",  # not downloaded yet
        f"/aduan/LL-0000-0000/media/{item.pk}",
    ]:
        response = client.get(url)
        assert response.status_code == 404, url
        sandboxed(response)
        assert "html" not in response["Content-Type"]
    for method in ("post", "put", "delete", "options"):  # a file is only read
        response = getattr(client, method)(f"/aduan/{code}/media/{item.pk}")
        assert response.status_code == 405, method
        sandboxed(response)
    client.force_login(trc_b)  # may not see the complaint
    response = client.get(f"/aduan/{code}/media/{item.pk}")
    assert response.status_code == 404
    sandboxed(response)


def test_api_refusals_are_sandboxed_and_stay_json(client, stored, trc_b, admin):
    item = stored(files.JPEG, "image/jpeg", "foto.jpg")
    missing = stored(files.JPEG, "image/jpeg", "hilang.jpg")
    default_storage.delete(missing.file.name)
    token = {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(admin)}"}
    answers = [
        (api_get(client, trc_b, item.pk), 404, "Media tidak ditemukan."),
        (api_get(client, admin, 999999), 404, "Media tidak ditemukan."),
        (api_get(client, admin, missing.pk), 404, "Berkas media tidak ditemukan."),
        (client.get(f"/api/v1/media/{item.pk}"), 401, None),
        (client.post(f"/api/v1/media/{item.pk}", **token), 405, None),
    ]
    for response, status, message in answers:
        assert response.status_code == status
        sandboxed(response)
        assert response["Content-Type"] == "application/json"
        if message:
            assert response.json()["error"] == message


# --- the team's uploads ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "mime"),
    [
        (b"\xff\xd8\xff\xe0" + files.HTML, "image/jpeg"),  # passed a first-bytes check
        (b"\x89PNG\r\n\x1a\n" + files.SVG, "image/png"),
        (b"RIFF\x00\x00\x00\x00WEBP" + files.SCRIPT, "image/webp"),
        (files.GIF, "image/gif"),  # a real image, but not one WhatsApp sends as a photo
        (files.SVG, "image/svg+xml"),
    ],
)
def test_a_team_upload_must_be_a_real_photo(content, mime):
    upload = SimpleUploadedFile("foto.jpg", content, content_type=mime)
    with pytest.raises(uploads.UploadRefused, match="bukan foto JPEG, PNG atau WebP"):
        uploads.check([upload])


@pytest.mark.parametrize(("content", "mime"), [(files.JPEG, "image/jpeg"), (files.WEBP, "")])
def test_a_team_photo_is_kept_with_the_type_its_content_shows(file, media, trc, content, mime):
    upload = SimpleUploadedFile("foto.png", content, content_type=mime or "image/png")
    uploads.check([upload])
    kept = uploads.store(file(), upload, user=trc)
    found = filetypes.detect(content)
    assert kept.mime_type == found.mime and kept.file.name.endswith("." + found.extension)
