"""Outbound WhatsApp: message builders within Meta's limits, the client, the background
sender (retries, the 131047 template fallback, ordering, idempotence) and the channel.

Sends go to the project's Graph API emulator, in process (`graph_emulator`): it checks the
token and Meta's limits, keeps the 24-hour window, and fails on request (FailureRule).
"""

import datetime as dt
import json
from pathlib import Path
from unittest import mock

import httpx
import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from hypothesis import given
from hypothesis import strategies as st

from lalisa.complaints import workflow
from lalisa.complaints.models import Reporter
from lalisa.notifications.models import Notification
from lalisa.notifications.tasks import deliver_notification
from lalisa.simulator import emulator
from lalisa.simulator.models import FailureRule
from lalisa.whatsapp import channel, client, graph, messages, sender, templates
from lalisa.whatsapp.models import ApiCall, MessageTemplate, OutboundMessage
from lalisa.worker.management.commands import db_worker

FIXTURES = Path(__file__).parent / "fixtures" / "whatsapp"
PHONE = "6281311112222"
BSUID = "ID.1410018717833190"
State = OutboundMessage.State

pytestmark = pytest.mark.django_db


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


# --- the emulator ---------------------------------------------------------------------


class TimeoutOnce(httpx.BaseTransport):
    """Times out the next `count` calls, then passes them on (a send that never answered)."""

    def __init__(self, inner: httpx.BaseTransport, count: int = 1):
        self.inner, self.count = inner, count

    def handle_request(self, request):
        if self.count > 0:
            self.count -= 1
            raise httpx.ReadTimeout("timed out", request=request)
        return self.inner.handle_request(request)


class Meta:
    """What a test asks of the Graph API emulator."""

    def __init__(self, transport: httpx.BaseTransport):
        self.transport = transport

    def fail(self, http_status=500, error_code=None, remaining=1, path_contains="/messages"):
        FailureRule.objects.create(
            path_contains=path_contains,
            http_status=http_status,
            error_code=error_code,
            remaining=remaining,
        )

    def open_window(self, phone="", user_id="", at=None):
        """The person wrote to the service at `at` (default now)."""
        emulator.open_window(wa_id=phone, user_id=user_id, at=at)

    def time_out(self, count=1):
        graph.use_transport(TimeoutOnce(self.transport, count))

    def sent(self) -> list[dict]:
        """Request bodies of the sends Meta accepted, in order."""
        calls = ApiCall.objects.filter(url__endswith="/messages", status_code=200).order_by("pk")
        return [json.loads(c.request_body) for c in calls]


@pytest.fixture
def meta(graph_emulator, monkeypatch):
    # Retries are spread by a random fraction; the tests want exact times.
    monkeypatch.setattr(sender.random, "uniform", lambda a, b: 0)
    return Meta(graph._transport)


class Clock:
    def __init__(self):
        self.now = timezone.now()

    def __call__(self):
        return self.now

    def advance(self, **delta):
        self.now += dt.timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    """Time that moves only when told (everything reading django.utils.timezone.now)."""
    clock = Clock()
    monkeypatch.setattr(timezone, "now", clock)
    return clock


def run_sends():
    """Run the due notification and send tasks, as the worker would, and nothing else (the
    emulator's status webhooks are the inbound side's business; `run_worker` runs all)."""
    paths = [sender.send_outbound.module_path, deliver_notification.module_path]
    while True:
        due = DBTaskResult.objects.ready().filter(task_path__in=paths)
        row = due.order_by("-priority", "run_after", "enqueued_at").first()
        if row is None:
            return
        row.claim("test")
        args = row.args_kwargs
        row.set_successful(row.task.call(*args["args"], **args["kwargs"]))


def run_worker():
    """`lalisa db_worker --batch`: runs every task that is due, then returns."""
    # As in test_worker: the worker must not close the test's connection.
    with mock.patch.object(db_worker, "close_old_connections", lambda: None):
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


def queued_sends(outbound_id=None):
    tasks = DBTaskResult.objects.filter(
        task_path=sender.send_outbound.module_path, status="READY"
    ).order_by("run_after", "enqueued_at")
    if outbound_id is not None:
        tasks = [t for t in tasks if t.args_kwargs["args"][0] == outbound_id]
    return list(tasks)


def outbound(payload=None, *, to_phone=PHONE, to_user_id="", **fields) -> OutboundMessage:
    return OutboundMessage.objects.create(
        to_phone=to_phone,
        to_user_id=to_user_id,
        kind=fields.pop("kind", "test"),
        payload=payload or messages.text("Halo dari LA-LISA")[0],
        **fields,
    )


# --- builders: Meta's limits by construction ----------------------------------------------


class TestBuilders:
    def test_text_fits_in_one_message(self):
        assert messages.text("Halo") == [
            {"type": "text", "text": {"preview_url": False, "body": "Halo"}}
        ]

    def test_long_text_is_split_at_paragraphs(self):
        paragraphs = [f"Paragraf {n}. " + "kata " * 180 for n in range(6)]  # ~1 000 each
        text = "\n\n".join(p.strip() for p in paragraphs)
        assert len(text) > 5000
        parts = messages.text(text)
        assert len(parts) == 2
        bodies = [p["text"]["body"] for p in parts]
        assert all(len(b) <= 4096 for b in bodies)
        assert bodies[1].startswith("Paragraf 4.")  # cut between paragraphs
        assert "\n\n".join(bodies) == text

    def test_text_without_breaks_is_split_at_sentences_then_words(self):
        sentence = "Ini kalimat yang cukup panjang untuk uji. "
        bodies = [p["text"]["body"] for p in messages.text(sentence * 130)]
        assert [len(b) <= 4096 for b in bodies] == [True, True]
        assert bodies[0].endswith("uji.")
        words = "kata " * 1000
        assert all(b["text"]["body"].endswith("kata") for b in messages.text(words))

    def test_four_buttons_become_a_list(self):
        choices = [(f"menu:{n}", f"Pilihan {n}") for n in range(4)]
        msg = messages.buttons("Pilih menu:", choices, header="LA-LISA")
        assert msg["interactive"]["type"] == "list"
        rows = msg["interactive"]["action"]["sections"][0]["rows"]
        assert [r["id"] for r in rows] == [c[0] for c in choices]

    def test_long_button_titles_are_shortened_and_stay_unique(self):
        titles = ["Laporkan kejadian di jalan raya", "Laporkan kejadian di pasar induk", "Bantuan"]
        msg = messages.buttons("Pilih:", [(f"b{n}", t) for n, t in enumerate(titles)])
        got = [b["reply"]["title"] for b in msg["interactive"]["action"]["buttons"]]
        assert all(len(t) <= 20 for t in got)
        assert len(set(got)) == 3
        assert got[0] == "Laporkan kejadian d…"
        assert got[2] == "Bantuan"

    def test_same_titles_are_numbered(self):
        msg = messages.buttons("Pilih:", [("a", "Ya"), ("b", "ya"), ("c", "Ya")])
        got = [b["reply"]["title"] for b in msg["interactive"]["action"]["buttons"]]
        assert got == ["Ya", "ya (2)", "Ya (3)"]

    def test_long_interactive_body_header_footer_are_shortened(self):
        msg = messages.buttons("x" * 1500, [("a", "A")], header="h" * 80, footer="f" * 80)
        interactive = msg["interactive"]
        assert len(interactive["body"]["text"]) == 1024
        assert interactive["body"]["text"].endswith("…")
        assert len(interactive["header"]["text"]) == 60
        assert len(interactive["footer"]["text"]) == 60

    def test_twelve_rows_become_ten(self):
        rows = [(f"kategori:{n}", f"Kategori nomor {n}") for n in range(12)]
        msg = messages.list_message("Pilih kategori", "Pilih kategori", rows=rows)
        got = msg["interactive"]["action"]["sections"][0]["rows"]
        assert [r["id"] for r in got] == [f"kategori:{n}" for n in range(10)]

    def test_twelve_rows_with_a_more_row(self):
        sections = [
            ("Ketertiban Umum", [(f"a{n}", f"Baris {n}", "d" * 100) for n in range(6)]),
            (
                "Ketenteraman dan ketertiban masyarakat",
                [(f"b{n}", f"Baris {n}") for n in range(6)],
            ),
        ]
        msg = messages.list_message("Pilih", "Pilihan kategori aduan", sections, more_id="more:2")
        action = msg["interactive"]["action"]
        rows = [r for s in action["sections"] for r in s["rows"]]
        assert len(rows) == 10
        assert rows[-1] == {
            "id": "more:2",
            "title": messages.MORE_TITLE,
            "description": messages.MORE_DESCRIPTION,
        }
        assert all(len(r.get("description", "")) <= 72 for r in rows)
        assert len(action["button"]) <= 20
        assert all(len(s["title"]) <= 24 for s in action["sections"])
        # Titles repeat across sections ("Baris 0"): made distinct.
        titles = [r["title"] for r in rows]
        assert len(set(titles)) == len(titles)

    def test_ids_are_ours_and_a_bad_one_is_a_bug(self):
        with pytest.raises(ValueError):
            messages.list_message("Pilih", rows=[("x" * 201, "A")])
        with pytest.raises(ValueError):
            messages.buttons("Pilih", [("a", "A"), ("a", "B")])

    def test_emoji_is_never_cut_in_half(self):
        family = "👨\u200d👩\u200d👧"  # one picture, five code points
        title = "Tim TRC datang " + family + " cepat"
        assert messages.shorten(title, 20) == "Tim TRC datang…"
        flags = "🇮🇩" * 15  # 30 code points, 15 flags
        out = messages.shorten(flags, 20)
        assert out == "🇮🇩" * 9 + "…"
        thumbs = "👍🏽" * 30
        body = messages.split_text(thumbs, 21)
        assert all(len(b) % 2 == 0 for b in body) and "".join(body) == thumbs

    @given(
        st.lists(
            st.sampled_from(
                ["a", " ", "é", "e\u0301", "👍🏽", "🇮🇩", "👨\u200d👩\u200d👧", "1️⃣", "\n"]
            ),
            max_size=60,
        ),
        st.integers(min_value=2, max_value=30),
    )
    def test_cuts_fall_between_characters(self, clusters, limit):
        text = "".join(clusters)
        boundaries = {0}
        for c in clusters:
            boundaries.add(max(boundaries) + len(c))
        cut = messages.safe_cut(text, limit)
        assert cut <= limit
        assert cut in boundaries
        short = messages.shorten(text, limit)
        assert len(short) <= limit

    def test_location_request_image_template_mark_read_match_meta(self):
        assert messages.location_request(
            "Mohon bagikan lokasi kejadian dengan menekan tombol Kirim Lokasi."
        ) == {
            k: v
            for k, v in fixture("outbound/send_location_request.json").items()
            if k in ("type", "interactive")
        }
        by_id = fixture("outbound/send_image_by_id.json")
        assert messages.image(
            media_id=by_id["image"]["id"], caption=by_id["image"]["caption"]
        ) == {
            "type": "image",
            "image": by_id["image"],
        }
        positional = fixture("outbound/send_template_positional.json")
        assert messages.template(
            "lalisa_status_aduan", "id", ["Nor Aini", "LL-2026-000125", "Selesai ditindaklanjuti"]
        ) == {"type": "template", "template": positional["template"]}
        wamid = fixture("outbound/mark_read_typing.json")["message_id"]
        assert messages.mark_read(wamid) == fixture("outbound/mark_read_typing.json")

    def test_template_params_are_flat_and_fit(self):
        body = "Aduan {{1}} selesai.\nCatatan: {{2}}\nTerima kasih."
        msg = messages.template(
            "t", "id", ["LL-1", "baris satu\nbaris\tdua     tiga" * 200], body=body
        )
        values = [p["text"] for p in msg["template"]["components"][0]["parameters"]]
        assert "\n" not in values[1] and "\t" not in values[1] and "     " not in values[1]
        assert len(messages.fill_template(body, values)) <= 1024
        assert messages.template("t", "id", ["", None])["template"]["components"][0][
            "parameters"
        ] == [{"type": "text", "text": "-"}, {"type": "text", "text": "-"}]


class TestShapedMessagesAreAccepted:
    """What the builders make, Meta (the emulator) accepts."""

    def payloads(self):
        long_rows = [
            (f"kategori:{n}", f"Kategori aduan nomor {n} yang panjang", "d" * 90)
            for n in range(12)
        ]
        return [
            *messages.text(("Paragraf panjang. " * 60 + "\n\n") * 6),
            messages.buttons("Pilih", [(f"m{n}", f"Pilihan {n}") for n in range(4)]),
            messages.buttons(
                "b" * 1500,
                [
                    ("a", "Laporkan kejadian di jalan raya"),
                    ("b", "Laporkan kejadian di jalan tol"),
                ],
                header="H" * 70,
                footer="F" * 70,
            ),
            messages.list_message("Pilih", "Tombol yang terlalu panjang", rows=long_rows),
            messages.list_message("Pilih", "Pilih", rows=long_rows, more_id="more"),
            messages.location_request("Mohon bagikan lokasi kejadian 📍"),
            messages.image("https://example.org/bukti.jpg", caption="c" * 2000),
            messages.buttons(
                "Judul dengan emoji", [("a", "👨\u200d👩\u200d👧" * 5), ("b", "🇮🇩" * 12)]
            ),
        ]

    def test_every_shaped_message_is_accepted(self, meta):
        meta.open_window(phone=PHONE)
        for payload in self.payloads():
            msg = outbound(payload)
            wamid = client.send(msg)
            assert wamid.startswith("wamid.")
        assert len(meta.sent()) == ApiCall.objects.count()


# --- the client ------------------------------------------------------------------------


class TestClient:
    def test_phone_goes_in_to(self, meta):
        meta.open_window(phone=PHONE)
        msg = outbound(to_phone=PHONE, to_user_id=BSUID)
        client.send(msg)
        body = meta.sent()[0]
        assert body["to"] == PHONE and "recipient" not in body
        assert body["messaging_product"] == "whatsapp"
        assert body["recipient_type"] == "individual"
        assert ApiCall.objects.get().outbound == msg

    def test_bsuid_only_goes_in_recipient(self, meta):
        meta.open_window(user_id=BSUID)
        msg = outbound(messages.text("Terima kasih")[0], to_phone="", to_user_id=BSUID)
        client.send(msg)
        assert meta.sent() == [
            {
                "messaging_product": "whatsapp",
                "recipient_type": "individual",
                "recipient": BSUID,
                "type": "text",
                "text": {"preview_url": False, "body": "Terima kasih"},
            }
        ]

    def test_mark_read_with_typing(self, meta):
        wamid = fixture("outbound/mark_read_typing.json")["message_id"]
        assert client.mark_read(wamid) is True
        call = ApiCall.objects.get()
        assert json.loads(call.request_body) == fixture("outbound/mark_read_typing.json")

    def test_expired_token_is_permanent(self, meta):
        meta.fail(401, 190)
        msg = outbound()
        sender.send_now(msg.pk)
        msg.refresh_from_db()
        assert msg.state == State.FAILED and msg.error_code == 190
        assert "Token akses" in msg.error


# --- the sender: retries ---------------------------------------------------------------


class TestRetries:
    def test_500_then_success(self, meta, clock):
        meta.open_window(phone=PHONE)
        meta.fail(500)
        msg = outbound()
        assert sender.send_now(msg.pk) == "retry"
        msg.refresh_from_db()
        assert (msg.state, msg.attempts) == (State.QUEUED, 1)
        assert msg.next_attempt_at == clock.now + dt.timedelta(seconds=5)
        assert "HTTP 500" in msg.error or "#1" in msg.error
        [retry] = queued_sends(msg.pk)
        assert retry.run_after == msg.next_attempt_at

        run_sends()  # not due yet
        msg.refresh_from_db()
        assert msg.state == State.QUEUED
        clock.advance(seconds=5)
        run_sends()
        msg.refresh_from_db()
        assert (msg.state, msg.attempts) == (State.SENT, 2)
        assert msg.wamid.startswith("wamid.") and msg.error == "" and msg.error_code is None
        assert msg.calls.count() == 2

    @pytest.mark.parametrize(
        ("http_status", "code"), [(429, None), (429, 130429), (400, 131056), (503, None)]
    )
    def test_transient_errors_retry_with_growing_delays(self, meta, clock, http_status, code):
        meta.open_window(phone=PHONE)
        meta.fail(http_status, code, remaining=4)
        msg = outbound()
        delays = []
        for _ in range(4):
            start = clock.now
            assert sender.send_now(msg.pk) == "retry"
            msg.refresh_from_db()
            delays.append((msg.next_attempt_at - start).total_seconds())
            assert queued_sends(msg.pk)[-1].run_after == msg.next_attempt_at
            clock.now = msg.next_attempt_at
        assert delays == [5, 20, 60, 300]
        assert sender.send_now(msg.pk) == "sent"
        msg.refresh_from_db()
        assert msg.attempts == 5 and msg.state == State.SENT

    def test_schedule_spans_about_a_day(self):
        total = sum(sender.RETRY_DELAYS, dt.timedelta())
        assert dt.timedelta(hours=20) <= total <= dt.timedelta(hours=26)
        assert sender.RETRY_DELAYS[0] <= dt.timedelta(seconds=10)
        assert list(sender.RETRY_DELAYS) == sorted(sender.RETRY_DELAYS)

    def test_timeout_is_retried(self, meta, clock):
        meta.open_window(phone=PHONE)
        meta.time_out(1)
        msg = outbound()
        assert sender.send_now(msg.pk) == "retry"
        msg.refresh_from_db()
        assert "batas waktu" in msg.error
        assert ApiCall.objects.get().error.startswith("timeout")
        clock.advance(seconds=5)
        run_sends()
        msg.refresh_from_db()
        assert msg.state == State.SENT and msg.attempts == 2

    @pytest.mark.parametrize(
        ("code", "words"), [(131026, "tidak dapat diantar"), (100, "parameter")]
    )
    def test_permanent_error_fails_and_says_why(self, meta, citizen, code, words):
        meta.open_window(phone=PHONE)
        meta.fail(400, code)
        n = Notification.objects.create(kind="complaint_verified", to_reporter=citizen, text="x")
        msg = outbound(notification=n)
        assert sender.send_now(msg.pk) == "failed"
        msg.refresh_from_db()
        assert msg.state == State.FAILED and msg.error_code == code
        assert words in msg.error and f"#{code}" in msg.error
        assert msg.failed_at is not None and queued_sends(msg.pk) == []
        n.refresh_from_db()
        assert n.state == Notification.State.FAILED and n.error == msg.error

    def test_retries_exhausted(self, meta, clock):
        meta.open_window(phone=PHONE)
        meta.fail(500, remaining=sender.MAX_ATTEMPTS + 1)
        msg = outbound()
        for _ in range(sender.MAX_ATTEMPTS - 1):
            assert sender.send_now(msg.pk) == "retry"
            msg.refresh_from_db()
            clock.now = msg.next_attempt_at
        assert sender.send_now(msg.pk) == "failed"
        msg.refresh_from_db()
        assert msg.state == State.FAILED and msg.attempts == sender.MAX_ATTEMPTS
        assert msg.error.startswith(f"Gagal setelah {sender.MAX_ATTEMPTS} percobaan")
        assert msg.calls.count() == sender.MAX_ATTEMPTS


# --- 131047: the template instead --------------------------------------------------------


@pytest.fixture
def approved_templates(meta):
    call_command("whatsapp_templates", "--sync", verbosity=0)
    ApiCall.objects.all().delete()
    assert templates.approved_template("complaint_verified") is not None


class TestReengagement:
    def test_closed_window_sends_the_template(self, meta, citizen, approved_templates):
        # The citizen wrote two days ago: the window is closed.
        meta.open_window(phone=PHONE, at=timezone.now() - dt.timedelta(days=2))
        n = Notification.objects.create(
            kind="complaint_verified",
            to_reporter=citizen,
            text="Aduan *LL-2611-0001* sudah diverifikasi.",
            params={"code": "LL-2611-0001"},
        )
        channel.channel.deliver(n)
        run_sends()
        original, replacement = OutboundMessage.objects.filter(notification=n).order_by("pk")
        assert original.state == State.FAILED and original.error_code == 131047
        assert "24 jam" in original.error
        assert (
            f"diganti templat lalisa_complaint_verified_v1 (pesan keluar #{replacement.pk})"
            in (original.error.lower())
        )
        assert replacement.state == State.SENT and replacement.wamid
        assert replacement.created_at == original.created_at
        body = meta.sent()[-1]
        assert body["type"] == "template"
        assert body["template"]["name"] == "lalisa_complaint_verified_v1"
        assert body["template"]["components"][0]["parameters"] == [
            {"type": "text", "text": "LL-2611-0001"}
        ]
        # Staff read what the template said.
        assert sender.template_text(replacement).startswith(
            "Aduan *LL-2611-0001* sudah diverifikasi"
        )
        n.refresh_from_db()
        assert n.state == Notification.State.SENT

    def test_no_approved_template_fails_clearly(self, meta, citizen):
        n = Notification.objects.create(kind="complaint_verified", to_reporter=citizen, text="x")
        msg = outbound(notification=n, fallback_template="complaint_verified")
        assert sender.send_now(msg.pk) == "failed"
        msg.refresh_from_db()
        assert msg.state == State.FAILED and msg.error_code == 131047
        assert "belum disetujui Meta" in msg.error
        assert "whatsapp_templates --sync" in msg.error
        assert OutboundMessage.objects.count() == 1
        n.refresh_from_db()
        assert n.state == Notification.State.FAILED

    def test_split_text_gets_one_template(self, meta, citizen, approved_templates):
        n = Notification.objects.create(
            kind="complaint_needs_info",
            to_reporter=citizen,
            text=("Mohon jelaskan lokasi. " * 100 + "\n\n") * 3,
            params={"code": "LL-2611-0002", "question": "Di mana tepatnya?"},
        )
        channel.channel.deliver(n)
        parts = OutboundMessage.objects.filter(notification=n).count()
        assert parts == len(messages.text(n.text)) > 1
        run_sends()
        rows = list(OutboundMessage.objects.filter(notification=n).order_by("pk"))
        templates_sent = [r for r in rows if r.payload["type"] == "template"]
        assert len(templates_sent) == 1 and templates_sent[0].state == State.SENT
        assert all(r.state == State.FAILED for r in rows if r.payload["type"] == "text")
        n.refresh_from_db()
        assert n.state == Notification.State.SENT

    def test_failed_status_after_acceptance(self, meta, citizen, approved_templates):
        """Meta may accept the send and report 131047 later in a `failed` status: the
        inbound side calls replace_with_template, once however often the status comes."""
        meta.open_window(phone=PHONE)
        n = Notification.objects.create(
            kind="complaint_rated",
            to_reporter=citizen,
            text="Terima kasih",
            params={"code": "LL-1"},
        )
        channel.channel.deliver(n)
        run_sends()
        msg = OutboundMessage.objects.get(notification=n)
        assert msg.state == State.SENT
        msg.state = State.FAILED  # as the status handler records it
        msg.save()
        assert sender.replace_with_template(msg) == "template"
        assert sender.replace_with_template(msg) == "failed"
        run_sends()
        rows = OutboundMessage.objects.filter(notification=n)
        assert rows.count() == 2
        assert rows.get(payload__type="template").state == State.SENT


class TestThroughTheWholeWorker:
    """The full `db_worker --batch`: the emulator's status webhooks come back through the
    inbound side and move the rows on."""

    def test_delivered_status_comes_back(self, meta, clock, file, citizen):
        meta.open_window(phone=citizen.wa_id)
        complaint = file()
        run_worker()
        clock.advance(seconds=2)  # the emulator reports "delivered" a second after "sent"
        run_worker()
        msg = OutboundMessage.objects.get(complaint=complaint)
        assert msg.state == State.DELIVERED and msg.delivered_at is not None
        assert Notification.objects.get(complaint=complaint).state == Notification.State.SENT

    def test_131047_in_a_failed_status_sends_the_template(self, meta, citizen, approved_templates):
        meta.open_window(phone=citizen.wa_id)
        meta.fail(200, 131047)  # accepted, then reported failed, as Meta does
        n = Notification.objects.create(
            kind="complaint_rated", to_reporter=citizen, text="Terima kasih", params={"code": "X"}
        )
        channel.channel.deliver(n)
        run_worker()
        original, replacement = OutboundMessage.objects.filter(notification=n).order_by("pk")
        assert original.state == State.FAILED and original.error_code == 131047
        assert "Diganti templat lalisa_complaint_rated_v1" in original.error
        assert replacement.payload["type"] == "template" and replacement.wamid
        assert replacement.state in (State.SENT, State.DELIVERED)
        n.refresh_from_db()
        assert n.state == Notification.State.SENT


# --- ordering (rule 7) ---------------------------------------------------------------------


class TestOrdering:
    def test_later_messages_wait_for_a_retry_seconds_away(self, meta, clock):
        meta.open_window(phone=PHONE)
        meta.fail(500)
        rows = []
        for n in range(3):
            rows.append(outbound(messages.text(f"Pesan {n + 1}")[0]))
            sender.enqueue(rows[-1].pk)
            clock.advance(seconds=0.001)
        run_sends()
        states = [OutboundMessage.objects.get(pk=r.pk).state for r in rows]
        assert states == [State.QUEUED, State.QUEUED, State.QUEUED]
        assert meta.sent() == []
        # The second and third are held to just after the first's retry.
        first = OutboundMessage.objects.get(pk=rows[0].pk)
        for r in rows[1:]:
            assert max(t.run_after for t in queued_sends(r.pk)) > first.next_attempt_at
        clock.now = first.next_attempt_at
        run_sends()
        assert [b["text"]["body"] for b in meta.sent()] == ["Pesan 1", "Pesan 2", "Pesan 3"]
        assert all(OutboundMessage.objects.get(pk=r.pk).state == State.SENT for r in rows)

    def test_long_backoff_does_not_block(self, meta, clock):
        meta.open_window(phone=PHONE)
        meta.fail(500)
        first = outbound(messages.text("Pesan 1")[0], attempts=3)  # next delay: 5 minutes
        second = outbound(messages.text("Pesan 2")[0])
        clock.advance(seconds=1)
        sender.enqueue(first.pk)
        sender.enqueue(second.pk)
        run_sends()
        first.refresh_from_db()
        second.refresh_from_db()
        assert first.state == State.QUEUED
        assert first.next_attempt_at - clock.now == dt.timedelta(minutes=5)
        assert second.state == State.SENT
        clock.now = first.next_attempt_at
        run_sends()
        assert [b["text"]["body"] for b in meta.sent()] == ["Pesan 2", "Pesan 1"]

    def test_stuck_earlier_message_does_not_block_forever(self, meta, clock):
        meta.open_window(phone=PHONE)
        # Claimed by a worker that died: its lease ran out six minutes ago.
        outbound(messages.text("Pekerja mati")[0], attempts=1, next_attempt_at=clock.now)
        clock.advance(minutes=6)
        later = outbound(messages.text("Pesan baru")[0])
        assert sender.send_now(later.pk) == "sent"

    def test_a_message_waiting_in_a_long_task_queue_still_goes_first(self, meta, clock):
        meta.open_window(phone=PHONE)
        first = outbound(messages.text("Pesan 1")[0])
        clock.advance(minutes=30)  # the worker is far behind
        second = outbound(messages.text("Pesan 2")[0])
        assert sender.send_now(second.pk) == "held"
        assert sender.send_now(first.pk) == "sent"
        assert sender.send_now(second.pk) == "sent"

    def test_a_message_never_tried_for_an_hour_no_longer_blocks(self, meta, clock):
        meta.open_window(phone=PHONE)
        outbound(messages.text("Tugas hilang")[0])
        clock.advance(minutes=61)
        later = outbound(messages.text("Pesan baru")[0])
        assert sender.send_now(later.pk) == "sent"

    def test_other_people_are_not_held(self, meta):
        meta.open_window(phone=PHONE)
        meta.open_window(phone="6281399998888")
        meta.fail(500)
        first = outbound()
        other = outbound(to_phone="6281399998888")
        assert sender.send_now(first.pk) == "retry"
        assert sender.send_now(other.pk) == "sent"

    def test_sweep_requeues_a_lost_send(self, meta, clock):
        meta.open_window(phone=PHONE)
        msg = outbound()
        clock.advance(minutes=11)
        assert sender.sweep_outbound.call() == 1
        run_sends()
        msg.refresh_from_db()
        assert msg.state == State.SENT


# --- idempotence ---------------------------------------------------------------------------


class TestIdempotence:
    def test_task_run_twice_sends_once(self, meta):
        meta.open_window(phone=PHONE)
        msg = outbound()
        sender.enqueue(msg.pk)
        sender.enqueue(msg.pk)
        run_sends()
        assert sender.send_now(msg.pk) == "skipped"
        assert len(meta.sent()) == 1
        msg.refresh_from_db()
        assert msg.attempts == 1

    def test_a_claimed_message_is_not_sent_by_a_second_run(self, meta, clock):
        meta.open_window(phone=PHONE)
        msg = outbound()
        assert sender._claim(msg, clock.now)
        assert not sender._claim(msg, clock.now)  # the other run is in flight
        assert sender.send_now(msg.pk) == "skipped"
        assert meta.sent() == []


# --- the channel ---------------------------------------------------------------------------


class TestChannel:
    def test_verify_reaches_the_citizen_and_the_kabid(self, meta, file, admin, kabid, citizen):
        meta.open_window(phone=PHONE)
        meta.open_window(phone="6281200000002")
        complaint = file()
        workflow.verify(complaint, actor=admin)
        run_sends()
        bodies = meta.sent()
        to_citizen = [b for b in bodies if b.get("to") == citizen.wa_id]
        assert [b["text"]["body"].split("*")[1] for b in to_citizen] == [complaint.code] * 2
        assert "sudah diverifikasi" in to_citizen[1]["text"]["body"]
        to_kabid = [b for b in bodies if b.get("to") == "6281200000002"]
        assert len(to_kabid) == 1 and "ditelaah" in to_kabid[0]["text"]["body"]
        notes = Notification.objects.filter(complaint=complaint)
        assert set(notes.values_list("state", flat=True)) == {Notification.State.SENT}
        msg = OutboundMessage.objects.get(notification__kind="complaint_verified")
        assert msg.complaint == complaint and msg.reporter == citizen
        assert msg.fallback_template == "complaint_verified"
        assert msg.fallback_params["code"] == complaint.code

    def test_bsuid_only_citizen_gets_recipient(self, meta, file, admin, other_citizen):
        meta.open_window(user_id=other_citizen.user_id)
        complaint = file(actor=other_citizen)
        run_sends()
        body = meta.sent()[0]
        assert body["recipient"] == other_citizen.user_id and "to" not in body
        assert complaint.code in body["text"]["body"]

    def test_nowhere_to_send_fails_the_notification(self, meta):
        nobody = Reporter.objects.create(profile_name="Tanpa nomor")
        n = Notification.objects.create(kind="complaint_rated", to_reporter=nobody, text="x")
        assert channel.channel.deliver(n) == "failed"
        n.refresh_from_db()
        assert n.state == Notification.State.FAILED and "BSUID" in n.error

    def test_not_configured_keeps_it_pending(self, citizen, settings):
        settings.WHATSAPP_ACCESS_TOKEN = ""
        n = Notification.objects.create(kind="complaint_rated", to_reporter=citizen, text="x")
        assert channel.channel.deliver(n) == "no-channel"
        n.refresh_from_db()
        assert n.state == Notification.State.PENDING and "belum dikonfigurasi" in n.error
        assert not OutboundMessage.objects.exists()

    def test_delivered_twice_queues_once(self, meta, citizen):
        n = Notification.objects.create(kind="complaint_rated", to_reporter=citizen, text="x")
        assert channel.channel.deliver(n) == "queued"
        assert channel.channel.deliver(n) == "skipped"
        assert OutboundMessage.objects.count() == 1

    def test_channel_is_installed(self):
        from lalisa.notifications import channels

        assert channels.get_channel() is channel.channel

    def test_staff_member_by_bsuid(self, meta, trc):
        trc.whatsapp = None
        trc.whatsapp_user_id = "ID.9990018717833199"
        trc.save()
        meta.open_window(user_id=trc.whatsapp_user_id)
        n = Notification.objects.create(
            kind="trc_dispatch_cancelled", to_user=trc, text="Penugasan dibatalkan"
        )
        channel.channel.deliver(n)
        run_sends()
        assert meta.sent()[0]["recipient"] == trc.whatsapp_user_id


# --- staff pages -------------------------------------------------------------------------


class TestAdmin:
    def test_read_only_pages_in_indonesian(
        self, meta, client, superadmin, citizen, approved_templates
    ):
        meta.fail(400, 131026)
        n = Notification.objects.create(kind="complaint_rated", to_reporter=citizen, text="Halo")
        channel.channel.deliver(n)
        run_sends()
        msg = OutboundMessage.objects.get()
        call = ApiCall.objects.get()
        tpl = MessageTemplate.objects.first()
        client.force_login(superadmin)
        for url, words in [
            ("/admin/whatsapp/outboundmessage/", ["penerima", "percobaan", "tidak dapat diantar"]),
            (
                f"/admin/whatsapp/outboundmessage/{msg.pk}/change/",
                ["isi pesan", "Halo", "jawaban"],
            ),
            ("/admin/whatsapp/apicall/", ["metode", "kode HTTP"]),
            (f"/admin/whatsapp/apicall/{call.pk}/change/", ["permintaan", "131026"]),
            ("/admin/whatsapp/messagetemplate/", ["dipakai saat ini", tpl.name]),
            (f"/admin/whatsapp/messagetemplate/{tpl.pk}/change/", ["kunci", tpl.body[:20]]),
        ]:
            page = client.get(url)
            assert page.status_code == 200, url
            text = page.content.decode().lower()
            for word in words:
                assert word.lower() in text, (url, word)
        assert client.get("/admin/whatsapp/outboundmessage/add/").status_code == 403
