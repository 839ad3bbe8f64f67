"""Inbound WhatsApp: the webhook, one test per payload fixture, statuses, media downloads."""

import base64
import datetime as dt
import hashlib
import json
from pathlib import Path

import httpx
import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from lalisa.accounts.models import Role, User
from lalisa.complaints.models import Reporter
from lalisa.whatsapp import graph, inbound, media, parse, signature, tasks
from lalisa.whatsapp.models import (
    ApiCall,
    InboundMedia,
    InboundMessage,
    MessageTemplate,
    OutboundMessage,
    WebhookDelivery,
)
from lalisa.worker.management.commands import db_worker
from tests import files
from tests.conftest import make_user

FIXTURES = Path(__file__).parent / "fixtures" / "whatsapp"
# Webhook bodies only: outbound/ and api/ hold what the service sends and Meta answers.
WEBHOOK_FIXTURES = sorted(p.name for p in FIXTURES.glob("*.json"))
SECRET = "test-app-secret"
URL = "/webhooks/whatsapp"
OUR_ACK = "wamid.GA02MjgxMjUxMjM0NTY3b3V0LWFjaxUCABIYFEY5Mzc3OEFCNkM5MjE4N0ZERjZEAA=="
BSUID_ACK = "wamid.GA1JRDM5MjAxNzQ2MzUyODE5NDdvdXQtYWNrFQIAEhgURDJBQkY2QTdGNzg0MjQ2OTMwQTYA"
LATE = "wamid.GA02MjgyMTU0MzIxMDk4b3V0LWxhdGUVAgASGBQxOEUzNzBDRkY4MDI4MDkzNEExNgA="
UNDELIVERABLE = "wamid.GA02MjgxMzQ5ODc2NTAxb3V0LXVuZGVsaXYVAgASGBRCODQ2RDExOUM2QkI1QTBDMDMyMgA="
AHMAD = {"user_id": "ID.1410018717833190", "wa_id": "6281251234567"}
RIZKY = "ID.3920174635281947"


def at(seconds: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, tz=dt.UTC)


@pytest.fixture(autouse=True)
def whatsapp_settings(settings, tmp_path):
    settings.WHATSAPP_APP_SECRET = SECRET
    settings.WHATSAPP_VERIFY_TOKEN = "test-verify-token"
    settings.WHATSAPP_ACCESS_TOKEN = "test-access-token"
    settings.WHATSAPP_GRAPH_URL = "https://graph.test"
    settings.WHATSAPP_API_VERSION = "v23.0"
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path, "base_url": None},
        },
    }
    yield
    graph.use_transport(None)


@pytest.fixture
def handlers(monkeypatch):
    registered = []
    monkeypatch.setattr(inbound, "HANDLERS", registered)
    return registered


def load(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


def encode(body: dict) -> bytes:
    return json.dumps(body, ensure_ascii=False).encode()


def post(client, body: bytes | dict, *, secret: str | None = SECRET, header: str | None = None):
    raw = encode(body) if isinstance(body, dict) else body
    extra = {}
    if header is not None:
        extra["HTTP_X_HUB_SIGNATURE_256"] = header
    elif secret is not None:
        extra["HTTP_X_HUB_SIGNATURE_256"] = signature.sign(raw, secret)
    return client.post(URL, data=raw, content_type="application/json", **extra)


def run_queued(*tasks_) -> list:
    """Run the ready tasks of these kinds in queue order, as the worker would."""
    paths = [t.module_path for t in tasks_]
    results = []
    while True:
        row = (
            DBTaskResult.objects.ready()
            .filter(task_path__in=paths)
            .order_by("enqueued_at", "id")
            .first()
        )
        if row is None:
            return results
        row.claim("test")
        value = row.task.call(*row.args_kwargs["args"], **row.args_kwargs["kwargs"])
        row.set_successful(value)
        results.append(value)


def queued(task_) -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path=task_.module_path, status="READY"))


def deliver(client, body) -> WebhookDelivery:
    """Post a signed body and let the worker process it."""
    assert post(client, body).status_code == 200
    inbound.drain()
    return WebhookDelivery.objects.latest("pk")


def outbound(wamid: str, state=OutboundMessage.State.SENT, **fields) -> OutboundMessage:
    return OutboundMessage.objects.create(
        wamid=wamid, state=state, kind="text", payload={"type": "text"}, **fields
    )


def message(wamid_part: str = "") -> InboundMessage:
    return InboundMessage.objects.get(wamid__contains=wamid_part)


def the_reporter(**lookup) -> Reporter:
    return Reporter.objects.get(**lookup)


# --- what each fixture is understood as ------------------------------------------------
# SETUP prepares what the body refers to; EXPECT checks what came of it.

SETUP = {
    "multi_entry_multi_message.json": lambda: outbound(OUR_ACK),
    "status_bsuid_only.json": lambda: outbound(
        BSUID_ACK, reporter=Reporter.objects.create(user_id=RIZKY), to_user_id=RIZKY
    ),
    # Known by phone only so far: the status teaches the BSUID.
    "status_delivered.json": lambda: outbound(
        OUR_ACK,
        sent_at=at(1781001299),
        reporter=Reporter.objects.create(wa_id=AHMAD["wa_id"], phone="+6281251234567"),
        to_phone=AHMAD["wa_id"],
    ),
    "status_failed.json": lambda: outbound(LATE, to_phone="6282154321098"),
    "status_failed_undeliverable.json": lambda: outbound(UNDELIVERABLE),
    "status_read.json": lambda: outbound(OUR_ACK, sent_at=at(1781001300)),
    "status_sent.json": lambda: outbound(OUR_ACK, state=OutboundMessage.State.QUEUED),
    "system_user_changed_number.json": lambda: Reporter.objects.create(
        **AHMAD, phone="+6281251234567", profile_name="Ahmad Fauzi"
    ),
    "system_user_changed_user_id.json": lambda: Reporter.objects.create(
        user_id=RIZKY, profile_name="Muhammad Rizky"
    ),
    "user_id_update.json": lambda: Reporter.objects.create(
        **AHMAD, phone="+6281251234567", profile_name="Ahmad Fauzi"
    ),
    "template_status_update.json": lambda: MessageTemplate.objects.create(
        key="status_aduan", name="lalisa_status_aduan", body="…", status="pending"
    ),
    "template_status_rejected.json": lambda: MessageTemplate.objects.create(
        key="survei_kepuasan", name="lalisa_survei_kepuasan", body="…", status="pending"
    ),
}


def expect_text(delivery):
    msg = message("aW4tdGV4dB")
    assert msg.type == "text"
    assert msg.text.startswith("Assalamualaikum, ulun handak melapor. Ada PKL")
    assert msg.sent_at == at(1781001200)
    assert msg.delivery == delivery
    assert msg.handled_at is not None and msg.handle_error == ""
    reporter = msg.reporter
    assert (reporter.user_id, reporter.wa_id, reporter.phone, reporter.profile_name) == (
        "ID.1410018717833190",
        "6281251234567",
        "+6281251234567",
        "Ahmad Fauzi",
    )
    assert reporter.last_inbound_at == at(1781001200)
    assert msg.staff is None


def expect_text_bsuid_only(delivery):
    msg = message("NDdpbi10ZXh0")
    assert msg.from_phone == "" and msg.from_user_id == RIZKY
    assert msg.text.startswith("Malam ini ada balap liar lagi di Jalan A. Yani Batumandi")
    reporter = msg.reporter
    assert reporter.user_id == RIZKY
    assert reporter.wa_id is None and reporter.phone is None
    assert reporter.profile_name == "Muhammad Rizky"


def expect_text_reply_context(delivery):
    msg = message("aW4tcmVwbHk")
    assert msg.context_wamid == OUR_ACK
    assert msg.text == "Lokasinya persis di samping Masjid Agung Paringin, sebelah kiri jalan."
    assert msg.reporter.user_id == AHMAD["user_id"]


def expect_media(wamid_part, kind, media_id, mime, sha, text):
    def check(delivery):
        msg = message(wamid_part)
        assert msg.type == kind
        assert msg.text == text
        row = msg.media
        assert (row.media_id, row.mime_type, row.sha256, row.state) == (
            media_id,
            mime,
            sha,
            InboundMedia.State.PENDING,
        )
        assert [t.args_kwargs["args"] for t in queued(tasks.download_media)] == [[row.pk]]

    return check


def expect_audio_voice(delivery):
    expect_media(
        "aW4tdm9pY2U",
        "audio",
        "2054837716290441",
        "audio/ogg; codecs=opus",
        "M0M0peAJW9OkjK79W0+i0YOf0pKyoudNtnTxLMsC7dU=",
        "",
    )(delivery)
    msg = message("aW4tdm9pY2U")
    assert msg.reporter.profile_name == "Hj. Masitah"
    (item,) = parse.parse(load("audio_voice.json"))
    assert item.media.voice is True


def expect_document(delivery):
    expect_media(
        "aW4tZG9j",
        "document",
        "1122334455667788",
        "application/pdf",
        "bMVbLQ/v/hDZREUTk0POo0lOgkIYjmSyHT/USdOUerk=",
        "Surat pengaduan warga RT 03 Kel. Paringin Timur",
    )(delivery)
    assert media.filename(message("aW4tZG9j").media) == "surat_pengaduan_rt03.pdf"
    (item,) = parse.parse(load("document.json"))
    assert item.media.filename == "surat_pengaduan_rt03.pdf"


def expect_location(delivery):
    msg = message("aW4tbG9jYXRpb24")
    assert msg.type == "location"
    assert msg.text == (
        "Simpang Tiga Juai\nJl. Jend. A. Yani, Juai, Kabupaten Balangan, Kalimantan Selatan"
    )
    assert msg.payload["location"]["latitude"] == -2.2251873016357
    (item,) = parse.parse(load("location.json"))
    assert (item.location.latitude, item.location.longitude) == (-2.2251873016357, 115.65830993652)
    assert msg.reporter.profile_name == "Nor Aini"


def expect_contacts(delivery):
    msg = message("aW4tY29udGFjdHM")
    assert msg.type == "contacts"
    assert msg.text == "Pak RT Hamdani (+62 813-4800-1122)"
    assert msg.payload["contacts"][0]["phones"][0]["wa_id"] == "6281348001122"


def expect_interactive(wamid_part, text, reply_id, context, fixture):
    def check(delivery):
        msg = message(wamid_part)
        assert (msg.type, msg.text, msg.context_wamid) == ("interactive", text, context)
        (item,) = parse.parse(load(fixture))
        assert item.reply_id == reply_id

    return check


def expect_button(delivery):
    msg = message("aW4tdHBsYnRu")
    assert (msg.type, msg.text) == ("button", "Puas")
    assert msg.context_wamid.endswith("b3V0LXRlbXBsYXRlFQIAEhgUN0RFODlGNzgyNjFEQkQxNUI4MjAA")
    (item,) = parse.parse(load("button_template_reply.json"))
    assert item.reply_id == "survei:puas"


def expect_reaction(delivery):
    msg = message("aW4tcmVhY3Rpb24VAg")
    assert (msg.type, msg.text, msg.context_wamid) == ("reaction", "👍", OUR_ACK)


def expect_reaction_removed(delivery):
    msg = message("aW4tcmVhY3Rpb24tcm0")
    # No emoji: the reaction was taken back.
    assert (msg.type, msg.text, msg.context_wamid) == ("reaction", "", OUR_ACK)
    assert "emoji" not in msg.payload["reaction"]


def expect_unsupported(delivery):
    msg = message("aW4tdW5zdXBwb3J0ZWQ")
    assert (msg.type, msg.text) == ("unsupported", "")
    assert msg.payload["unsupported"]["type"] == "poll_creation"
    assert msg.payload["errors"][0]["code"] == 131051
    assert msg.reporter.profile_name == "Siti Rahmah"


def expect_unknown_future_type(delivery):
    msg = message("aW4tcG9sbB")
    assert (msg.type, msg.text) == ("poll", "Jam berapa pasar malam Awayan sebaiknya tutup?")
    assert [o["name"] for o in msg.payload["poll"]["options"]] == ["22.00 WITA", "23.00 WITA"]
    assert msg.handled_at is not None


def expect_system_number(delivery):
    msg = message("c3lzLW51bWJlch")
    assert msg.type == "system"
    assert msg.text == "User Ahmad Fauzi changed from 6281251234567 to 6281351112233"
    reporter = Reporter.objects.get()
    assert msg.reporter == reporter
    assert (reporter.user_id, reporter.wa_id, reporter.phone) == (
        "ID.1873640291558201",
        "6281351112233",
        "+6281351112233",
    )
    # A system message is not the citizen writing: the 24-hour window is not opened.
    assert reporter.last_inbound_at is None


def expect_system_user_id(delivery):
    msg = message("zeXMtdXNlcmlk")
    reporter = Reporter.objects.get()
    assert msg.reporter == reporter
    assert reporter.user_id == "ID.6602917384450192"
    assert reporter.profile_name == "Muhammad Rizky"


def expect_user_id_update(delivery):
    assert not InboundMessage.objects.exists()
    reporter = Reporter.objects.get()
    assert (reporter.user_id, reporter.wa_id, reporter.phone) == (
        "ID.1873640291558201",
        "6281351112233",
        "+6281351112233",
    )
    assert delivery.error == ""


def expect_errors_value_level(delivery):
    assert not InboundMessage.objects.exists()
    assert "130429" in delivery.error and "Rate limit hit" in delivery.error


def expect_status(wamid, state, **stamps):
    def check(delivery):
        out = OutboundMessage.objects.get(wamid=wamid)
        assert out.state == state
        for name, value in stamps.items():
            assert getattr(out, name) == value, name
        assert delivery.error == ""

    return check


def expect_status_delivered(delivery):
    expect_status(
        OUR_ACK, "delivered", sent_at=at(1781001299), delivered_at=at(1781001304), read_at=None
    )(delivery)
    # The status named the BSUID of a reporter known only by phone.
    assert OutboundMessage.objects.get().reporter.user_id == AHMAD["user_id"]


def expect_status_failed(delivery):
    out = OutboundMessage.objects.get(wamid=LATE)
    assert (out.state, out.error_code, out.failed_at) == ("failed", 131047, at(1781200000))
    assert "24 jam" in out.error


def expect_status_failed_undeliverable(delivery):
    out = OutboundMessage.objects.get(wamid=UNDELIVERABLE)
    assert (out.state, out.error_code, out.failed_at) == ("failed", 131026, at(1781200300))
    assert "Message undeliverable" in out.error


def expect_template(name, status, decided, reason_start, meta_id):
    def check(delivery):
        template = MessageTemplate.objects.get(name=name)
        assert template.status == status
        assert template.decided_at is not None if decided else template.decided_at is None
        assert template.reason.startswith(reason_start)
        assert template.meta_id == meta_id

    return check


def expect_multi(delivery):
    texts = dict(InboundMessage.objects.values_list("wamid", "text"))
    assert len(texts) == 4
    siti = the_reporter(user_id="ID.2287364519028374")
    nor = the_reporter(user_id="ID.4758291036472819")
    rizky = the_reporter(user_id=RIZKY)
    assert [m.text for m in siti.inbound_messages.order_by("sent_at")] == [
        "Pak, karaoke di Jl. Paringin–Muara Pitap masih buka lewat jam 12 malam.",
        "Ini foto menyusul ya.",
    ]
    photo = nor.inbound_messages.get()
    assert (photo.type, photo.media.media_id) == ("image", "1350087612249901")
    pin = rizky.inbound_messages.get()
    assert (pin.type, pin.payload["location"]["longitude"]) == ("location", 115.3389)
    assert rizky.wa_id is None
    assert siti.last_inbound_at == at(1781006010)
    expect_status(OUR_ACK, "delivered", delivered_at=at(1781006002))(delivery)


EXPECT = {
    "audio_voice.json": expect_audio_voice,
    "button_template_reply.json": expect_button,
    "contacts.json": expect_contacts,
    "document.json": expect_document,
    "errors_value_level.json": expect_errors_value_level,
    "image.json": expect_media(
        "aW4taW1hZ2U",
        "image",
        "1264937580115342",
        "image/jpeg",
        "bQ/5e4C+GwLURo55LEPx98XVmo5jzF9d9M490cpFjMI=",
        "Reklame liar dipaku di pohon sepanjang jalan Paringin–Lampihong",
    ),
    "interactive_button_reply.json": expect_interactive(
        "aW4tYnRu",
        "Buat Aduan",
        "menu:buat_aduan",
        "wamid.GA02MjgxMjUxMjM0NTY3b3V0LW1lbnUVAgASGBQ0NjI5ODMwREM1QjQ3QTMwNDNBNAA=",
        "interactive_button_reply.json",
    ),
    "interactive_list_reply.json": expect_interactive(
        "aW4tbGlzdB",
        "Reklame liar",
        "kategori:reklame_liar",
        "wamid.GA02MjgyMTU0MzIxMDk4b3V0LWxpc3QVAgASGBQzMUMxNjcyRkMyREJEREIyMzZEMwA=",
        "interactive_list_reply.json",
    ),
    "location.json": expect_location,
    "multi_entry_multi_message.json": expect_multi,
    "reaction.json": expect_reaction,
    "reaction_removed.json": expect_reaction_removed,
    "status_bsuid_only.json": expect_status(BSUID_ACK, "delivered", delivered_at=at(1781001620)),
    "status_delivered.json": expect_status_delivered,
    "status_failed.json": expect_status_failed,
    "status_failed_undeliverable.json": expect_status_failed_undeliverable,
    "status_read.json": expect_status(
        OUR_ACK,
        "read",
        sent_at=at(1781001300),
        delivered_at=at(1781001390),  # read implies delivered
        read_at=at(1781001390),
    ),
    "status_sent.json": expect_status(OUR_ACK, "sent", sent_at=at(1781001300)),
    "sticker.json": expect_media(
        "aW4tc3RpY2tlch",
        "sticker",
        "1908647269898587",
        "image/webp",
        "VZ4m6AirD7LVZdt4foBxdKCVWtCR3XZqQS4DUZeEASA=",
        "",
    ),
    "system_user_changed_number.json": expect_system_number,
    "system_user_changed_user_id.json": expect_system_user_id,
    "template_status_rejected.json": expect_template(
        "lalisa_survei_kepuasan",
        "rejected",
        True,
        "Your template has parameters",
        "1627019861106476",
    ),
    "template_status_update.json": expect_template(
        "lalisa_status_aduan", "approved", True, "", "1627019861106475"
    ),
    "text.json": expect_text,
    "text_bsuid_only.json": expect_text_bsuid_only,
    "text_reply_context.json": expect_text_reply_context,
    "unknown_future_type.json": expect_unknown_future_type,
    "unsupported.json": expect_unsupported,
    "user_id_update.json": expect_user_id_update,
    "video.json": expect_media(
        "aW4tdmlkZW8",
        "video",
        "1789203456617728",
        "video/mp4",
        "GFh2cCgdMmNH8tvyQ4hJuRnK82TmgziKVf0rMDePnnc=",
        "Sapi lepas berkeliaran di jalan raya Juai, sudah hampir menabrak motor",
    ),
}


def test_a_nul_character_is_kept_as_a_replacement_not_lost(client, db, handlers):
    """PostgreSQL's text cannot hold NUL: the message is stored with U+FFFD in its place."""
    body = load("text.json")
    sent = body["entry"][0]["changes"][0]["value"]["messages"][0]
    sent["text"]["body"] = "Ada balap liar\x00 di jalan"
    sent["from"] += "\x00"
    delivery = deliver(client, body)
    assert delivery.processed_at is not None and delivery.error == ""
    msg = message("aW4tdGV4dB")
    assert msg.text == "Ada balap liar\ufffd di jalan"
    assert "\x00" not in json.dumps(msg.payload)


def test_every_webhook_fixture_has_its_expectations():
    assert set(EXPECT) == set(WEBHOOK_FIXTURES)


@pytest.mark.parametrize("name", WEBHOOK_FIXTURES)
def test_fixture_is_stored_once_processed_and_understood(name, client, db, handlers):
    seen = []
    handlers.append(seen.append)
    SETUP.get(name, lambda: None)()
    body = (FIXTURES / name).read_bytes()

    response = post(client, body)
    assert response.status_code == 200
    delivery = WebhookDelivery.objects.get()
    assert bytes(delivery.body) == body  # as it came, byte for byte
    assert delivery.signature == signature.sign(body, SECRET)
    assert not DBTaskResult.objects.exists()  # the delivery row is the queue

    assert inbound.drain() == 1
    delivery.refresh_from_db()
    assert delivery.processed_at is not None and delivery.attempts == 1
    EXPECT[name](delivery)
    messages = set(InboundMessage.objects.values_list("wamid", flat=True))
    assert {m.wamid for m in seen} == messages  # every new message handled, once

    # Meta delivers the same body again: a second delivery, and nothing new from it.
    state = _snapshot()
    assert post(client, body).status_code == 200
    assert WebhookDelivery.objects.count() == 2
    assert inbound.drain() == 1
    assert _snapshot() == state
    assert len(seen) == len(messages)


def _snapshot():
    return (
        sorted(InboundMessage.objects.values_list("wamid", "handled_at")),
        InboundMedia.objects.count(),
        sorted(Reporter.objects.values_list("pk", "user_id", "wa_id", "last_inbound_at")),
        sorted(OutboundMessage.objects.values_list("pk", "state", "delivered_at", "read_at")),
        len(queued(tasks.download_media)),
    )


# --- the endpoint ------------------------------------------------------------------------


class TestVerifyHandshake:
    def test_right_token_echoes_the_challenge(self, client):
        response = client.get(
            URL,
            {
                "hub.mode": "subscribe",
                "hub.verify_token": "test-verify-token",
                "hub.challenge": "42",
            },
        )
        assert response.status_code == 200
        assert response.content == b"42"
        assert response["Content-Type"].startswith("text/plain")

    @pytest.mark.parametrize(
        "params",
        [
            {"hub.mode": "subscribe", "hub.verify_token": "salah", "hub.challenge": "42"},
            {"hub.mode": "unsubscribe", "hub.verify_token": "test-verify-token"},
            {"hub.challenge": "42"},
        ],
    )
    def test_wrong_token_or_mode_is_refused(self, client, params):
        assert client.get(URL, params).status_code == 403

    def test_no_token_configured_refuses_everyone(self, client, settings):
        settings.WHATSAPP_VERIFY_TOKEN = ""
        params = {"hub.mode": "subscribe", "hub.verify_token": "", "hub.challenge": "42"}
        assert client.get(URL, params).status_code == 403


class TestSignedPost:
    def test_missing_signature_is_refused_and_nothing_stored(self, client, db):
        response = post(client, (FIXTURES / "text.json").read_bytes(), secret=None)
        assert response.status_code == 401
        assert not WebhookDelivery.objects.exists()
        assert not DBTaskResult.objects.exists()

    @pytest.mark.parametrize(
        "header",
        ["sha256=" + "0" * 64, "sha1=abc", "garbage", signature.sign(b"another body", SECRET)],
    )
    def test_wrong_signature_is_refused_and_nothing_stored(self, client, db, header):
        response = post(client, (FIXTURES / "text.json").read_bytes(), header=header)
        assert response.status_code == 403
        assert not WebhookDelivery.objects.exists()
        assert not DBTaskResult.objects.exists()

    def test_signed_with_another_secret_is_refused(self, client, db):
        response = post(client, (FIXTURES / "text.json").read_bytes(), secret="other-secret")
        assert response.status_code == 403
        assert not WebhookDelivery.objects.exists()

    def test_no_app_secret_configured_refuses_everything(self, client, db, settings):
        settings.WHATSAPP_APP_SECRET = ""
        response = post(client, (FIXTURES / "text.json").read_bytes(), secret="")
        assert response.status_code == 403
        assert not WebhookDelivery.objects.exists()

    def test_body_over_3_mb_is_refused_before_anything(self, client, db, settings):
        assert settings.WHATSAPP_MAX_WEBHOOK_BYTES == 3 * 1024 * 1024
        body = b'{"pad": "' + b"x" * (3 * 1024 * 1024) + b'"}'
        response = post(client, body)
        assert response.status_code == 413
        assert not WebhookDelivery.objects.exists()

    def test_body_at_the_limit_is_taken(self, client, db, settings):
        settings.WHATSAPP_MAX_WEBHOOK_BYTES = 64
        body = b'{"object": "whatsapp_business_account", "entry": []}'
        assert post(client, body).status_code == 200
        assert post(client, body + b" " * (65 - len(body))).status_code == 413
        assert WebhookDelivery.objects.count() == 1

    def test_get_and_post_only(self, client, db):
        assert client.put(URL).status_code == 405

    def test_the_view_writes_one_delivery_and_nothing_else(self, client, db):
        body = (FIXTURES / "text.json").read_bytes()
        post(client, body)
        assert WebhookDelivery.objects.filter(processed_at=None).count() == 1
        assert not DBTaskResult.objects.exists()

    def test_signed_body_that_is_not_json_is_kept_and_marked(self, client, db):
        body = b"<html>bukan json</html>"
        assert post(client, body).status_code == 200
        assert inbound.drain() == 1
        delivery = WebhookDelivery.objects.get()
        assert bytes(delivery.body) == body
        assert delivery.processed_at is not None
        assert "bukan JSON" in delivery.error

    def test_unknown_shapes_are_recorded_and_the_rest_still_processed(self, client, db):
        body = load("text.json")
        good = body["entry"][0]
        body["entry"] = [
            "nonsense",
            {"id": "1", "changes": [{"field": "messages", "value": {"messages": [{"no": "id"}]}}]},
            {"id": "1", "changes": [{"field": "account_update", "value": {"event": "X"}}]},
            good,
        ]
        weird = {"id": "wamid.weird", "type": "text", "text": "?", "context": [], "timestamp": "x"}
        body["entry"][3]["changes"][0]["value"]["messages"].append(weird)
        delivery = deliver(client, body)
        assert InboundMessage.objects.count() == 2
        kept = InboundMessage.objects.get(wamid="wamid.weird")
        assert (kept.type, kept.text, kept.payload) == ("text", "", weird)
        assert kept.sent_at == delivery.received_at  # no usable timestamp: when it came
        assert "entry[0]" in delivery.error
        assert "pesan tanpa id" in delivery.error
        assert "account_update" in delivery.error
        assert delivery.processed_at is not None


def test_a_message_that_cannot_be_read_is_still_kept(monkeypatch):
    def broken(*args):
        raise KeyError("x")

    monkeypatch.setattr(parse, "_contact_for", broken)
    problem, bare = parse.parse(load("text.json"))
    assert isinstance(problem, parse.Problem) and "pesan tidak terbaca" in problem.reason
    assert (bare.wamid, bare.type, bare.from_user_id) == (
        load("text.json")["entry"][0]["changes"][0]["value"]["messages"][0]["id"],
        "text",
        "ID.1410018717833190",
    )


class TestProcessing:
    def test_processing_a_delivery_again_is_harmless(self, client, db, handlers):
        calls = []
        handlers.append(calls.append)
        delivery = deliver(client, load("multi_entry_multi_message.json"))
        assert inbound.process_delivery(delivery.pk) == "done before"
        # Even forced to run again from scratch, nothing is stored or handled twice.
        WebhookDelivery.objects.filter(pk=delivery.pk).update(processed_at=None)
        assert inbound.process_delivery(delivery.pk) == "ok"
        assert InboundMessage.objects.count() == 4
        assert InboundMedia.objects.count() == 1
        assert len(calls) == 4

    def test_runs_through_the_real_worker(self, client, db, monkeypatch):
        # As in test_worker: keep the test's connection inside the worker.
        monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
        assert post(client, load("text.json")).status_code == 200
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
        assert InboundMessage.objects.get().text.startswith("Assalamualaikum")
        assert WebhookDelivery.objects.get().processed_at is not None

    def test_a_failing_handler_is_recorded_and_the_message_kept(self, client, db, handlers):
        def writes_then_fails(msg):
            Reporter.objects.create(user_id="ID.999", profile_name="dari handler")
            raise RuntimeError("bot rusak")

        after = []
        handlers.extend([writes_then_fails, after.append])
        delivery = deliver(client, load("text.json"))
        msg = InboundMessage.objects.get()
        assert msg.handled_at is not None
        assert "bot rusak" in msg.handle_error
        assert after == [msg]  # the other handlers still ran
        assert not Reporter.objects.filter(user_id="ID.999").exists()  # its writes undone
        assert delivery.error == ""

    def test_an_unexpected_failure_leaves_the_delivery_for_a_retry(self, client, db, monkeypatch):
        def broken(*args, **kwargs):
            raise RuntimeError("database hiccup")

        monkeypatch.setattr(inbound.identity, "resolve", broken)
        assert post(client, load("text.json")).status_code == 200
        assert inbound.drain() == 1
        delivery = WebhookDelivery.objects.get()
        assert delivery.processed_at is None
        assert "database hiccup" in delivery.error
        assert not InboundMessage.objects.exists()
        assert delivery.next_attempt_at > dt.datetime.now(dt.UTC) + dt.timedelta(seconds=20)
        assert inbound.drain() == 0  # not before its next attempt
        later = delivery.next_attempt_at + dt.timedelta(seconds=1)
        monkeypatch.undo()
        assert inbound.drain(now=later) == 1
        delivery.refresh_from_db()
        assert (delivery.attempts, delivery.error) == (2, "")
        assert InboundMessage.objects.count() == 1

    def test_a_claim_left_by_a_dead_worker_runs_out(self, client, db):
        assert post(client, load("text.json")).status_code == 200
        now = dt.datetime.now(dt.UTC)
        WebhookDelivery.objects.update(claimed_until=now + dt.timedelta(minutes=5))
        assert inbound.drain(now=now) == 0  # another worker holds it
        assert inbound.drain(now=now + dt.timedelta(minutes=6)) == 1
        assert InboundMessage.objects.count() == 1

    def test_retry_then_success_directly(self, client, db, monkeypatch):
        def broken(*args, **kwargs):
            raise RuntimeError("database hiccup")

        monkeypatch.setattr(inbound.identity, "resolve", broken)
        assert post(client, load("text.json")).status_code == 200
        delivery = WebhookDelivery.objects.get()
        assert inbound.process_delivery(delivery.pk) == "retry"

        monkeypatch.undo()
        assert inbound.process_delivery(delivery.pk) == "ok"
        delivery.refresh_from_db()
        assert (delivery.attempts, delivery.error) == (2, "")
        assert InboundMessage.objects.count() == 1

    def test_gives_up_after_the_last_attempt(self, client, db, monkeypatch):
        monkeypatch.setattr(inbound.identity, "resolve", lambda **kw: 1 / 0)
        assert post(client, load("text.json")).status_code == 200
        delivery = WebhookDelivery.objects.get()
        outcomes = [inbound.process_delivery(delivery.pk) for _ in range(6)]
        assert outcomes == ["retry"] * 4 + ["failed", "done before"]
        delivery.refresh_from_db()
        assert delivery.processed_at is not None
        assert "ZeroDivisionError" in delivery.error

    def test_staff_number_is_recognised_as_staff(self, client, db, handlers):
        seen = []
        handlers.append(seen.append)
        officer = make_user("gusti", Role.ADMIN, whatsapp="081251234567")
        deliver(client, load("text.json"))
        msg = InboundMessage.objects.get()
        assert msg.staff == officer and msg.reporter is None
        assert not Reporter.objects.exists()
        officer.refresh_from_db()
        assert officer.whatsapp_user_id == AHMAD["user_id"]  # filled in from the message
        assert seen == [msg]

    def test_a_sender_id_too_long_for_the_database_does_not_cost_the_message(self, client, db):
        body = load("text_bsuid_only.json")
        value = body["entry"][0]["changes"][0]["value"]
        long_id = "ID." + "7" * 128  # Meta allows up to 128 characters after the country
        value["contacts"][0]["user_id"] = value["messages"][0]["from_user_id"] = long_id
        deliver(client, body)
        kept = InboundMessage.objects.get()
        assert kept.from_user_id == long_id
        # PostgreSQL refuses the id for the reporter record; SQLite takes it.
        assert kept.reporter is not None or "Pengirim tidak dapat dicatat" in kept.handle_error

    def test_a_message_without_sender_ids_is_still_kept(self, client, db):
        body = load("text.json")
        msg = body["entry"][0]["changes"][0]["value"]["messages"][0]
        del msg["from"], msg["from_user_id"]
        deliver(client, body)
        kept = InboundMessage.objects.get()
        assert kept.reporter is None and kept.staff is None
        assert kept.text.startswith("Assalamualaikum")


# --- delivery statuses -------------------------------------------------------------------


def status_body(status: str, timestamp: int, wamid: str = OUR_ACK, **extra) -> dict:
    body = load("status_sent.json")
    entry = body["entry"][0]["changes"][0]["value"]["statuses"][0]
    entry.update(id=wamid, status=status, timestamp=str(timestamp), **extra)
    return body


class TestStatuses:
    def test_out_of_order_statuses_end_at_read_with_sensible_times(self, client, db):
        out = outbound(OUR_ACK)
        for status, ts in (("read", 1781001390), ("delivered", 1781001304), ("sent", 1781001300)):
            deliver(client, status_body(status, ts))
        out.refresh_from_db()
        assert out.state == "read"
        assert (out.sent_at, out.delivered_at, out.read_at) == (
            at(1781001300),
            at(1781001304),
            at(1781001390),
        )

    def test_duplicates_change_nothing(self, client, db):
        out = outbound(OUR_ACK)
        deliver(client, status_body("delivered", 1781001304))
        deliver(client, status_body("delivered", 1781001304))
        deliver(client, status_body("sent", 1781001300))
        out.refresh_from_db()
        assert (out.state, out.delivered_at) == ("delivered", at(1781001304))

    def test_failed_after_read_does_not_undo_it(self, client, db):
        out = outbound(OUR_ACK)
        deliver(client, status_body("read", 1781001390))
        failed = load("status_failed.json")
        failed["entry"][0]["changes"][0]["value"]["statuses"][0]["id"] = OUR_ACK
        deliver(client, failed)
        out.refresh_from_db()
        assert (out.state, out.error_code, out.failed_at) == ("read", None, None)

    def test_failed_is_final(self, client, db):
        out = outbound(UNDELIVERABLE)
        deliver(client, load("status_failed_undeliverable.json"))
        deliver(client, status_body("delivered", 1781200400, wamid=UNDELIVERABLE))
        out.refresh_from_db()
        assert (out.state, out.error_code, out.delivered_at) == ("failed", 131026, None)

    def test_unknown_status_is_ignored_but_kept(self, client, db):
        out = outbound(OUR_ACK)
        delivery = deliver(client, status_body("played", 1781001400))
        out.refresh_from_db()
        assert (out.state, out.read_at) == ("sent", None)
        assert delivery.processed_at is not None and delivery.error == ""
        assert b'"played"' in bytes(delivery.body)

    def test_status_for_an_unknown_message_is_ignored(self, client, db):
        delivery = deliver(client, load("status_delivered.json"))
        assert delivery.processed_at is not None and delivery.error == ""
        assert not OutboundMessage.objects.exists()

    def test_a_recent_failure_for_a_wamid_not_yet_saved_is_retried(self, client, db):
        now = int(dt.datetime.now(dt.UTC).timestamp())
        body = status_body("failed", now, errors=[{"code": 131026, "title": "Undeliverable"}])
        delivery = deliver(client, body)
        assert delivery.processed_at is None and "belum dikenal" in delivery.error
        out = outbound(OUR_ACK)  # the sender saves the wamid meanwhile
        later = delivery.next_attempt_at + dt.timedelta(seconds=1)
        assert inbound.drain(now=later) == 1
        out.refresh_from_db()
        delivery.refresh_from_db()
        assert (out.state, out.error_code) == ("failed", 131026)
        assert delivery.processed_at is not None

    def test_an_old_failure_for_an_unknown_wamid_is_ignored(self, client, db):
        body = status_body("failed", 1781001400, errors=[{"code": 131026}])
        delivery = deliver(client, body)
        assert delivery.processed_at is not None and delivery.error == ""

    def test_131047_after_acceptance_sends_the_approved_template_instead(self, client, db):
        MessageTemplate.objects.create(
            key="status_aduan",
            name="lalisa_status_aduan",
            body="Halo {{1}}, aduan {{2}}: {{3}}",
            params=["nama", "nomor_aduan", "status"],
            status="approved",
        )
        out = outbound(
            LATE,
            to_phone="6282154321098",
            fallback_template="status_aduan",
            fallback_params={"nama": "Siti", "nomor_aduan": "LL-2611-0001", "status": "Selesai"},
        )
        deliver(client, load("status_failed.json"))
        out.refresh_from_db()
        assert (out.state, out.error_code) == ("failed", 131047)
        replacement = OutboundMessage.objects.exclude(pk=out.pk).get()
        assert replacement.state == "queued"
        assert replacement.payload["type"] == "template"
        assert replacement.payload["template"]["name"] == "lalisa_status_aduan"


# --- media -------------------------------------------------------------------------------

PHOTO = files.JPEG  # a real one: what a stored file is comes from its content
PHOTO_B64 = base64.b64encode(hashlib.sha256(PHOTO).digest()).decode()
MEDIA_ID = "1264937580115342"
DOWNLOAD_URL = "https://lookaside.test/whatsapp_business/attachments/?mid=1264937580115342"


INFO_URL = f"https://graph.test/v23.0/{MEDIA_ID}"


class FakeGraph:
    """Meta's two media calls. `fail(url, status, body)` orders a bad answer for the next
    call to that URL."""

    def __init__(self, content=PHOTO, sha256=PHOTO_B64, mime="image/jpeg", file_size=None):
        self.content, self.sha256, self.mime = content, sha256, mime
        self.file_size = str(len(content)) if file_size is None else file_size
        self.failures: dict[str, list[tuple[int, dict]]] = {}
        self.calls: list[str] = []

    def fail(self, url: str, status: int, body: dict) -> None:
        self.failures.setdefault(url, []).append((status, body))

    def __call__(self, request: httpx.Request) -> httpx.Response:
        url = str(request.url)
        self.calls.append(url)
        assert request.headers["Authorization"] == "Bearer test-access-token"
        if self.failures.get(url):
            status, body = self.failures[url].pop(0)
            return httpx.Response(status, json=body)
        if url == INFO_URL:
            return httpx.Response(
                200,
                json={
                    "messaging_product": "whatsapp",
                    "url": DOWNLOAD_URL,
                    "mime_type": self.mime,
                    "sha256": self.sha256,
                    "file_size": self.file_size,
                    "id": MEDIA_ID,
                },
            )
        if url == DOWNLOAD_URL:
            return httpx.Response(200, content=self.content, headers={"content-type": self.mime})
        return httpx.Response(404, json={"error": {"message": "not found", "code": 100}})


@pytest.fixture
def fake_graph():
    fake = FakeGraph()
    graph.use_transport(httpx.MockTransport(fake))
    return fake


def fresh_image(client, sha256=PHOTO_B64, sent: dt.datetime | None = None) -> InboundMedia:
    """image.json as if sent just now (media ids expire after 7 days)."""
    body = load("image.json")
    msg = body["entry"][0]["changes"][0]["value"]["messages"][0]
    msg["timestamp"] = str(int((sent or dt.datetime.now(dt.UTC)).timestamp()))
    msg["image"]["sha256"] = sha256
    deliver(client, body)
    return InboundMedia.objects.get()


def retry_task(row: InboundMedia) -> DBTaskResult:
    (task_,) = [
        t
        for t in DBTaskResult.objects.filter(task_path=tasks.download_media.module_path)
        if t.status == "READY" and t.run_after > dt.datetime.now(dt.UTC)
    ]
    assert task_.args_kwargs["args"] == [row.pk]
    return task_


def make_due(row: InboundMedia) -> None:
    InboundMedia.objects.filter(pk=row.pk).update(
        next_attempt_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    )


class TestMediaDownload:
    def test_downloaded_checked_and_stored_privately(self, client, db, fake_graph):
        row = fresh_image(client)
        assert run_queued(tasks.download_media) == ["stored"]
        row.refresh_from_db()
        assert row.state == "stored" and row.size == len(PHOTO) and row.attempts == 1
        sent = InboundMessage.objects.get().sent_at.astimezone(dt.timezone(dt.timedelta(hours=8)))
        assert row.file.name == f"whatsapp/{sent:%Y/%m}/{MEDIA_ID}.jpg"
        with default_storage.open(row.file.name) as stored:
            assert stored.read() == PHOTO
        assert fake_graph.calls == [INFO_URL, DOWNLOAD_URL]

    def test_fails_then_works(self, client, db, fake_graph):
        row = fresh_image(client)
        fake_graph.fail(INFO_URL, 500, {"error": {"message": "Internal", "code": 1}})
        assert run_queued(tasks.download_media) == ["retry"]
        row.refresh_from_db()
        assert (row.state, row.attempts) == ("pending", 1)
        assert "Graph API" in row.error
        now = dt.datetime.now(dt.UTC)
        assert now < row.next_attempt_at <= now + dt.timedelta(seconds=11)
        assert retry_task(row).run_after == row.next_attempt_at

        make_due(row)
        assert media.download(row.pk) == "stored"
        row.refresh_from_db()
        assert (row.state, row.attempts, row.error) == ("stored", 2, "")
        assert default_storage.open(row.file.name).read() == PHOTO

    def test_delays_grow(self):
        assert [media.next_delay(n).total_seconds() for n in range(1, 9)] == [
            10,
            60,
            300,
            1800,
            7200,
            21600,
            21600,
            21600,
        ]

    def test_checksum_mismatch_is_not_stored_and_retried(self, client, db, fake_graph):
        fake_graph.content = b"\xff\xd8 berkas yang rusak di jalan"
        row = fresh_image(client)
        assert run_queued(tasks.download_media) == ["retry"]
        row.refresh_from_db()
        assert (row.state, row.file.name) == ("pending", "")
        assert "Checksum" in row.error
        assert retry_task(row)
        assert not default_storage.exists(f"whatsapp/{dt.date.today():%Y/%m}/{MEDIA_ID}.jpg")

        fake_graph.content = PHOTO  # the next try gets the file whole
        make_due(row)
        assert media.download(row.pk) == "stored"

    def test_hex_sha256_is_accepted_too(self, client, db, fake_graph):
        fake_graph.sha256 = hashlib.sha256(PHOTO).hexdigest()
        row = fresh_image(client, sha256=hashlib.sha256(PHOTO).hexdigest().upper())
        assert media.download(row.pk) == "stored"

    def test_type_other_than_the_webhook_said_is_retried(self, client, db, fake_graph):
        fake_graph.mime = "text/html"
        row = fresh_image(client)
        assert media.download(row.pk) == "retry"
        row.refresh_from_db()
        assert "Jenis berkas tidak cocok" in row.error

    @pytest.mark.parametrize("mime", ["text/html", "text/plain", "application/json"])
    def test_a_text_file_holding_nul_is_downloaded_and_its_call_logged(
        self, client, db, fake_graph, mime
    ):
        # The call log keeps text answers as text: NUL in a citizen's file must not make
        # PostgreSQL refuse the log row (and with it the download).
        content = b"<html>\x00<script>x</script>\x00</html>"
        fake_graph.content, fake_graph.mime = content, mime
        fake_graph.file_size = str(len(content))
        row = fresh_image(
            client, sha256=base64.b64encode(hashlib.sha256(content).digest()).decode()
        )
        assert media.download(row.pk) == "retry"  # an image was announced: "tidak cocok"
        logged = ApiCall.objects.get(url=DOWNLOAD_URL)
        assert "\x00" not in logged.response_body and "\ufffd" in logged.response_body

    def test_too_large_for_its_type_fails_without_downloading(self, client, db, fake_graph):
        fake_graph.file_size = str(5 * 1024 * 1024 + 1)
        row = fresh_image(client)
        assert media.download(row.pk) == "failed"
        row.refresh_from_db()
        assert row.state == "failed" and "terlalu besar" in row.error
        assert fake_graph.calls == [INFO_URL]

    def test_unknown_media_id_fails_for_good(self, client, db, fake_graph):
        fake_graph.fail(
            INFO_URL, 400, {"error": {"message": "(#100) Invalid media id", "code": 100}}
        )
        row = fresh_image(client)
        assert run_queued(tasks.download_media) == ["failed"]
        row.refresh_from_db()
        assert row.state == "failed" and "Invalid media id" in row.error
        assert queued(tasks.download_media) == []  # no retry
        assert InboundMessage.objects.get().payload["image"]["id"] == MEDIA_ID  # nothing lost

    def test_expired_download_url_asks_again(self, client, db, fake_graph):
        row = fresh_image(client)
        # An answer without URL, then a URL that died before we used it: both retried.
        fake_graph.fail(INFO_URL, 200, {})
        fake_graph.fail(DOWNLOAD_URL, 404, {"error": {"message": "URL expired", "code": 100}})
        assert media.download(row.pk) == "retry"
        make_due(row)
        assert media.download(row.pk) == "retry"
        make_due(row)
        assert media.download(row.pk) == "stored"
        assert fake_graph.calls == [INFO_URL, INFO_URL, DOWNLOAD_URL, INFO_URL, DOWNLOAD_URL]

    def test_media_older_than_seven_days_is_given_up(self, client, db, fake_graph):
        row = fresh_image(client, sent=dt.datetime.now(dt.UTC) - dt.timedelta(days=7, minutes=1))
        assert media.download(row.pk) == "failed"
        row.refresh_from_db()
        assert "kedaluwarsa" in row.error
        assert fake_graph.calls == []

    def test_no_retry_is_scheduled_past_the_seven_days(self, client, db, fake_graph):
        sent = dt.datetime.now(dt.UTC) - dt.timedelta(days=7) + dt.timedelta(seconds=5)
        row = fresh_image(client, sent=sent)
        fake_graph.fail(INFO_URL, 503, {"error": {"message": "busy"}})
        assert media.download(row.pk) == "failed"

    def test_a_download_in_progress_is_not_started_twice(self, client, db, fake_graph):
        row = fresh_image(client)
        InboundMedia.objects.filter(pk=row.pk).update(
            next_attempt_at=dt.datetime.now(dt.UTC) + media.CLAIM_FOR
        )
        assert media.download(row.pk) == "skipped"
        assert fake_graph.calls == []


# --- the periodic sweep --------------------------------------------------------------------


class TestRetryPending:
    def test_picks_up_lost_downloads_and_the_drain_finds_deliveries(self, client, db, fake_graph):
        old = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=3)
        row = fresh_image(client)
        DBTaskResult.objects.all().delete()  # the worker died with every task
        InboundMedia.objects.filter(pk=row.pk).update(next_attempt_at=old)
        assert post(client, load("text.json")).status_code == 200

        assert tasks.retry_pending.call() == "1 downloads"
        assert [t.args_kwargs["args"] for t in queued(tasks.download_media)] == [[row.pk]]
        assert inbound.drain() == 1
        run_queued(tasks.download_media)
        assert InboundMessage.objects.filter(type="text").exists()
        row.refresh_from_db()
        assert row.state == "stored"

    def test_is_a_registered_periodic_job(self):
        from lalisa.worker import scheduler

        scheduler.autodiscover()
        job = scheduler.registry["whatsapp.retry_pending"]
        assert job.every == dt.timedelta(minutes=5)
        assert job.task is tasks.retry_pending

    def test_leaves_processed_and_settled_work_alone(self, client, db, fake_graph):
        deliver(client, load("text.json"))
        WebhookDelivery.objects.update(received_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1))
        assert tasks.retry_pending.call() == "0 downloads"
        assert inbound.drain() == 0


def test_staff_user_is_not_a_reporter_even_inactive_later(client, db):
    officer = make_user("hasan", Role.KABID, whatsapp="081251234567")
    User.objects.filter(pk=officer.pk).update(is_active=False)
    deliver(client, load("text.json"))
    # A deactivated account no longer speaks for the service: the sender is a citizen.
    assert InboundMessage.objects.get().reporter.wa_id == AHMAD["wa_id"]


class TestMediaThroughTheEmulator:
    """The same download against the project's Graph API emulator, failures injected there.
    The webhook is posted through the same in-process transport (Django's test client
    would reconnect the signal that closes the test's database connection)."""

    @staticmethod
    def post_image(media_id: str, sha256: str) -> None:
        body = load("image.json")
        msg = body["entry"][0]["changes"][0]["value"]["messages"][0]
        msg["timestamp"] = str(int(dt.datetime.now(dt.UTC).timestamp()))
        msg["image"].update(id=media_id, sha256=sha256)
        raw = encode(body)
        with graph.raw_client() as http:
            response = http.post(
                "http://testserver/webhooks/whatsapp",
                content=raw,
                headers={
                    "Content-Type": "application/json",
                    "X-Hub-Signature-256": signature.sign(raw, SECRET),
                },
            )
        assert response.status_code == 200
        inbound.drain()

    def test_fails_then_works(self, db, graph_emulator):
        from lalisa.simulator import emulator
        from lalisa.simulator.models import FailureRule

        stored = emulator.store_media(PHOTO, "image/jpeg")
        self.post_image(stored.media_id, stored.sha256)
        row = InboundMedia.objects.get()

        FailureRule.objects.create(path_contains=stored.media_id, http_status=500, remaining=1)
        assert run_queued(tasks.download_media) == ["retry"]
        row.refresh_from_db()
        assert (row.state, row.attempts) == ("pending", 1)

        make_due(row)
        assert media.download(row.pk) == "stored"
        row.refresh_from_db()
        assert row.file.name.endswith(f"/{stored.media_id}.jpg")
        assert default_storage.open(row.file.name).read() == PHOTO

    def test_checksum_mismatch_is_retried(self, db, graph_emulator):
        from lalisa.simulator import emulator

        stored = emulator.store_media(PHOTO, "image/jpeg")
        self.post_image(stored.media_id, PHOTO_B64[::-1])
        assert run_queued(tasks.download_media) == ["retry"]
        assert "Checksum" in InboundMedia.objects.get().error

    def test_media_the_emulator_does_not_know_fails_for_good(self, db, graph_emulator):
        self.post_image("999000111", PHOTO_B64)
        assert run_queued(tasks.download_media) == ["failed"]
        assert InboundMedia.objects.get().state == "failed"


def test_the_worker_drains_deliveries_without_task_rows(client, db, monkeypatch):
    from django.core.management import call_command

    from lalisa.worker.management.commands import db_worker

    # The worker's connection check would close the test transaction's connection.
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    assert post(client, load("text.json")).status_code == 200
    assert not DBTaskResult.objects.filter(status="READY").exists()
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    assert InboundMessage.objects.filter(type="text").count() == 1
    assert WebhookDelivery.objects.get().processed_at is not None


def test_the_wsgi_fast_path_answers_posts_like_the_view(db, monkeypatch):
    import httpx

    from lalisa.whatsapp import fastpath

    # Inside the test's transaction the connection must stay open.
    monkeypatch.setattr(fastpath, "close_old_connections", lambda: None)

    def django(environ, start_response):
        start_response("418 I'm a teapot", [("Content-Type", "text/plain")])
        return [b"django"]

    app = fastpath.WebhookFastPath(django)
    body = (FIXTURES / "text.json").read_bytes()
    good = {"X-Hub-Signature-256": signature.sign(body, SECRET)}
    with httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://t") as web:
        answer = web.post(URL, content=body, headers=good)
        assert (answer.status_code, answer.text) == (200, "OK")
        assert bytes(WebhookDelivery.objects.get().body) == body
        wrong = {"X-Hub-Signature-256": signature.sign(body, "another-secret")}
        assert web.post(URL, content=body, headers=wrong).status_code == 403
        assert web.post(URL, content=body).status_code == 401
        huge = b"x" * (3 * 1024 * 1024 + 1)
        assert web.post(URL, content=huge, headers=good).status_code == 413
        assert WebhookDelivery.objects.count() == 1
        # The handshake and every other path are Django's.
        assert web.get(URL).status_code == 418
        assert web.post("/webhooks/whatsapp/", content=body, headers=good).status_code == 418
    assert inbound.drain() == 1
    assert InboundMessage.objects.filter(type="text").count() == 1


def test_the_served_application_has_the_fast_path():
    from lalisa import wsgi
    from lalisa.whatsapp.fastpath import WebhookFastPath

    assert isinstance(wsgi.application, WebhookFastPath)


def test_the_drain_yields_to_the_web_only_during_a_burst(client, db, monkeypatch):
    slept = []
    monkeypatch.setattr(inbound.time, "sleep", slept.append)
    assert post(client, load("text.json")).status_code == 200
    assert inbound.drain() == 1
    assert len(slept) == 1 and 0 <= slept[0] <= inbound.MAX_YIELD  # Meta is still posting
    assert post(client, load("video.json")).status_code == 200
    WebhookDelivery.objects.update(received_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=5))
    assert inbound.drain() == 1
    assert len(slept) == 1  # the burst is over: full speed
