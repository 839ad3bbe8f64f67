"""A citizen on the phone simulator, talking to the service through the real webhook, the
worker's steps and the Graph API emulator — as tests see a conversation.

`Chat.say("halo")` posts the message as Meta would (signed), lets the worker process every
delivery and task that is ready, and returns what the service sent back since, as the
simulator shows it (text, buttons, list, location request, template).
"""

import base64
import io
import json

import httpx
import pytest
from django.core import signals
from django.db import close_old_connections
from django_tasks_db.models import DBTaskResult

from lalisa.whatsapp import inbound

# A 1×1 PNG: the smallest photo the simulator's upload takes.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


def in_process(handler):
    """A WSGI app that never closes the test's database connection, even when a request
    makes requests of its own (the simulator posting to the webhook)."""

    def app(environ, start_response):
        signals.request_started.disconnect(close_old_connections)
        signals.request_finished.disconnect(close_old_connections)
        try:
            response = handler(environ, start_response)
            body = list(response)
            signals.request_finished.disconnect(close_old_connections)
            response.close()
            return body
        finally:
            signals.request_started.connect(close_old_connections)
            signals.request_finished.connect(close_old_connections)

    return app


def work(limit: int = 500) -> int:
    """Run what the worker would: drain deliveries and run every ready task, until quiet."""
    done = 0
    while done < limit:
        taken = inbound.drain(limit=50)
        # As the worker takes them: priority first, then run_after, then enqueued_at.
        row = DBTaskResult.objects.ready().first()
        if row is not None:
            row.claim("test")
            try:
                value = row.task.call(*row.args_kwargs["args"], **row.args_kwargs["kwargs"])
            except Exception as exc:  # recorded as the worker would, then raised
                row.set_failed(exc)
                raise
            row.set_successful(value)
        if not taken and row is None:
            return done
        done += 1
    raise AssertionError("the worker never went quiet")


class Chat:
    """One person on the simulator. Messages are dicts as the simulator's page shows them."""

    def __init__(self, http: httpx.Client, **person):
        self.http = http
        answer = http.post("/simulator/api/identity", json=person)
        assert answer.status_code == 200, answer.content
        self.contact = answer.json()["contact"]
        self.seen = 0
        self.sent = 0

    # --- reading --------------------------------------------------------------------------

    def history(self) -> list[dict]:
        data = self.http.get("/simulator/api/chat", params={"user_id": self.contact["user_id"]})
        return data.json()["messages"]

    def bot(self) -> list[dict]:
        return [m for m in self.history() if m["direction"] == "out"]

    def new(self) -> list[dict]:
        """What the service sent since the last look."""
        out = self.bot()
        fresh = out[self.seen :]
        self.seen = len(out)
        return fresh

    @staticmethod
    def text_of(messages: list[dict]) -> str:
        parts = []
        for m in messages:
            parts.append(m.get("text", ""))
            for b in m.get("buttons", []):
                parts.append(f"[{b.get('title')}]")
            for section in m.get("sections", []):
                for row in section.get("rows", []):
                    parts.append(f"[{row.get('title')}]")
        return "\n".join(parts)

    # --- writing --------------------------------------------------------------------------

    def send(self, **data) -> list[dict]:
        answer = self.http.post(
            "/simulator/api/send", json={"user_id": self.contact["user_id"], **data}
        )
        assert answer.status_code == 200, answer.content
        assert answer.json().get("ok", True), answer.json()
        self.sent += 1
        work()
        return self.new()

    def say(self, text: str, *, quote: str | None = None) -> list[dict]:
        data = {"kind": "text", "text": text}
        if quote:
            data["context_id"] = quote
        return self.send(**data)

    def choice(self, title: str) -> tuple[dict, dict]:
        """The latest message offering a button or list row with this title, and that row."""
        for message in reversed(self.bot()):
            for button in message.get("buttons", []):
                if button.get("title") == title:
                    return message, {**button, "kind": "button_reply"}
            for section in message.get("sections", []):
                for row in section.get("rows", []):
                    if row.get("title") == title:
                        return message, {**row, "kind": "list_reply"}
        raise AssertionError(f"no button or row titled {title!r} in {self.text_of(self.bot())}")

    def tap(self, title: str) -> list[dict]:
        message, row = self.choice(title)
        data = {"kind": row["kind"], "context_id": message["wamid"], "id": row["id"]}
        data["title"] = row["title"]
        return self.send(**data)

    def location(self, lat: float, lng: float, name: str = "") -> list[dict]:
        data = {"kind": "location", "latitude": lat, "longitude": lng}
        if name:
            data["name"] = name
        return self.send(**data)

    def photo(
        self, caption: str = "", content: bytes = PNG, mime: str = "image/png"
    ) -> list[dict]:
        """A photo from the page's file input; `mime` is what the phone says it is."""
        self.http.headers.pop("Content-Type", None)
        answer = self.http.post(
            "/simulator/api/upload",
            files={"file": ("kejadian.png", io.BytesIO(content), mime)},
        )
        assert answer.status_code == 200, answer.content
        data = {"kind": "image", "media_id": answer.json()["media_id"]}
        if caption:
            data["caption"] = caption
        return self.send(**data)

    def voice(self) -> list[dict]:
        """A voice note (the page has no microphone; the API takes one)."""
        from lalisa.simulator import emulator

        media = emulator.store_media(b"OggS" + bytes(200), "audio/ogg", "suara.ogg")
        return self.send(kind="audio", media_id=media.media_id)

    def document(self, content: bytes, mime: str, filename: str, caption: str = "") -> list[dict]:
        """A file shared as a document, of the type the phone says it is (the API takes one)."""
        from lalisa.simulator import emulator

        media = emulator.store_media(content, mime, filename)
        return self.send(kind="document", media_id=media.media_id, caption=caption)

    def sticker(self) -> list[dict]:
        from lalisa.simulator.phone import STICKERS

        return self.send(kind="sticker", sticker=STICKERS[0])


@pytest.fixture
def web(graph_emulator, settings, tmp_path):
    """The browser on the simulator page: real HTTP into the app, with its CSRF token."""
    from django.core.wsgi import get_wsgi_application

    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path, "base_url": None},
        },
    }
    settings.LALISA_PUBLIC_URL = "https://lalisa.example.id"
    transport = httpx.WSGITransport(app=in_process(get_wsgi_application()))
    with httpx.Client(transport=transport, base_url="http://testserver") as http:
        assert http.get("/simulator/").status_code == 200
        http.headers["X-CSRFToken"] = http.cookies["csrftoken"]
        yield http


@pytest.fixture
def chat(web):
    """chat(name=…, phone=…) → a Chat for that person (a new one each call)."""
    counter = iter(range(1, 1000))

    def start(**person):
        n = next(counter)
        person.setdefault("name", f"Warga {n}")
        person.setdefault("phone", f"+6281300000{n:03d}")
        return Chat(web, **person)

    return start


def dumps(messages) -> str:
    return json.dumps(messages, ensure_ascii=False, indent=1)
