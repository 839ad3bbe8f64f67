"""The phone simulator: webhook bodies in Meta's exact format, signed and posted to the
service's webhook; the page; the chat API with the service's messages and their statuses;
and the status webhooks the emulator sends back."""

import json
from pathlib import Path

import httpx
import pytest

from lalisa.accounts.models import Role
from lalisa.complaints.models import Reporter
from lalisa.simulator import emulator, meta
from lalisa.simulator.models import EmulatedContact, EmulatedMessage, EmulatedTemplate
from lalisa.simulator.tasks import emit_status, emit_template_status, redeliver
from lalisa.whatsapp import graph, signature
from lalisa.whatsapp.models import WebhookDelivery
from tests.chat import in_process
from tests.conftest import make_user

FIXTURES = Path(__file__).parent / "fixtures" / "whatsapp"
PNID = "106540352242922"
SECRET = "test-app-secret"
TOKEN = "test-access-token"
AHMAD = {"name": "Ahmad Fauzi", "phone": "0812-5123-4567", "user_id": "ID.1410018717833190"}
RIZKY = {
    "name": "Muhammad Rizky",
    "user_id": "ID.3920174635281947",
    "username": "rizky.paringin",
    "hide_phone": True,
}


def load(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


def shape(value):
    """Keys all the way down, with the type of each leaf: what "Meta's format" means here."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return (
        "number"
        if isinstance(value, int | float) and not isinstance(value, bool)
        else type(value).__name__
    )


class Webhook:
    """Stands in for the service's webhook: records what reached it, answers `status`."""

    def __init__(self):
        self.requests: list[httpx.Request] = []
        self.status = 200

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(self.status, text="OK" if self.status == 200 else "Forbidden")

    @property
    def bodies(self) -> list[dict]:
        return [json.loads(r.content) for r in self.requests]

    @property
    def last(self) -> dict:
        return self.bodies[-1]


@pytest.fixture
def hook(graph_emulator):
    webhook = Webhook()
    graph.use_transport(httpx.MockTransport(webhook))
    return webhook


@pytest.fixture
def web(graph_emulator):
    """The browser: real HTTP requests into the app, with its CSRF cookie and header."""
    transport = httpx.WSGITransport(app=in_process(_wsgi()))
    with httpx.Client(transport=transport, base_url="http://testserver") as http:
        assert http.get("/simulator/").status_code == 200
        http.headers["X-CSRFToken"] = http.cookies["csrftoken"]
        yield http


@pytest.fixture
def phone(web):
    """The simulator page's JS, as calls: choose who to be, then send."""

    class Phone:
        def be(self, **person):
            response = web.post("/simulator/api/identity", json=person)
            assert response.status_code == 200, response.content
            self.contact = response.json()["contact"]
            return self.contact

        def send(self, **data):
            return web.post(
                "/simulator/api/send", json={"user_id": self.contact["user_id"], **data}
            ).json()

        def chat(self):
            return web.get(
                "/simulator/api/chat", params={"user_id": self.contact["user_id"]}
            ).json()

        def read(self, wamids):
            payload = {"user_id": self.contact["user_id"], "wamids": wamids}
            return web.post("/simulator/api/read", json=payload).json()

    return Phone()


def service_sends(body: dict) -> str:
    """The service sends through the emulator (its Graph client, in process); the wamid."""
    transport = graph._transport
    graph.use_transport(httpx.WSGITransport(app=in_process(_wsgi())))
    try:
        data = graph.call("POST", f"{PNID}/messages", json_body=body)
    finally:
        graph.use_transport(transport)
    return data["messages"][0]["id"]


def _wsgi():
    from django.core.wsgi import get_wsgi_application

    return get_wsgi_application()


def signed_correctly(request: httpx.Request) -> bool:
    return signature.is_valid(request.content, request.headers["X-Hub-Signature-256"], SECRET)


# --- who the person plays ---------------------------------------------------------------------


def test_a_phone_gets_a_stable_bsuid(phone):
    first = phone.be(name="Rina", phone="0813 1111 2222")
    assert first["wa_id"] == "6281311112222"
    assert first["user_id"] == meta.bsuid_for_phone("6281311112222")
    assert first["user_id"].startswith("ID.") and len(first["user_id"]) == 19
    assert phone.be(name="Rina", phone="+62 813-1111-2222")["user_id"] == first["user_id"]


def test_without_a_number_only_a_bsuid(phone):
    contact = phone.be(name="Tanpa Nomor", hide_phone=True)
    assert contact["user_id"].startswith("ID.")
    assert contact["hide_phone"] is True


def test_a_given_bsuid_is_used(phone):
    assert phone.be(**AHMAD)["user_id"] == AHMAD["user_id"]


def test_one_phone_has_one_bsuid(phone):
    phone.be(**AHMAD)
    phone.be(name="Ahmad", phone=AHMAD["phone"], user_id="ID.5555555555555555")
    assert emulator.contact_by_phone("6281251234567").user_id == "ID.5555555555555555"
    assert EmulatedContact.objects.get(user_id=AHMAD["user_id"]).wa_id == ""


def test_a_staff_member_plays_with_the_bsuid_the_service_knows(phone, team_a):
    user = make_user("candra", Role.TRC, team=team_a, whatsapp="081200000003")
    user.whatsapp_user_id = "ID.7777777777777777"
    user.save()
    assert phone.be(name="Candra", phone="081200000003")["user_id"] == "ID.7777777777777777"


def test_a_known_reporter_keeps_the_bsuid_the_service_knows(phone):
    Reporter.objects.create(
        user_id="ID.9900000000000001", wa_id="6281300000101", phone="+6281300000101"
    )
    assert phone.be(name="Siti", phone="081300000101")["user_id"] == "ID.9900000000000001"


@pytest.mark.parametrize(
    ("person", "error"),
    [
        ({"name": "X", "phone": "12"}, "Nomor HP tidak dikenali"),
        ({"name": "X"}, "tanpa nomor"),
        ({"name": "X", "phone": "081251234567", "user_id": "bukan-bsuid"}, "BSUID"),
    ],
)
def test_identity_errors_are_in_indonesian(web, person, error):
    response = web.post("/simulator/api/identity", json=person)
    assert response.status_code == 400
    assert error in response.json()["error"]


# --- bodies in Meta's exact format, signed, posted --------------------------------------------


def test_a_text_is_posted_signed_in_meta_format(phone, hook, settings):
    phone.be(**AHMAD)
    result = phone.send(kind="text", text="Ada PKL di trotoar Pasar Paringin")
    assert result == {"ok": True, "wamid": result["wamid"], "error": ""}

    [request] = hook.requests
    assert str(request.url) == settings.LALISA_WEBHOOK_URL
    assert request.method == "POST"
    assert request.headers["Content-Type"] == "application/json"
    assert signed_correctly(request)
    body = hook.last
    assert shape(body) == shape(load("text.json"))
    value = body["entry"][0]["changes"][0]["value"]
    assert body["entry"][0]["id"] == settings.WHATSAPP_BUSINESS_ACCOUNT_ID
    assert value["metadata"] == {"display_phone_number": "6285100001111", "phone_number_id": PNID}
    assert value["contacts"] == [
        {"profile": {"name": "Ahmad Fauzi"}, "wa_id": "6281251234567", "user_id": AHMAD["user_id"]}
    ]
    message = value["messages"][0]
    assert (message["from"], message["from_user_id"]) == ("6281251234567", AHMAD["user_id"])
    assert message["id"] == result["wamid"]
    assert message["text"] == {"body": "Ada PKL di trotoar Pasar Paringin"}

    recorded = EmulatedMessage.objects.get(wamid=result["wamid"])
    assert (recorded.direction, recorded.chat, recorded.status) == (
        "in",
        AHMAD["user_id"],
        "delivered",
    )
    assert recorded.payload == body
    assert recorded.raw.encode() == request.content


def test_a_citizen_without_a_number_sends_only_the_bsuid(phone, hook):
    phone.be(**RIZKY)
    phone.send(kind="text", text="Balap liar di Batumandi")
    assert shape(hook.last) == shape(load("text_bsuid_only.json"))
    value = hook.last["entry"][0]["changes"][0]["value"]
    assert value["contacts"][0] == {
        "profile": {"name": "Muhammad Rizky", "username": "rizky.paringin"},
        "user_id": RIZKY["user_id"],
    }
    assert "from" not in value["messages"][0]


def test_a_button_tap_carries_the_context_of_the_message_tapped(phone, hook):
    phone.be(**AHMAD)
    phone.send(kind="text", text="Halo")
    wamid = service_sends(load("outbound/send_reply_buttons.json"))
    phone.send(kind="button_reply", id="menu:buat_aduan", title="Buat Aduan", context_id=wamid)
    assert shape(hook.last) == shape(load("interactive_button_reply.json"))
    message = hook.last["entry"][0]["changes"][0]["value"]["messages"][0]
    assert message["context"] == {"from": "6285100001111", "id": wamid}
    assert message["interactive"] == {
        "type": "button_reply",
        "button_reply": {"id": "menu:buat_aduan", "title": "Buat Aduan"},
    }


def test_a_list_row_pick_carries_the_context(phone, hook):
    phone.be(name="Siti Rahmah", phone="082154321098")
    phone.send(kind="text", text="Halo")
    wamid = service_sends(load("outbound/send_list.json"))
    phone.send(
        kind="list_reply",
        id="kategori:reklame_liar",
        title="Reklame liar",
        description="Spanduk/papan reklame tanpa izin",
        context_id=wamid,
    )
    assert shape(hook.last) == shape(load("interactive_list_reply.json"))
    assert hook.last["entry"][0]["changes"][0]["value"]["messages"][0]["context"]["id"] == wamid


def test_a_tap_needs_a_message_of_this_chat(phone, hook):
    phone.be(**AHMAD)
    result = phone.send(kind="button_reply", id="x", title="X", context_id="wamid.nope")
    assert result["ok"] is False
    assert "tidak ditemukan" in result["error"]
    assert not hook.requests


def test_a_location(phone, hook):
    phone.be(name="Nor Aini", phone="085248765432")
    phone.send(
        kind="location",
        latitude=-2.333,
        longitude=115.466,
        name="Pasar Paringin",
        address="Jl. Ahmad Yani, Paringin",
    )
    assert shape(hook.last) == shape(load("location.json"))
    location = hook.last["entry"][0]["changes"][0]["value"]["messages"][0]["location"]
    assert (location["latitude"], location["longitude"]) == (-2.333, 115.466)


def test_a_photo_is_uploaded_then_sent_with_media_id_and_sha256(phone, hook, web):
    phone.be(name="Siti Rahmah", phone="082154321098")
    content = b"\xff\xd8\xff\xe0 foto reklame"
    upload = web.post(
        "/simulator/api/upload", files={"file": ("reklame.jpg", content, "image/jpeg")}
    ).json()
    assert upload["ok"] is True
    phone.send(kind="image", media_id=upload["media_id"], caption="Reklame liar di pohon")
    assert shape(hook.last) == shape(load("image.json"))
    image = hook.last["entry"][0]["changes"][0]["value"]["messages"][0]["image"]
    assert image["id"] == upload["media_id"]
    assert image["mime_type"] == "image/jpeg"
    assert image["sha256"] == meta.sha256_b64(content)
    # The URL in the webhook downloads with the service's token, as Meta's does.
    path = image["url"].removeprefix("http://testserver")
    assert web.get(path, headers={"Authorization": f"Bearer {TOKEN}"}).content == content
    assert web.get(path).status_code == 401


def test_a_photo_must_be_jpeg_or_png(web):
    response = web.post("/simulator/api/upload", files={"file": ("x.gif", b"GIF89a", "image/gif")})
    assert response.status_code == 400
    assert "JPEG atau PNG" in response.json()["error"]


def test_a_sticker(phone, hook):
    phone.be(**AHMAD)
    phone.send(kind="sticker", sticker="terima_kasih")
    assert shape(hook.last) == shape(load("sticker.json"))
    sticker = hook.last["entry"][0]["changes"][0]["value"]["messages"][0]["sticker"]
    assert sticker["mime_type"] == "image/webp"


def test_a_quoted_reply(phone, hook):
    phone.be(**AHMAD)
    phone.send(kind="text", text="Halo")
    wamid = service_sends(load("outbound/send_text.json"))
    phone.send(kind="text", text="Lokasinya di samping masjid", context_id=wamid)
    assert shape(hook.last) == shape(load("text_reply_context.json"))


def test_a_reaction_and_its_removal(phone, hook):
    phone.be(**AHMAD)
    phone.send(kind="text", text="Halo")
    wamid = service_sends(load("outbound/send_text.json"))
    phone.send(kind="reaction", message_id=wamid, emoji="👍")
    assert shape(hook.last) == shape(load("reaction.json"))
    phone.send(kind="reaction", message_id=wamid, emoji="")
    assert shape(hook.last) == shape(load("reaction_removed.json"))


def test_a_refused_post_shows_an_error_and_can_be_resent_unchanged(phone, hook, web):
    phone.be(**AHMAD)
    hook.status = 403
    result = phone.send(kind="text", text="Halo")
    assert result["ok"] is False
    assert "Webhook layanan menolak" in result["error"]
    assert "HTTP 403" in result["error"]
    assert EmulatedMessage.objects.get(wamid=result["wamid"]).status == "failed"

    hook.status = 200
    resent = web.post("/simulator/api/resend", json={"wamid": result["wamid"]})
    assert resent.json() == {"ok": True, "error": ""}
    first, second = hook.requests
    assert first.content == second.content
    assert first.headers["X-Hub-Signature-256"] == second.headers["X-Hub-Signature-256"]
    assert EmulatedMessage.objects.get(wamid=result["wamid"]).status == "delivered"


def test_a_failed_message_does_not_open_the_window(phone, hook):
    phone.be(**AHMAD)
    hook.status = 500
    phone.send(kind="text", text="Halo")
    assert not emulator.window_open(AHMAD["user_id"])
    hook.status = 200
    phone.send(kind="text", text="Halo lagi")
    assert emulator.window_open(AHMAD["user_id"])


def test_unknown_kinds_are_refused(phone, hook):
    phone.be(**AHMAD)
    assert phone.send(kind="telepati")["error"] == "Jenis pesan tidak dikenal."


def test_sending_needs_an_identity(web):
    response = web.post(
        "/simulator/api/send", json={"user_id": "ID.1", "kind": "text", "text": "x"}
    )
    assert response.status_code == 400
    assert response.json()["error"] == "Pilih dulu siapa Anda."


def test_the_post_reaches_the_real_webhook_in_process(phone, graph_emulator):
    phone.be(**AHMAD)
    result = phone.send(kind="text", text="Ada PKL di trotoar")
    assert result["ok"] is True, result
    delivery = WebhookDelivery.objects.get()
    body = json.loads(bytes(delivery.body))
    assert body["entry"][0]["changes"][0]["value"]["messages"][0]["id"] == result["wamid"]


# --- the page ---------------------------------------------------------------------------------


def test_the_page_renders_in_indonesian_with_its_script(client, graph_emulator, team_a):
    make_user("candra", Role.TRC, team=team_a, whatsapp="081200000003")
    response = client.get("/simulator/")
    assert response.status_code == 200
    html = response.content.decode()
    for label in (
        "Siapa Anda?",
        "Ketik pesan",
        "Kirim lokasi",
        "tanpa nomor (hanya BSUID)",
        "Stiker",
        "Foto",
    ):
        assert label in html, label
    assert 'src="/static/simulator/simulator.js"' in html
    assert "/static/simulator/simulator.css" in html
    assert "cdn" not in html.lower()
    config = json.loads(
        html.split('id="sim-config" type="application/json">')[1].split("</script>")[0]
    )
    assert config["urls"]["send"] == "/simulator/api/send"
    assert [s["phone"] for s in config["staff"]] == ["+6281200000003"]
    assert "Anggota TRC" in config["staff"][0]["note"]
    assert any(p["name"] == "Pasar Paringin" and p["lat"] == -2.333 for p in config["places"])
    assert response.cookies.get("csrftoken")


def test_the_page_script_and_stickers_are_served(web):
    assert web.get("/static/simulator/simulator.js").status_code == 200
    assert web.get("/static/simulator/stickers/terima_kasih.webp").status_code == 200


def test_posts_without_the_csrf_token_are_refused(web):
    del web.headers["X-CSRFToken"]
    assert (
        web.post(
            "/simulator/api/identity", json={"name": "X", "phone": "081251234567"}
        ).status_code
        == 403
    )


# --- the chat API -----------------------------------------------------------------------------


def test_the_chat_shows_the_service_messages_with_their_statuses(phone, hook):
    phone.be(**AHMAD)
    phone.send(kind="text", text="Halo")
    buttons = service_sends(load("outbound/send_reply_buttons.json"))
    service_sends(load("outbound/send_list.json") | {"to": "6281251234567"})

    chat = phone.chat()
    assert chat["ok"] is True
    assert chat["contact"]["user_id"] == AHMAD["user_id"]
    mine, menu, categories = chat["messages"]
    assert (mine["direction"], mine["kind"], mine["text"], mine["status"]) == (
        "in",
        "text",
        "Halo",
        "delivered",
    )
    assert (menu["direction"], menu["kind"], menu["wamid"]) == ("out", "buttons", buttons)
    assert [b["title"] for b in menu["buttons"]] == ["Buat Aduan", "Cek Status Aduan", "Bantuan"]
    assert menu["header"] == "LA-LISA Satpol PP Balangan"
    assert menu["status"] == "accepted"
    assert categories["kind"] == "list"
    assert categories["button"] == "Pilih Kategori"
    assert categories["sections"][0]["rows"][0]["id"] == "kategori:pkl"

    emit_status.call(buttons, "sent")
    emit_status.call(buttons, "delivered")
    assert phone.chat()["messages"][1]["status"] == "delivered"

    assert phone.read([buttons, "wamid.of-someone-else"]) == {"ok": True, "read": [buttons]}
    assert phone.chat()["messages"][1]["status"] == "read"
    assert [
        b["entry"][0]["changes"][0]["value"]["statuses"][0]["status"] for b in hook.bodies[1:]
    ] == [
        "sent",
        "delivered",
    ]
    # Reading again does nothing; the read status itself comes from the worker.
    assert phone.read([buttons])["read"] == []


def test_the_service_marking_read_turns_the_citizens_ticks_blue(phone, hook):
    phone.be(**AHMAD)
    wamid = phone.send(kind="text", text="Halo")["wamid"]
    graph.use_transport(httpx.WSGITransport(app=in_process(_wsgi())))
    graph.call(
        "POST",
        f"{PNID}/messages",
        json_body=load("outbound/mark_read_typing.json") | {"message_id": wamid},
    )
    graph.use_transport(httpx.MockTransport(hook))
    chat = phone.chat()
    assert chat["messages"][0]["status"] == "read"
    assert chat["typing"] is True


def test_templates_are_shown_with_their_parameters(phone, hook):
    request = load("api/template_create_request.json")
    EmulatedTemplate.objects.create(
        template_id="1627019861106475",
        waba_id="102290129340398",
        name=request["name"],
        language="id",
        category="UTILITY",
        components=request["components"],
    )
    phone.be(name="Nor Aini", phone="085248765432")
    service_sends(load("outbound/send_template_positional.json"))
    [shown] = phone.chat()["messages"]
    assert shown["kind"] == "template"
    assert shown["text"] == (
        "Halo Nor Aini, status aduan LL-2026-000125 Anda saat ini: Selesai ditindaklanjuti. "
        "Terima kasih telah menggunakan LA-LISA."
    )
    assert shown["footer"] == "Satpol PP Kab. Balangan"


def test_reactions_decorate_their_message(phone, hook):
    phone.be(**AHMAD)
    phone.send(kind="text", text="Halo")
    wamid = service_sends(load("outbound/send_text.json"))
    phone.send(kind="reaction", message_id=wamid, emoji="🙏")
    messages = phone.chat()["messages"]
    assert len(messages) == 2
    assert messages[1]["reaction_in"] == "🙏"


# --- status webhooks from the emulator --------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "fixture"),
    [
        ("sent", "status_sent.json"),
        ("delivered", "status_delivered.json"),
        ("read", "status_read.json"),
    ],
)
def test_statuses_are_signed_and_in_meta_format(hook, status, fixture):
    emulator.open_window(wa_id="6281251234567", user_id=AHMAD["user_id"], name="Ahmad Fauzi")
    body = load("outbound/send_text.json") | {"biz_opaque_callback_data": "aduan:LL-2026-000123"}
    wamid = service_sends(body)
    if status == "read":
        emulator.advance_status(wamid, "read")
    emit_status.call(wamid, status)

    [request] = hook.requests
    assert signed_correctly(request)
    expected = load(fixture)
    if status == "read":  # Meta's read carries no pricing
        assert "pricing" not in expected["entry"][0]["changes"][0]["value"]["statuses"][0]
    assert shape(hook.last) == shape(expected)
    entry = hook.last["entry"][0]["changes"][0]["value"]["statuses"][0]
    assert (entry["id"], entry["status"]) == (wamid, status)
    assert (entry["recipient_id"], entry["recipient_user_id"]) == (
        "6281251234567",
        AHMAD["user_id"],
    )
    assert entry["biz_opaque_callback_data"] == "aduan:LL-2026-000123"


def test_a_status_to_a_bsuid_only_user_has_no_recipient_id(hook):
    emulator.upsert_contact(
        user_id=RIZKY["user_id"],
        name="Muhammad Rizky",
        username="rizky.paringin",
        phone_hidden=True,
    )
    emulator.open_window(user_id=RIZKY["user_id"])
    wamid = service_sends(load("outbound/send_text_to_bsuid.json"))
    emit_status.call(wamid, "sent")
    emit_status.call(wamid, "delivered")
    sent, delivered = hook.bodies
    assert shape(delivered) == shape(load("status_bsuid_only.json"))
    value = delivered["entry"][0]["changes"][0]["value"]
    assert value["contacts"][0]["profile"] == {
        "name": "Muhammad Rizky",
        "username": "@rizky.paringin",
    }
    # Meta leaves the username out of `sent`.
    assert "username" not in sent["entry"][0]["changes"][0]["value"]["contacts"][0]["profile"]


def test_a_failed_status_is_in_meta_format(hook):
    from lalisa.simulator.models import FailureRule

    emulator.open_window(wa_id="6282154321098", user_id="ID.2287364519028374")
    FailureRule.objects.create(http_status=200, error_code=131047)
    wamid = service_sends(load("outbound/send_text.json") | {"to": "6282154321098"})
    emit_status.call(wamid, "failed", 131047)
    assert signed_correctly(hook.requests[0])
    assert shape(hook.last) == shape(load("status_failed.json"))
    assert (
        hook.last["entry"][0]["changes"][0]["value"]["statuses"][0]["errors"]
        == (load("status_failed.json")["entry"][0]["changes"][0]["value"]["statuses"][0]["errors"])
    )


def test_statuses_only_move_forward(hook):
    emulator.open_window(wa_id="6281251234567", user_id=AHMAD["user_id"])
    wamid = service_sends(load("outbound/send_text.json"))
    emulator.mark_shown_read(AHMAD["user_id"], [wamid])
    emit_status.call(wamid, "read")
    emit_status.call(wamid, "sent")
    emit_status.call(wamid, "delivered")
    assert [
        b["entry"][0]["changes"][0]["value"]["statuses"][0]["status"] for b in hook.bodies
    ] == ["read"]


def test_a_refused_status_is_posted_again_later(hook):
    from django_tasks_db.models import DBTaskResult

    emulator.open_window(wa_id="6281251234567", user_id=AHMAD["user_id"])
    wamid = service_sends(load("outbound/send_text.json"))
    DBTaskResult.objects.all().delete()
    hook.status = 503
    emit_status.call(wamid, "sent")
    retry = DBTaskResult.objects.get(task_path="lalisa.simulator.tasks.redeliver")
    body, attempt = retry.args_kwargs["args"]
    assert attempt == 1
    hook.status = 200
    redeliver.call(body, attempt)
    assert hook.requests[0].content == hook.requests[1].content


def test_the_template_status_webhook_is_in_meta_format(hook):
    template = EmulatedTemplate.objects.create(
        template_id="1627019861106475",
        waba_id="102290129340398",
        name="lalisa_status_aduan",
        language="id",
        category="UTILITY",
        components=[],
    )
    emit_template_status.call(template.template_id, "APPROVED")
    assert signed_correctly(hook.requests[0])
    expected = load("template_status_update.json")
    assert shape(hook.last) == shape(expected)
    assert (
        hook.last["entry"][0]["changes"][0]["value"] == expected["entry"][0]["changes"][0]["value"]
    )


def test_status_webhooks_reach_the_real_webhook(graph_emulator):
    emulator.open_window(wa_id="6281251234567", user_id=AHMAD["user_id"])
    wamid = service_sends(load("outbound/send_text.json"))
    emit_status.call(wamid, "sent")
    delivery = WebhookDelivery.objects.get()
    assert (
        json.loads(bytes(delivery.body))["entry"][0]["changes"][0]["value"]["statuses"][0]["id"]
        == wamid
    )


# --- the demo's environment ---------------------------------------------------------------------


def test_the_demo_points_whatsapp_at_its_own_emulator(tmp_path):
    from lalisa.worker.management.commands.demo import prepare_environment

    environ = {"LALISA_DATA_DIR": str(tmp_path)}
    prepare_environment(environ, port=8055)
    assert environ["WHATSAPP_GRAPH_URL"] == "http://127.0.0.1:8055/graph"
    assert environ["LALISA_WEBHOOK_URL"] == "http://127.0.0.1:8055/webhooks/whatsapp"
    assert environ["WHATSAPP_PHONE_NUMBER_ID"] and environ["WHATSAPP_BUSINESS_ACCOUNT_ID"]
    stored = tmp_path / "whatsapp_demo.json"
    assert oct(stored.stat().st_mode & 0o777) == "0o600"
    assert json.loads(stored.read_text())["app_secret"] == environ["WHATSAPP_APP_SECRET"]

    again = {"LALISA_DATA_DIR": str(tmp_path), "WHATSAPP_GRAPH_URL": "https://graph.facebook.com"}
    prepare_environment(again, port=9000)
    assert again["WHATSAPP_GRAPH_URL"] == "https://graph.facebook.com"  # set: kept
    assert again["WHATSAPP_ACCESS_TOKEN"] == environ["WHATSAPP_ACCESS_TOKEN"]  # reused
    assert again["LALISA_WEBHOOK_URL"] == "http://127.0.0.1:9000/webhooks/whatsapp"

    off = {"LALISA_DATA_DIR": str(tmp_path), "LALISA_SIMULATOR": "0"}
    prepare_environment(off)
    assert "WHATSAPP_GRAPH_URL" not in off


def test_the_demo_reads_its_port_before_django_starts():
    from lalisa.worker.management.commands.demo import port_from_argv

    assert port_from_argv(["--port", "8055"]) == 8055
    assert port_from_argv(["--port=8056", "--no-serve"]) == 8056
    assert port_from_argv([]) == 8000
    assert port_from_argv(["--port", "nope"]) == 8000


def test_the_demo_syncs_templates_in_process(graph_emulator, settings):
    from django.core.management import get_commands

    from lalisa.worker.management.commands.demo import Command

    if "whatsapp_templates" not in get_commands():
        pytest.skip("the outbound side's whatsapp_templates command is not there yet")
    from lalisa.whatsapp.models import MessageTemplate

    settings.WHATSAPP_GRAPH_URL = "http://127.0.0.1:8055/graph"
    graph.use_transport(None)
    Command().sync_templates(8055)
    assert EmulatedTemplate.objects.exists()
    assert set(MessageTemplate.objects.values_list("status", flat=True)) == {"approved"}
    assert set(EmulatedTemplate.objects.values_list("name", flat=True)) == set(
        MessageTemplate.objects.values_list("name", flat=True)
    )
