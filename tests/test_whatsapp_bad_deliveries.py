"""Deliveries that cannot be stored as they came: nested too deep to read, lone surrogates,
bytes that are not UTF-8, a delivery whose processing raises. What can be stored is
stored, what cannot is replaced, and one bad delivery never holds back the others."""

import copy
import datetime as dt
import json

import httpx
import pytest

from lalisa.whatsapp import fastpath, inbound, parse, signature
from lalisa.whatsapp.models import InboundMessage, OutboundMessage, WebhookDelivery
from tests.conftest import make_user
from tests.test_whatsapp_inbound import (  # noqa: F401 - its settings fixture is autouse
    SECRET,
    URL,
    load,
    post,
    whatsapp_settings,
)

DEEP = 100_000


@pytest.fixture
def handlers(monkeypatch):
    """No bot: only what the inbound side itself does."""
    monkeypatch.setattr(inbound, "HANDLERS", [])


def from_citizen(n: int, fixture: str = "text.json", text: str | None = None) -> dict:
    """A fixture's message as sent by citizen number n (its own ids, its own wamid)."""
    body = load(fixture)
    value = body["entry"][0]["changes"][0]["value"]
    phone, user_id = f"62813500000{n:02d}", f"ID.90000000000000{n:02d}"
    value["contacts"][0].update(wa_id=phone, user_id=user_id)
    message = value["messages"][0]
    message.update({"from": phone, "from_user_id": user_id, "id": f"wamid.bad-{n:02d}"})
    if text is not None:
        message["text"]["body"] = text
    return body


def first_message(body: dict) -> dict:
    return body["entry"][0]["changes"][0]["value"]["messages"][0]


def raw(body: dict) -> bytes:
    # As Meta writes it: non-ASCII escaped, so a lone surrogate travels as "\ud800".
    return json.dumps(body).encode()


def answered(n: int) -> bool:
    return OutboundMessage.objects.filter(reporter__wa_id=f"62813500000{n:02d}").exists()


def nested_array(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def nested_object(depth: int) -> bytes:
    return b'{"a":' * depth + b"1" + b"}" * depth


def nested_mixed(depth: int) -> bytes:
    return b'[{"a":' * depth + b'"x"' + b"}]" * depth


def deep_inside_a_message(depth: int) -> bytes:
    body = from_citizen(9, text="Tolong, ada PKL di trotoar")
    first_message(body)["extra"] = "DEEP"
    return raw(body).replace(b'"DEEP"', nested_array(depth))


def assert_storable(value) -> None:
    """What PostgreSQL and UTF-8 take: no NUL, no lone surrogate, anywhere."""
    text = json.dumps(value, ensure_ascii=False)
    text.encode("utf-8")  # raises on a lone surrogate
    assert "\x00" not in text


# --- one drain pass over a mixed batch ----------------------------------------------------


@pytest.mark.parametrize(
    "deep",
    [
        nested_array(DEEP),
        nested_object(DEEP),
        nested_mixed(DEEP // 2),
        b"[" * DEEP,  # never closed: not JSON either
        nested_array(1_000),
        nested_object(600),
    ],
    ids=["array", "object", "mixed", "unclosed", "array-1000", "object-600"],
)
def test_one_drain_pass_takes_good_deep_and_unstorable_deliveries_alike(client, db, deep):
    """[good, deeply nested, lone surrogate, good]: all four done in one pass, both good
    ones and the surrogate one answered, the nested one kept and marked failed."""
    bodies = [
        raw(from_citizen(1, text="halo")),
        deep,
        raw(from_citizen(2, text="Ada balap liar x\ud800y di jalan")),
        raw(from_citizen(3, text="halo")),
    ]
    for body in bodies:
        assert post(client, body).status_code == 200

    assert inbound.drain() == 4
    deliveries = list(WebhookDelivery.objects.order_by("pk"))
    assert [bytes(d.body) for d in deliveries] == bodies  # every body kept as it came
    assert all(d.processed_at is not None and d.attempts == 1 for d in deliveries)
    good1, nested, surrogate, good2 = deliveries
    assert nested.error.startswith(inbound.FAILED)
    assert inbound.state_of(nested).startswith("Gagal")
    for delivery in (good1, surrogate, good2):
        assert not delivery.error.startswith(inbound.FAILED), delivery.error
    assert answered(1) and answered(2) and answered(3)
    kept = InboundMessage.objects.get(wamid="wamid.bad-02")
    assert kept.text == "Ada balap liar x\ufffdy di jalan"
    assert kept.handled_at is not None and kept.handle_error == ""
    assert_storable(kept.payload)
    assert inbound.drain() == 0  # nothing left waiting for a claim to run out


@pytest.mark.parametrize("depth", [40, 300, 1_000, DEEP])
def test_a_message_with_a_part_nested_too_deep_is_still_stored_and_answered(client, db, depth):
    assert post(client, deep_inside_a_message(depth)).status_code == 200
    assert inbound.drain() == 1
    delivery = WebhookDelivery.objects.get()
    assert delivery.processed_at is not None
    assert not delivery.error.startswith(inbound.FAILED)
    assert f"lebih dari {parse.MAX_DEPTH} tingkat" in delivery.error
    kept = InboundMessage.objects.get(wamid="wamid.bad-09")
    assert kept.text == "Tolong, ada PKL di trotoar"
    assert parse.CUT in json.dumps(kept.payload["extra"], ensure_ascii=False)
    assert answered(9)


# --- lone surrogates, wherever they come ------------------------------------------------


def in_text(sent: str, stored: str):
    def spoil(body):
        first_message(body)["text"]["body"] = sent
        return stored

    return spoil


def in_a_key(body):
    first_message(body)["text"]["x\ud800"] = {"y\udc00": "z\ud801"}
    return None


def in_the_profile_name(body):
    body["entry"][0]["changes"][0]["value"]["contacts"][0]["profile"]["name"] = "Ahm\ud800d"
    return None


def in_the_sender_ids(body):
    first_message(body)["from_user_id"] += "\ud800"
    body["entry"][0]["changes"][0]["value"]["contacts"][0]["user_id"] += "\ud800"
    return None


def in_the_wamid(body):
    first_message(body)["id"] += "\ud800"
    return None


def in_a_caption(body):
    first_message(body)["image"]["caption"] = "Reklame \ud800liar"
    return "Reklame \ufffdliar"


def in_a_contact_card(body):
    card = first_message(body)["contacts"][0]
    card["name"]["formatted_name"] = "Pak RT \udbff"
    card["phones"][0]["phone"] = "+62 813\ud800"
    return "Pak RT \ufffd (+62 813\ufffd)"


def in_a_button_title(body):
    first_message(body)["interactive"]["button_reply"]["title"] = "Buat \ud800Aduan"
    return "Buat \ufffdAduan"


def in_a_list_title(body):
    first_message(body)["interactive"]["list_reply"]["title"] = "Reklame\udc00 liar"
    return "Reklame\ufffd liar"


def in_a_location(body):
    location = first_message(body)["location"]
    location["name"], location["address"] = "Pasar\ud800", "Jl. \udc01A. Yani"
    return "Pasar\ufffd\nJl. \ufffdA. Yani"


SURROGATES = [
    pytest.param(
        "text.json", in_text("PKL \ud800 di trotoar", "PKL \ufffd di trotoar"), id="text"
    ),
    pytest.param(
        "text.json", in_text("\udc00\ud83d terbalik", "\ufffd\ufffd terbalik"), id="swapped"
    ),
    pytest.param("text.json", in_text("tolong\udfff", "tolong\ufffd"), id="at-the-end"),
    pytest.param(
        "text.json", in_text("ombak \U0001f30a x\ud800", "ombak \U0001f30a x\ufffd"), id="pair"
    ),
    pytest.param("text.json", in_text("a\x00b\ud800c", "a\ufffdb\ufffdc"), id="with-nul"),
    pytest.param("text.json", in_a_key, id="key"),
    pytest.param("text.json", in_the_profile_name, id="profile-name"),
    pytest.param("text.json", in_the_sender_ids, id="sender-ids"),
    pytest.param("text.json", in_the_wamid, id="wamid"),
    pytest.param("image.json", in_a_caption, id="caption"),
    pytest.param("contacts.json", in_a_contact_card, id="contact-card"),
    pytest.param("interactive_button_reply.json", in_a_button_title, id="button-title"),
    pytest.param("interactive_list_reply.json", in_a_list_title, id="list-title"),
    pytest.param("location.json", in_a_location, id="location"),
]


@pytest.mark.parametrize("fixture, spoil", SURROGATES)
def test_a_lone_surrogate_is_stored_as_a_replacement_and_answered(client, db, fixture, spoil):
    body = from_citizen(4, fixture)
    expected_text = spoil(body)
    assert post(client, raw(body)).status_code == 200
    assert inbound.drain() == 1
    delivery = WebhookDelivery.objects.get()
    assert delivery.processed_at is not None and delivery.attempts == 1
    assert not delivery.error.startswith(inbound.FAILED), delivery.error
    kept = InboundMessage.objects.get()
    assert kept.wamid.startswith("wamid.bad-04")
    if expected_text is not None:
        assert kept.text == expected_text
    for value in (kept.payload, kept.text, kept.wamid, kept.profile_name, kept.from_user_id):
        assert_storable(value)
    assert kept.handled_at is not None
    assert OutboundMessage.objects.filter(in_reply_to=kept).exists()  # the bot answered


def test_bytes_that_are_not_utf8_are_replaced_not_lost(client, db, handlers):
    body = raw(from_citizen(5, text="PKL MARKER di trotoar"))
    for spoilt in (b"\xff\xfe", b"\xed\xa0\x80", b"\xc3"):  # not UTF-8; a surrogate's bytes
        WebhookDelivery.objects.all().delete()
        InboundMessage.objects.all().delete()
        sent = body.replace(b"MARKER", spoilt)
        assert post(client, sent).status_code == 200
        assert inbound.drain() == 1
        delivery = WebhookDelivery.objects.get()
        assert bytes(delivery.body) == sent
        assert delivery.processed_at is not None and delivery.error == "", delivery.error
        kept = InboundMessage.objects.get()
        assert kept.text.startswith("PKL \ufffd") and kept.text.endswith(" di trotoar")
        assert_storable(kept.text)


# --- whatever one delivery raises stays with it -----------------------------------------


@pytest.mark.parametrize(
    "error",
    [
        RecursionError("maximum recursion depth exceeded"),
        MemoryError(),
        RuntimeError("database hiccup x\ud800"),
        UnicodeEncodeError("utf-8", "x\ud800", 1, 2, "surrogates not allowed"),
    ],
    ids=["recursion", "memory", "runtime", "unicode"],
)
def test_whatever_one_delivery_raises_is_recorded_on_it_and_the_batch_goes_on(
    client, db, handlers, monkeypatch, error
):
    real_parse = parse.parse

    def parse_or_fail(body):
        if "BOOM" in json.dumps(body):
            raise error
        return real_parse(body)

    monkeypatch.setattr(parse, "parse", parse_or_fail)
    # The logged traceback would carry the surrogate into the test report, which pytest-xdist
    # cannot send between processes; what is stored is what this test checks.
    monkeypatch.setattr(inbound.log, "disabled", True)
    for n, text in ((1, "satu"), (2, "BOOM"), (3, "tiga")):
        assert post(client, raw(from_citizen(n, text=text))).status_code == 200

    assert inbound.drain() == 3
    good1, bad, good2 = WebhookDelivery.objects.order_by("pk")
    assert good1.processed_at is not None and good2.processed_at is not None
    assert InboundMessage.objects.filter(wamid__in=["wamid.bad-01", "wamid.bad-03"]).count() == 2
    # The bad one is recorded and freed for a retry, not left claimed.
    assert bad.processed_at is None and bad.attempts == 1 and bad.claimed_until is None
    assert bad.error.startswith(f"{inbound.FAILED} diproses: {type(error).__name__}")
    assert_storable(bad.error)
    assert inbound.state_of(bad).startswith("Dicoba lagi")

    # Retried with growing delays, then given up and kept, shown as failed.
    for attempt in range(2, inbound.MAX_DELIVERY_ATTEMPTS + 1):
        bad.refresh_from_db()
        assert inbound.drain(now=bad.next_attempt_at - dt.timedelta(seconds=1)) == 0
        assert inbound.drain(now=bad.next_attempt_at + dt.timedelta(seconds=1)) == 1
        bad.refresh_from_db()
        assert bad.attempts == attempt
    assert bad.processed_at is not None
    assert inbound.state_of(bad).startswith("Gagal")
    assert inbound.drain(now=dt.datetime.now(dt.UTC) + dt.timedelta(days=1)) == 0


# --- the intake layer stores what Meta signed, whatever it holds ------------------------


def test_a_deep_or_broken_body_is_stored_and_answered_200_when_signed(client, db, monkeypatch):
    """Meta retries whatever is not answered 200: a signed body is stored as it came by
    both the Django view and the WSGI layer in front of it, which never parse it."""
    monkeypatch.setattr(fastpath, "close_old_connections", lambda: None)
    app = fastpath.WebhookFastPath(lambda environ, start_response: [])
    bodies = [nested_array(DEEP), nested_object(DEEP), b"[" * DEEP, raw({"x": "\ud800"})]
    with httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://t") as web:
        for body in bodies:
            assert post(client, body).status_code == 200
            signed = {"X-Hub-Signature-256": signature.sign(body, SECRET)}
            assert web.post(URL, content=body, headers=signed).status_code == 200
            assert post(client, body, secret=None).status_code == 401
            assert web.post(URL, content=body).status_code == 401
    stored = [
        bytes(b) for b in WebhookDelivery.objects.order_by("pk").values_list("body", flat=True)
    ]
    assert stored == [body for body in bodies for _ in (1, 2)]


# --- the loader itself --------------------------------------------------------------------


def test_brackets_inside_strings_are_text_not_nesting():
    deep = nested_array(DEEP).decode()
    text = '{"a": ' + deep + ', "b": "[[[{{ \\"[[[", "c": "' + "[" * DEEP + '"}'
    body = parse.load(text.encode())
    assert body["b"] == '[[[{{ "[[[' and body["c"] == "[" * DEEP
    cut = body["a"]
    for _ in range(parse.MAX_DEPTH - 2):  # "a" sits one level down already
        (cut,) = cut
    assert cut == [parse.CUT]
    # A citizen's own brackets are kept whole when nothing else is deep.
    assert parse.load(json.dumps({"t": "[" * DEEP}).encode()) == {"t": "[" * DEEP}


def test_what_is_not_json_stays_not_json():
    for broken in (b"[" * DEEP, b"[" * DEEP + b"}" * DEEP, b'{"a": "' + b"[" * DEEP, b"]]"):
        with pytest.raises(ValueError):
            parse.load(broken)


def test_a_meta_payload_is_never_cut():
    deepest = load("multi_entry_multi_message.json")
    assert parse.storable(copy.deepcopy(deepest)) == deepest
    assert not any(isinstance(item, parse.Problem) for item in parse.parse(deepest))


# --- staff see it -------------------------------------------------------------------------


def test_the_superadmin_sees_failed_deliveries_but_never_their_bodies(client, db, handlers):
    citizen = from_citizen(6, text="saya saksi, jangan sebut nama saya")
    first_message(citizen)["extra"] = "DEEP"
    bodies = [
        raw(citizen).replace(b'"DEEP"', nested_array(DEEP)),
        nested_object(DEEP).replace(b"1", b'"6281350000006 Ahmad Fauzi"'),
        b"<html>bukan json 6281350000006</html>",
        raw(from_citizen(7, text="halo")),
    ]
    for body in bodies:
        assert post(client, body).status_code == 200
    inbound.drain()

    client.force_login(make_user("fajar", "superadmin"))
    page = client.get("/admin/whatsapp/webhookdelivery/").content.decode()
    assert page.count('field-state">Gagal (isi tetap disimpan)<') == 2
    assert page.count('field-state">Selesai, dengan catatan<') == 1
    assert page.count('field-state">Selesai<') == 1
    failed = client.get("/admin/whatsapp/webhookdelivery/?keadaan=gagal").content.decode()
    assert failed.count('field-state">Gagal') == 2 and 'field-state">Selesai' not in failed
    for delivery in WebhookDelivery.objects.all():
        detail = client.get(f"/admin/whatsapp/webhookdelivery/{delivery.pk}/change/")
        assert detail.status_code == 200
        shown = detail.content.decode()
        assert str(len(bytes(delivery.body))) in shown
        for secret in ("6281350000006", "Ahmad Fauzi", "jangan sebut", "6281350000007"):
            assert secret not in shown
    assert client.post(f"/admin/whatsapp/webhookdelivery/{delivery.pk}/delete/").status_code == 403

    client.force_login(make_user("alya", "admin"))
    assert client.get("/admin/whatsapp/webhookdelivery/").status_code == 302
