"""The Graph API emulator: every endpoint the service uses, Meta's limits, error shapes,
the 24-hour window, media, templates and injected failures."""

import copy
import datetime as dt
import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from lalisa.simulator import emulator, meta
from lalisa.simulator.models import (
    EmulatedContact,
    EmulatedMedia,
    EmulatedMessage,
    EmulatedTemplate,
    FailureRule,
)
from lalisa.whatsapp import graph

FIXTURES = Path(__file__).parent / "fixtures" / "whatsapp"
PNID = "106540352242922"
WABA = "102290129340398"
MESSAGES = f"/graph/v23.0/{PNID}/messages"
TOKEN = "test-access-token"
AHMAD = ("6281251234567", "ID.1410018717833190")
RIZKY = "ID.3920174635281947"


def load(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


@pytest.fixture
def api(graph_emulator, client):
    """Calls to the emulator as the service makes them (bearer token, JSON)."""

    class Api:
        def post(self, path, body, token=TOKEN):
            headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
            raw = body if isinstance(body, bytes) else json.dumps(body)
            return client.post(path, raw, content_type="application/json", **headers)

        def get(self, path, token=TOKEN, **params):
            headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
            return client.get(path, params, **headers)

        def send(self, body, token=TOKEN):
            return self.post(MESSAGES, body, token)

    return Api()


@pytest.fixture
def window():
    """Citizens who wrote a minute ago (the 24-hour window is open)."""
    emulator.open_window(wa_id=AHMAD[0], user_id=AHMAD[1], name="Ahmad Fauzi")
    emulator.open_window(wa_id="6282154321098", user_id="ID.2287364519028374", name="Siti")
    emulator.open_window(user_id=RIZKY, name="Muhammad Rizky")


@pytest.fixture
def templates(graph_emulator):
    for name in ("template_create_request.json", "template_create_request_named.json"):
        request = load(f"api/{name}")
        EmulatedTemplate.objects.create(
            template_id=meta.numeric_id(),
            waba_id=WABA,
            name=request["name"],
            language=request["language"],
            category=request["category"],
            components=request["components"],
            parameter_format=request.get("parameter_format", "positional"),
        )


@pytest.fixture
def image(graph_emulator):
    return EmulatedMedia.objects.create(
        media_id="1037543291543636",
        mime_type="image/jpeg",
        content=b"\xff\xd8\xff fake jpeg",
        sha256=meta.sha256_b64(b"\xff\xd8\xff fake jpeg"),
    )


def assert_meta_error(response, code, status=400, details=None):
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["code"] == code
    assert error["type"] == "OAuthException"
    assert error["fbtrace_id"]
    if code not in (190,):
        assert error["message"].startswith(f"(#{code}) ")
        assert error["error_data"]["messaging_product"] == "whatsapp"
        if details:
            assert details in error["error_data"]["details"], error["error_data"]["details"]
    return error


# --- switched off, token, ids -----------------------------------------------------------------


def test_everything_is_404_when_the_simulator_is_off(api, client, settings, window):
    settings.LALISA_SIMULATOR = False
    assert api.send(load("outbound/send_text.json")).status_code == 404
    assert api.get(f"/graph/v23.0/{WABA}/message_templates").status_code == 404
    assert api.get("/graph/v23.0/1037543291543636").status_code == 404
    assert (
        client.post("/graph/_control/failures", {}, content_type="application/json").status_code
        == 404
    )
    assert client.get("/simulator/").status_code == 404
    assert client.get("/simulator/api/chat", {"user_id": AHMAD[1]}).status_code == 404


@pytest.mark.parametrize("token", ["wrong-token", None])
def test_a_wrong_or_missing_token_is_refused_with_190(api, window, token):
    response = api.send(load("outbound/send_text.json"), token=token)
    error = assert_meta_error(response, 190, status=401)
    assert set(error) == {"message", "type", "code", "fbtrace_id"}
    assert not EmulatedMessage.objects.filter(direction="out").exists()


def test_another_phone_number_id_does_not_exist(api, window):
    response = api.post("/graph/v23.0/999999999/messages", load("outbound/send_text.json"))
    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["code"], error["error_subcode"]) == (100, 33)
    assert "Object with ID '999999999' does not exist" in error["message"]


def test_unknown_paths_answer_like_graph(api):
    response = api.get(f"/graph/v23.0/{PNID}/whatever")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == 2500


# --- sends ------------------------------------------------------------------------------------


SEND_FIXTURES = sorted(p.name for p in (FIXTURES / "outbound").glob("send_*.json"))


@pytest.mark.parametrize("name", SEND_FIXTURES)
def test_every_outbound_fixture_is_accepted(api, window, templates, image, name):
    body = load(f"outbound/{name}")
    response = api.send(body)
    assert response.status_code == 200, response.content
    data = response.json()
    assert set(data) == {"messaging_product", "contacts", "messages"}
    assert data["messages"][0]["id"].startswith("wamid.")
    sent = EmulatedMessage.objects.get(wamid=data["messages"][0]["id"])
    assert (sent.direction, sent.status, sent.payload) == ("out", "accepted", body)
    # Statuses follow from the worker: sent now, delivered a second later.
    queued = DBTaskResult.objects.filter(task_path="lalisa.simulator.tasks.emit_status")
    assert sorted(r.args_kwargs["args"][1] for r in queued) == ["delivered", "sent"]
    delivered = next(r for r in queued if r.args_kwargs["args"][1] == "delivered")
    assert delivered.run_after > timezone.now()


def test_a_send_to_a_phone_answers_with_wa_id(api, window):
    data = api.send(load("outbound/send_text.json")).json()
    expected = load("outbound/response_send_to_phone.json")
    assert data["contacts"] == [{"input": AHMAD[0], "wa_id": AHMAD[0]}]
    assert data.keys() == expected.keys()
    # The phone maps to the same chat as the BSUID the simulator uses for it.
    assert EmulatedMessage.objects.get(direction="out").chat == AHMAD[1]


def test_a_send_to_a_bsuid_answers_with_user_id_and_no_wa_id(api, window):
    data = api.send(load("outbound/send_text_to_bsuid.json")).json()
    assert data["contacts"] == load("outbound/response_send_to_bsuid.json")["contacts"]
    assert data["contacts"][0] == {"input": RIZKY, "user_id": RIZKY}


def test_when_to_and_recipient_are_both_given_to_wins(api, window):
    body = load("outbound/send_text.json")
    body["recipient"] = RIZKY
    data = api.send(body).json()
    assert data["contacts"] == [{"input": AHMAD[0], "wa_id": AHMAD[0]}]
    assert EmulatedMessage.objects.get(direction="out").chat == AHMAD[1]


def test_a_phone_with_a_plus_is_echoed_as_given(api, window):
    body = load("outbound/send_text.json")
    body["to"] = "+" + AHMAD[0]
    assert api.send(body).json()["contacts"] == [{"input": "+" + AHMAD[0], "wa_id": AHMAD[0]}]


def test_an_unknown_phone_gets_a_stable_chat(api):
    emulator.open_window(wa_id="6281399990000")
    body = load("outbound/send_text.json")
    body["to"] = "6281399990000"
    assert api.send(body).status_code == 200
    assert EmulatedMessage.objects.get(direction="out").chat == meta.bsuid_for_phone(
        "6281399990000"
    )


def test_a_phone_the_service_knows_lands_in_its_bsuid_chat(api):
    from lalisa.complaints.models import Reporter

    Reporter.objects.create(user_id="ID.9900000000000005", wa_id="6281300000105")
    emulator.open_window(user_id="ID.9900000000000005")
    body = _set(load("outbound/send_text.json"), ("to",), "6281300000105")
    assert api.send(body).status_code == 200
    assert EmulatedMessage.objects.get(direction="out").chat == "ID.9900000000000005"


def _set(body, path, value):
    target = body
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return body


def _many_rows(n):
    return [
        {"title": "Bagian", "rows": [{"id": f"r{i}", "title": f"Baris {i}"} for i in range(n)]}
    ]


LIMITS = [
    ("send_text.json", ("text", "body"), "x" * 4097, "text['body'] must be at most 4096"),
    ("send_text.json", ("text", "body"), "", "text['body'] must be at least 1"),
    (
        "send_reply_buttons.json",
        ("interactive", "action", "buttons"),
        [{"type": "reply", "reply": {"id": f"b{i}", "title": f"T{i}"}} for i in range(4)],
        "must have at most 3 items",
    ),
    (
        "send_reply_buttons.json",
        ("interactive", "action", "buttons", 0, "reply", "title"),
        "x" * 21,
        "['title'] must be at most 20",
    ),
    (
        "send_reply_buttons.json",
        ("interactive", "action", "buttons", 1, "reply", "title"),
        "Buat Aduan",
        "must be unique",
    ),
    (
        "send_reply_buttons.json",
        ("interactive", "action", "buttons", 0, "reply", "id"),
        "x" * 257,
        "['id'] must be at most 256",
    ),
    (
        "send_reply_buttons.json",
        ("interactive", "body", "text"),
        "x" * 1025,
        "interactive['body']['text'] must be at most 1024",
    ),
    (
        "send_reply_buttons.json",
        ("interactive", "header", "text"),
        "x" * 61,
        "interactive['header']['text'] must be at most 60",
    ),
    (
        "send_reply_buttons.json",
        ("interactive", "footer", "text"),
        "x" * 61,
        "interactive['footer']['text'] must be at most 60",
    ),
    (
        "send_list.json",
        ("interactive", "action", "sections"),
        [{"title": f"S{i}", "rows": [{"id": f"r{i}", "title": "Baris"}]} for i in range(11)],
        "must have at most 10 items",
    ),
    (
        "send_list.json",
        ("interactive", "action", "sections"),
        _many_rows(11),
        "at most 10 rows",
    ),
    (
        "send_list.json",
        ("interactive", "action", "sections", 0, "rows", 0, "title"),
        "x" * 25,
        "['title'] must be at most 24",
    ),
    (
        "send_list.json",
        ("interactive", "action", "sections", 0, "rows", 0, "description"),
        "x" * 73,
        "['description'] must be at most 72",
    ),
    (
        "send_list.json",
        ("interactive", "action", "sections", 0, "rows", 0, "id"),
        "x" * 201,
        "['id'] must be at most 200",
    ),
    (
        "send_list.json",
        ("interactive", "action", "button"),
        "x" * 21,
        "['button'] must be at most 20",
    ),
    (
        "send_list.json",
        ("interactive", "action", "sections", 0, "title"),
        "x" * 25,
        "['title'] must be at most 24",
    ),
    (
        "send_list.json",
        ("interactive", "body", "text"),
        "x" * 4097,
        "interactive['body']['text'] must be at most 4096",
    ),
    (
        "send_list.json",
        ("interactive", "header", "text"),
        "x" * 61,
        "interactive['header']['text'] must be at most 60",
    ),
    (
        "send_location_request.json",
        ("interactive", "body", "text"),
        "x" * 1025,
        "must be at most 1024",
    ),
    (
        "send_image_by_id.json",
        ("image", "caption"),
        "x" * 1025,
        "['caption'] must be at most 1024",
    ),
    ("send_image_by_id.json", ("image", "id"), "4040404040404040", "not a valid media id"),
    ("send_image_by_link.json", ("image", "id"), "1037543291543636", "exactly one of"),
    ("send_text.json", ("messaging_product",), "sms", "messaging_product must be 'whatsapp'"),
    ("send_text.json", ("type",), "carrier_pigeon", "Param type must be one of"),
    ("send_text.json", ("to",), "not-a-phone", "Param to must be a phone number"),
    ("send_text_to_bsuid.json", ("recipient",), "3920174635281947", "business-scoped user id"),
    ("send_text.json", ("text", "colour"), "red", 'Unexpected key "colour"'),
]


@pytest.mark.parametrize(("name", "path", "value", "details"), LIMITS)
def test_each_limit_is_enforced_with_code_100(api, window, image, name, path, value, details):
    body = _set(load(f"outbound/{name}"), path, value)
    assert_meta_error(api.send(body), 100, details=details)
    assert not EmulatedMessage.objects.filter(direction="out").exists()


def test_a_list_body_may_be_longer_than_a_button_body(api, window):
    body = _set(load("outbound/send_list.json"), ("interactive", "body", "text"), "x" * 4096)
    assert api.send(body).status_code == 200


def test_a_limit_error_has_exactly_meta_shape(api, window):
    body = _set(load("outbound/send_text.json"), ("text", "body"), "x" * 4097)
    error = api.send(body).json()
    expected = load("api/error_100.json")
    assert error.keys() == expected.keys()
    assert error["error"].keys() == expected["error"].keys()
    assert error["error"]["message"] == expected["error"]["message"]
    assert error["error"]["error_data"] == expected["error"]["error_data"]


@pytest.mark.parametrize(
    "missing", [("messaging_product",), ("to",), ("text",)], ids=lambda p: p[0]
)
def test_a_missing_parameter_is_code_100(api, window, missing):
    body = load("outbound/send_text.json")
    del body[missing[0]]
    assert_meta_error(api.send(body), 100, details="is required")


def test_a_body_that_is_not_json_is_code_100(api, window):
    assert_meta_error(api.send(b"{nope"), 100, details="not valid JSON")


# --- templates in sends -----------------------------------------------------------------------


def test_an_unknown_template_is_132001(api, window, templates):
    body = _set(load("outbound/send_template_positional.json"), ("template", "name"), "tidak_ada")
    assert_meta_error(api.send(body), 132001, status=404, details="tidak_ada")


def test_a_template_not_yet_approved_cannot_be_sent(api, window, templates):
    EmulatedTemplate.objects.update(status="PENDING")
    assert_meta_error(api.send(load("outbound/send_template_positional.json")), 132001, 404)


def test_a_template_in_another_language_is_132001(api, window, templates):
    body = _set(
        load("outbound/send_template_positional.json"), ("template", "language"), {"code": "en"}
    )
    assert_meta_error(api.send(body), 132001, 404)


def test_the_wrong_number_of_body_parameters_is_132000(api, window, templates):
    body = load("outbound/send_template_positional.json")
    body["template"]["components"][0]["parameters"].pop()
    assert_meta_error(api.send(body), 132000, details="expects 3 body parameters, 2 given")


def test_named_parameters_must_match_the_names(api, window, templates):
    body = load("outbound/send_template_named.json")
    body["template"]["components"][0]["parameters"][0]["parameter_name"] = "nama_lengkap"
    assert_meta_error(api.send(body), 132000, details="nama, nomor_aduan, status")


# --- the 24-hour window -----------------------------------------------------------------------


def test_outside_the_window_a_free_form_message_is_131047(api):
    response = api.send(load("outbound/send_text.json"))
    error = assert_meta_error(response, 131047)
    expected = load("api/error_131047.json")["error"]
    assert error.keys() == expected.keys()
    assert (error["message"], error["error_data"]) == (expected["message"], expected["error_data"])
    assert not EmulatedMessage.objects.exists()


def test_the_window_closes_24_hours_after_the_last_inbound_message(api):
    emulator.open_window(
        wa_id=AHMAD[0], user_id=AHMAD[1], at=timezone.now() - dt.timedelta(hours=24, minutes=1)
    )
    assert_meta_error(api.send(load("outbound/send_text.json")), 131047)
    emulator.open_window(
        wa_id=AHMAD[0], user_id=AHMAD[1], at=timezone.now() - dt.timedelta(hours=23, minutes=59)
    )
    assert api.send(load("outbound/send_text.json")).status_code == 200


def test_a_bsuid_chat_has_its_own_window(api, window):
    body = _set(load("outbound/send_text_to_bsuid.json"), ("recipient",), "ID.1111111111111111")
    assert_meta_error(api.send(body), 131047)


def test_a_template_may_be_sent_outside_the_window(api, templates):
    assert api.send(load("outbound/send_template_positional.json")).status_code == 200


# --- mark as read -----------------------------------------------------------------------------


def test_mark_as_read_turns_the_message_and_earlier_ones_blue(api, graph_emulator):
    first = emulator.open_window(wa_id=AHMAD[0], user_id=AHMAD[1])
    second = emulator.open_window(wa_id=AHMAD[0], user_id=AHMAD[1])
    later = emulator.open_window(wa_id=AHMAD[0], user_id=AHMAD[1])
    body = load("outbound/mark_read_typing.json")
    body["message_id"] = second.wamid
    response = api.send(body)
    assert response.status_code == 200
    assert response.json() == load("outbound/response_mark_read.json")
    statuses = dict(EmulatedMessage.objects.values_list("wamid", "status"))
    assert statuses == {first.wamid: "read", second.wamid: "read", later.wamid: "delivered"}
    contact = EmulatedContact.objects.get(user_id=AHMAD[1])
    assert contact.typing_until > timezone.now()
    # Nothing was sent, so no statuses are due.
    assert not DBTaskResult.objects.exists()


def test_mark_as_read_of_an_unknown_message_is_accepted(api, graph_emulator):
    assert api.send(load("outbound/mark_read_typing.json")).json() == {"success": True}


def test_a_reply_ends_the_typing_indicator(api, window):
    message = EmulatedMessage.objects.filter(chat=AHMAD[1]).first()
    api.send({**load("outbound/mark_read_typing.json"), "message_id": message.wamid})
    api.send(load("outbound/send_text.json"))
    assert EmulatedContact.objects.get(user_id=AHMAD[1]).typing_until is None


# --- media ------------------------------------------------------------------------------------


def _upload(client, content=b"\x89PNG\r\n\x1a\n fake png", mime="image/png", token=TOKEN):
    return client.post(
        f"/graph/v23.0/{PNID}/media",
        {
            "messaging_product": "whatsapp",
            "type": mime,
            "file": SimpleUploadedFile("bukti.png", content, content_type=mime),
        },
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


def test_upload_get_and_download_media(api, client, graph_emulator):
    content = b"\x89PNG\r\n\x1a\n fake png"
    response = _upload(client, content)
    assert response.status_code == 200
    assert response.json().keys() == load("api/media_upload_response.json").keys()
    media_id = response.json()["id"]

    info = api.get(f"/graph/v23.0/{media_id}")
    assert info.status_code == 200
    data = info.json()
    assert data.keys() == load("api/media_get_response.json").keys()
    assert data["id"] == media_id
    assert data["mime_type"] == "image/png"
    assert data["sha256"] == meta.sha256_b64(content)
    assert data["file_size"] == str(len(content))
    assert data["url"].startswith("http://testserver/graph/_media/")

    download = api.get(data["url"].removeprefix("http://testserver"))
    assert download.status_code == 200
    assert download["Content-Type"] == "image/png"
    assert download.content == content

    assert_meta_error(api.get(data["url"].removeprefix("http://testserver"), token=None), 190, 401)
    assert_meta_error(api.get(data["url"].removeprefix("http://testserver"), token="x"), 190, 401)


def test_the_graph_client_downloads_through_the_emulator(graph_emulator):
    media = emulator.store_media(b"\xff\xd8\xff foto", "image/jpeg")
    info = graph.call("GET", media.media_id)
    response = graph.call("GET", "", absolute_url=info["url"], raw=True)
    assert response.content == b"\xff\xd8\xff foto"


def test_a_tampered_or_expired_media_url_is_404(api, graph_emulator):
    media = emulator.store_media(b"data", "image/jpeg")
    url = api.get(f"/graph/v23.0/{media.media_id}").json()["url"].removeprefix("http://testserver")
    assert api.get(url.replace("hash=", "hash=0")).status_code == 404
    expired = int(timezone.now().timestamp()) - 1
    stale = emulator._url_hash(media.media_id, expired)
    path = f"/graph/_media/{media.media_id}?mid={media.media_id}&ext={expired}&hash={stale}"
    assert api.get(path).status_code == 404


def test_an_unknown_media_id_does_not_exist(api, graph_emulator):
    error = api.get("/graph/v23.0/5550001112223334").json()["error"]
    assert (error["code"], error["error_subcode"]) == (100, 33)


def test_media_of_another_phone_number_is_refused(api, graph_emulator):
    media = emulator.store_media(b"data", "image/jpeg")
    response = api.get(f"/graph/v23.0/{media.media_id}", phone_number_id="123")
    assert_meta_error(response, 100, details="does not belong")


def test_an_upload_of_an_unsupported_type_is_code_100(client, graph_emulator):
    assert_meta_error(_upload(client, b"MZ", "application/x-msdownload"), 100, details="supported")


def test_an_upload_needs_the_token(client, graph_emulator):
    assert_meta_error(_upload(client, token="nope"), 190, 401)


def test_an_uploaded_image_can_be_sent(api, client, window):
    media_id = _upload(client, b"\xff\xd8\xff", "image/jpeg").json()["id"]
    body = _set(load("outbound/send_image_by_id.json"), ("image", "id"), media_id)
    assert api.send(body).status_code == 200


# --- templates --------------------------------------------------------------------------------


TEMPLATES = f"/graph/v23.0/{WABA}/message_templates"


@pytest.mark.parametrize(
    "name", ["template_create_request.json", "template_create_request_named.json"]
)
def test_creating_a_template_approves_it_and_announces_it(api, name):
    request = load(f"api/{name}")
    response = api.post(TEMPLATES, request)
    assert response.status_code == 200, response.content
    data = response.json()
    assert data.keys() == load("api/template_create_response.json").keys()
    assert (data["status"], data["category"]) == ("APPROVED", "UTILITY")
    template = EmulatedTemplate.objects.get(template_id=data["id"])
    assert (template.name, template.language, template.status) == (
        request["name"],
        "id",
        "APPROVED",
    )
    task = DBTaskResult.objects.get(task_path="lalisa.simulator.tasks.emit_template_status")
    assert task.args_kwargs["args"] == [data["id"], "APPROVED"]


def test_listing_templates_by_name(api):
    api.post(TEMPLATES, load("api/template_create_request.json"))
    api.post(TEMPLATES, load("api/template_create_request_named.json"))
    data = api.get(TEMPLATES, name="lalisa_status_aduan").json()["data"]
    assert [(t["name"], t["status"], t["language"]) for t in data] == [
        ("lalisa_status_aduan", "APPROVED", "id")
    ]
    assert data[0]["components"] == load("api/template_create_request.json")["components"]
    assert len(api.get(TEMPLATES).json()["data"]) == 2
    assert api.get(TEMPLATES, name="tidak_ada").json()["data"] == []


def test_a_created_template_can_be_sent(api):
    api.post(TEMPLATES, load("api/template_create_request.json"))
    assert api.send(load("outbound/send_template_positional.json")).status_code == 200


def test_the_same_name_and_language_twice_is_refused(api):
    api.post(TEMPLATES, load("api/template_create_request.json"))
    error = assert_meta_error(api.post(TEMPLATES, load("api/template_create_request.json")), 100)
    assert error["error_subcode"] == 2388024


TEMPLATE_ERRORS = [
    (("name",), "Lalisa Status", "lowercase letters"),
    (("name",), "x" * 513, "at most 512"),
    (("language",), "bahasa indonesia", "language code"),
    (("category",), "PROMO", "category must be one of"),
    (("components",), [], "components is required"),
    (("components", 0, "text"), "x" * 1025, "at most 1024"),
    (("components", 0, "example"), {}, "example row of 3 values"),
    (("components", 0, "text"), "Halo {{1}}, aduan {{3}}", "{{1}}, {{2}}"),
    (("components", 0, "text"), "Halo {{nama}}", "not positional"),
]


@pytest.mark.parametrize(("path", "value", "details"), TEMPLATE_ERRORS)
def test_template_submissions_are_checked(api, path, value, details):
    body = _set(load("api/template_create_request.json"), path, value)
    assert_meta_error(api.post(TEMPLATES, body), 100, details=details)
    assert not EmulatedTemplate.objects.exists()


def test_named_templates_need_an_example_per_name(api):
    body = load("api/template_create_request_named.json")
    body["components"][0]["example"]["body_text_named_params"].pop()
    assert_meta_error(api.post(TEMPLATES, body), 100, details="nama, nomor_aduan, status")


def test_templates_of_another_waba_do_not_exist(api):
    response = api.post(
        "/graph/v23.0/999/message_templates", load("api/template_create_request.json")
    )
    assert response.json()["error"]["error_subcode"] == 33


# --- injected failures ------------------------------------------------------------------------


def test_failure_rules_are_consumed_in_order(api, window):
    FailureRule.objects.create(path_contains="/messages", http_status=500, remaining=1)
    FailureRule.objects.create(
        path_contains="/messages", http_status=429, error_code=130429, remaining=2
    )
    FailureRule.objects.create(path_contains="/media", http_status=500, remaining=5)
    body = load("outbound/send_text.json")

    error = assert_meta_error(api.send(body), 1, status=500)
    assert error["message"] == "(#1) An unknown error occurred"
    assert_meta_error(api.send(body), 130429, status=429, details="throughput")
    assert_meta_error(api.send(body), 130429, status=429)
    assert api.send(body).status_code == 200
    assert list(FailureRule.objects.values_list("remaining", flat=True)) == [0, 0, 5]


@pytest.mark.parametrize(
    ("status", "code", "error_file"),
    [
        (400, 131047, "error_131047.json"),
        (400, 131056, "error_131056.json"),
        (429, 130429, "error_130429.json"),
    ],
)
def test_injected_errors_have_meta_shape(api, window, status, code, error_file):
    FailureRule.objects.create(http_status=status, error_code=code)
    error = assert_meta_error(api.send(load("outbound/send_text.json")), code, status=status)
    expected = load(f"api/{error_file}")["error"]
    assert error["message"] == expected["message"]
    assert error["error_data"] == expected["error_data"]


def test_a_rule_with_200_accepts_then_reports_failed(api, window):
    FailureRule.objects.create(http_status=200, error_code=131026)
    assert api.send(load("outbound/send_text.json")).status_code == 200
    task = DBTaskResult.objects.get(task_path="lalisa.simulator.tasks.emit_status")
    assert task.args_kwargs["args"][1:] == ["failed", 131026]


def test_failure_rules_through_the_control_endpoint(api, client, window):
    url = "/graph/_control/failures"
    rule = {"path_contains": "/messages", "http_status": 503, "error_code": 2, "remaining": 1}
    created = client.post(url, rule, content_type="application/json")
    assert created.status_code == 201
    assert created.json()["remaining"] == 1
    assert client.get(url).json()["data"][0]["error_code"] == 2
    assert (
        client.post(url, "x=1", content_type="application/x-www-form-urlencoded").status_code
        == 415
    )
    assert_meta_error(api.send(load("outbound/send_text.json")), 2, status=503)

    client.post(url, rule, content_type="application/json")
    assert client.delete(url).json() == {"success": True}
    assert not FailureRule.objects.exists()
    assert api.send(load("outbound/send_text.json")).status_code == 200


# --- the service's own client, in process -----------------------------------------------------


def test_the_graph_client_reaches_the_emulator(graph_emulator, window):
    data = graph.call("POST", f"{PNID}/messages", json_body=load("outbound/send_text.json"))
    assert data["contacts"] == [{"input": AHMAD[0], "wa_id": AHMAD[0]}]
    with pytest.raises(graph.GraphError) as caught:
        body = copy.deepcopy(load("outbound/send_text.json"))
        body["text"]["body"] = "x" * 5000
        graph.call("POST", f"{PNID}/messages", json_body=body)
    assert (caught.value.code, caught.value.permanent) == (100, True)
    FailureRule.objects.create(http_status=500)
    with pytest.raises(graph.GraphError) as caught:
        graph.call("POST", f"{PNID}/messages", json_body=load("outbound/send_text.json"))
    assert (caught.value.status, caught.value.permanent) == (500, False)
