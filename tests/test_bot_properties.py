"""Any messages, of any type, in any order, from several citizens at once: the bot never
fails, never leaves a half-made complaint, answers every message that asks for one, and
every answer passes Meta's checks (the emulator's own)."""

import itertools
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lalisa.complaints import workflow
from lalisa.complaints.models import Complaint, Confidentiality, Status
from lalisa.notifications.models import Notification
from lalisa.simulator import limits
from lalisa.whatsapp import client as wa_client
from lalisa.whatsapp import inbound, signature
from lalisa.whatsapp.models import InboundMessage, OutboundMessage

SECRET = "test-app-secret"
PEOPLE = [
    {"name": "Ahmad", "wa_id": "6281251230001", "user_id": "ID.7000000000000001"},
    {"name": "Rina", "wa_id": "", "user_id": "ID.7000000000000002"},  # no number shared
    {"name": "Joko", "wa_id": "6281251230003", "user_id": "ID.7000000000000003"},
]
WORDS = [
    "halo",
    "p",
    "P min",
    "assalamualaikum",
    "selamat malam min",
    "menu",
    "batal",
    "kembali",
    "lanjut",
    "lapor",
    "sy mau lapor",
    "aduan baru",
    "cek status",
    "info",
    "lewati",
    "kirim",
    "ubah",
    "anonim",
    "rahasia",
    "biasa",
    "terima kasih",
    "ok",
    "1",
    "5",
    "⭐⭐⭐⭐",
    "LL-2611-0001",
    "ll 2611 0002",
    "Paringin",
    "depan pasar Juai",
    "ada PKL jualan di trotoar depan pasar Paringin, tlg ditertibkan",
    "musik keras tiap malam sampai subuh di desa Batu Piring",
    "kebakaran di belakang rumah!",
    "tawuran bawa parang",
    "Kebisingan",
    "PKL di tempat terlarang",
    "",
]
GARBAGE_IDS = [
    "cat:pkl",
    "cat:tidak-ada",
    "cat:more:7",
    "kec:999999",
    "id:biasa",
    "id:palsu",
    "sum:send",
    "sum:cancel",
    "chg:location",
    "skip",
    "near:join:1",
    "near:new",
    "rate:1:5",
    "rate:x:y",
    "status:LL-2611-0001",
    "menu:report",
    "menu:nothing",
    "???",
]
SILENT = {"reaction", "system"}
# Message ids unique across examples (the database keeps what earlier examples stored).
SERIAL = itertools.count(1)

step = st.one_of(
    st.tuples(st.just("text"), st.sampled_from(WORDS) | st.text(max_size=60)),
    st.tuples(st.just("tap"), st.integers(0, 60)),
    st.tuples(st.just("garbage_tap"), st.sampled_from(GARBAGE_IDS)),
    st.tuples(
        st.just("location"),
        st.tuples(st.floats(-2.6, -2.0), st.floats(115.2, 115.8))
        | st.tuples(st.floats(-90, 90), st.floats(-180, 180)),
    ),
    st.tuples(st.sampled_from(["image", "video", "document"]), st.sampled_from(["", "foto"])),
    st.tuples(
        st.sampled_from(["audio", "sticker", "reaction", "unsupported", "contacts"]), st.none()
    ),
    st.tuples(st.just("staff"), st.sampled_from(["verify", "request_info", "reject"])),
    # A whole complaint, told quickly, amid everything else.
    st.tuples(st.just("whole"), st.sampled_from(["anonim", "rahasia", "biasa"])),
)
WHOLE = [
    ("text", "ada PKL jualan di trotoar depan pasar Paringin, tlg ditertibkan"),
    ("text", "lewati"),
    ("text", "lewati"),
    ("text", None),
    ("text", "kirim"),
]


class Phone:
    def __init__(self, client_):
        self.client = client_
        self.n = 0

    def post(self, person: dict, message: dict) -> InboundMessage | None:
        self.n = next(SERIAL)
        message = {
            "from_user_id": person["user_id"],
            "id": f"wamid.prop{self.n:06d}{person['user_id'][-4:]}",
            "timestamp": str(1_781_000_000 + self.n),
            **message,
        }
        if person["wa_id"]:
            message["from"] = person["wa_id"]
        contact = {"profile": {"name": person["name"]}, "user_id": person["user_id"]}
        if person["wa_id"]:
            contact["wa_id"] = person["wa_id"]
        body = {
            "object": "whatsapp_business_account",
            "entry": [
                {
                    "id": "102290129340398",
                    "changes": [
                        {
                            "field": "messages",
                            "value": {
                                "messaging_product": "whatsapp",
                                "metadata": {
                                    "display_phone_number": "6285100001111",
                                    "phone_number_id": "106540352242922",
                                },
                                "contacts": [contact],
                                "messages": [message],
                            },
                        }
                    ],
                }
            ],
        }
        raw = json.dumps(body).encode()
        answer = self.client.post(
            "/webhooks/whatsapp",
            data=raw,
            content_type="application/json",
            HTTP_X_HUB_SIGNATURE_256=signature.sign(raw, SECRET),
        )
        assert answer.status_code == 200
        while inbound.drain():
            pass
        return InboundMessage.objects.filter(wamid=message["id"]).first()


def offered_ids(person: dict) -> list[tuple[str, str, str]]:
    """(id, title, wamid-less kind) of the buttons and rows sent to this person lately."""
    rows = OutboundMessage.objects.filter(to_user_id=person["user_id"]) | (
        OutboundMessage.objects.filter(to_phone=person["wa_id"])
        if person["wa_id"]
        else OutboundMessage.objects.none()
    )
    found = []
    for payload in rows.order_by("-pk").values_list("payload", flat=True)[:6]:
        action = (payload.get("interactive") or {}).get("action") or {}
        for b in action.get("buttons", []):
            found.append((b["reply"]["id"], b["reply"]["title"], "button_reply"))
        for section in action.get("sections", []):
            for r in section["rows"]:
                found.append((r["id"], r["title"], "list_reply"))
    return found


def message_for(kind: str, value, person: dict, n: int) -> dict | None:
    if kind == "text":
        return {"type": "text", "text": {"body": value}} if value.strip() else None
    if kind in ("tap", "garbage_tap"):
        choices = offered_ids(person) if kind == "tap" else [(value, value[:20], "list_reply")]
        if not choices:
            return None
        reply_id, title, sub = choices[value % len(choices)] if kind == "tap" else choices[0]
        return {
            "type": "interactive",
            "interactive": {"type": sub, sub: {"id": reply_id, "title": title}},
        }
    if kind == "location":
        return {"type": "location", "location": {"latitude": value[0], "longitude": value[1]}}
    if kind in ("image", "video", "document", "audio", "sticker"):
        media = {"id": f"{900000 + n}", "mime_type": "image/jpeg", "sha256": "x"}
        if value:
            media["caption"] = value
        return {"type": kind, kind: media}
    if kind == "reaction":
        return {"type": "reaction", "reaction": {"message_id": "wamid.unknown", "emoji": "👍"}}
    if kind == "unsupported":
        return {"type": "unsupported", "errors": [{"code": 131051, "title": "unsupported"}]}
    if kind == "contacts":
        return {"type": "contacts", "contacts": [{"name": {"formatted_name": "Pak RT"}}]}
    return None


def staff_step(action: str, admin) -> None:
    complaint = Complaint.objects.filter(status=Status.RECEIVED).order_by("?").first()
    if complaint is None:
        return
    if action == "verify":
        workflow.verify(complaint, actor=admin)
    elif action == "request_info":
        workflow.request_info(complaint, actor=admin, question="Di sebelah mana tepatnya?")
    else:
        workflow.reject(complaint, actor=admin, reason="Bukan kewenangan kami.")


def answers_to(message: InboundMessage, notes_before: int) -> int:
    replies = OutboundMessage.objects.filter(in_reply_to=message).count()
    if message.reporter_id is None:
        return replies
    notes = Notification.objects.filter(to_reporter_id=message.reporter_id).count()
    return replies + notes - notes_before


def check_complaints_whole() -> None:
    for c in Complaint.objects.select_related("category"):
        assert c.code.startswith("LL-") and c.category_id and c.description.strip()
        assert c.reporter_id is not None
        assert c.confidentiality in Confidentiality.values
        assert c.lat is not None or c.kecamatan_id is not None
        assert c.events.filter(kind="file").count() == 1


@pytest.mark.django_db
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(st.tuples(st.integers(0, len(PEOPLE) - 1), step), max_size=16))
def test_any_sequence_is_answered_and_leaves_only_whole_complaints(steps, client, settings, admin):
    settings.WHATSAPP_APP_SECRET = SECRET
    phone = Phone(client)
    expanded = []
    for who, (kind, value) in steps:
        if kind == "whole":
            expanded += [(who, (k, v or value)) for k, v in WHOLE]
        else:
            expanded.append((who, (kind, value)))
    for who, (kind, value) in expanded:
        person = PEOPLE[who]
        if kind == "staff":
            staff_step(value, admin)
            continue
        message = message_for(kind, value, person, phone.n)
        if message is None:
            continue
        reporter_notes = Notification.objects.filter(
            to_reporter__user_id=person["user_id"]
        ).count()
        stored = phone.post(person, message)
        assert stored is not None, "the message was not stored"
        assert stored.handled_at is not None
        assert "Bot:" not in stored.handle_error, stored.handle_error
        if message["type"] not in SILENT:
            assert answers_to(stored, reporter_notes) > 0, (kind, value)
        else:
            assert not OutboundMessage.objects.filter(in_reply_to=stored).exists()
        for out in OutboundMessage.objects.filter(in_reply_to=stored):
            # What the emulator (and Meta) would refuse never leaves.
            limits.check_send(wa_client.request_body(out))
        check_complaints_whole()
