"""The bot's texts: each default fits the WhatsApp part it goes into, every one is editable
by the superadmin, and an edit that would not fit is refused with a clear reason."""

import string

import pytest

from lalisa.bot import conversation, texts
from lalisa.notifications.models import MessageText
from lalisa.notifications.texts import DEFAULTS, limit
from lalisa.whatsapp import media as wa_media
from lalisa.whatsapp import messages as wa
from lalisa.whatsapp.models import InboundMedia, InboundMessage, OutboundMessage

SAMPLE = {
    "name": " Siti Aminah",
    "privacy_url": "https://lalisa.balangankab.go.id/publik/privasi/",
    "status": "Menunggu keterangan",
    "code": "LL-2611-0042",
    "category": "Pelanggaran Perda/Perkada lain",
    "description": "x" * 400,
    "place": "Jl. Jend. A. Yani, Batu Piring, Kec. Paringin, titik -2.33210, 115.46540",
    "media": "3 berkas",
    "identity": "Rahasia",
    "area": "Batu Piring, Kec. Paringin Selatan",
    "explanation": "Petugas menunggu keterangan tambahan dari Anda; silakan balas pertanyaannya.",
    "last_step": "petugas meminta keterangan",
    "when": "30 November 2026 23.05 WITA",
}


@pytest.mark.parametrize("key", sorted(texts.TEXTS))
def test_every_default_fits_its_place_even_filled_in(key):
    text = DEFAULTS[key][0]
    assert len(text) <= limit(key)
    names = [n for _, n, _, _ in string.Formatter().parse(text) if n]
    filled = text.format_map({**{n: "" for n in names}, **SAMPLE, "agency": "Satpol PP " * 4})
    if limit(key) <= wa.ROW_DESCRIPTION_MAX:
        assert "\n" not in text  # titles are one line
    if limit(key) == wa.INTERACTIVE_BODY_MAX:
        assert len(filled) <= wa.INTERACTIVE_BODY_MAX, len(filled)


def test_every_bot_text_has_a_row_for_the_superadmin(db):
    keys = set(MessageText.objects.values_list("key", flat=True))
    assert set(texts.TEXTS) <= keys


@pytest.mark.parametrize(
    ("key", "text", "error"),
    [
        ("bot_btn_send", "Kirim aduan saya sekarang juga", "paling banyak 20 karakter"),
        ("bot_menu_report", "Buat\naduan", "satu baris"),
        ("bot_menu", "Pilih {layanan}", "Isian tidak dikenal"),
    ],
)
def test_an_edit_that_would_not_fit_is_refused(client, superadmin, key, text, error):
    row = MessageText.objects.get(key=key)
    client.force_login(superadmin)
    answer = client.post(f"/admin/notifications/messagetext/{row.pk}/change/", {"text": text})
    assert answer.status_code == 200 and error in answer.content.decode()
    assert MessageText.objects.get(pk=row.pk).text == DEFAULTS[key][0]


def test_a_refused_file_is_explained_to_the_citizen(db, citizen):
    assert conversation.media_refused in wa_media.FAILURE_HANDLERS
    message = InboundMessage.objects.create(
        wamid="wamid.besar", reporter=citizen, type="image", sent_at="2026-11-29T12:00:00Z"
    )
    row = InboundMedia.objects.create(
        message=message,
        media_id="123",
        state=InboundMedia.State.FAILED,
        error="Berkas 20 MB melebihi batas 5 MB.",
    )
    conversation.media_refused(row.pk)
    told = OutboundMessage.objects.get(reporter=citizen, in_reply_to=message)
    body = told.payload["text"]["body"]
    assert "foto" in body and "melebihi batas 5 MB" in body
