"""Meta's webhook bodies read into plain dataclasses. Pure functions, no database.

`parse(body)` walks every entry, every change and every message or status in it and
returns one item per thing understood. It never raises: a part it cannot read becomes a
`Problem` and the rest is still parsed, because nothing a citizen sent may be dropped.
Field names follow tests/fixtures/whatsapp/NOTES.md (Meta's payloads, 2026).
"""

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from typing import Any

MEDIA_TYPES = frozenset({"image", "video", "audio", "document", "sticker"})


@dataclass(frozen=True)
class Media:
    id: str
    mime_type: str = ""
    sha256: str = ""
    url: str = ""
    filename: str = ""
    voice: bool = False
    animated: bool = False


@dataclass(frozen=True)
class Location:
    latitude: float | None
    longitude: float | None
    name: str = ""
    address: str = ""
    url: str = ""


@dataclass(frozen=True)
class IdentityChange:
    """A user's number or business-scoped id changed. Empty strings are unknown values."""

    kind: str  # user_changed_number | user_changed_user_id | user_id_update
    timestamp: dt.datetime | None
    previous_user_id: str = ""
    user_id: str = ""
    previous_wa_id: str = ""
    wa_id: str = ""
    profile_name: str = ""
    raw: dict = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Inbound:
    """One message a user sent to the business number."""

    wamid: str
    timestamp: dt.datetime | None
    type: str
    from_phone: str = ""  # digits as Meta sends them (wa_id); absent for BSUID-only users
    from_user_id: str = ""
    profile_name: str = ""
    username: str = ""
    context_id: str = ""  # the message replied to, tapped, or reacted to
    text: str = ""
    reply_id: str = ""  # button/list row id, or a template button's payload
    media: Media | None = None
    location: Location | None = None
    change: IdentityChange | None = None  # system messages
    phone_number_id: str = ""
    raw: dict = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Status:
    """What happened to a message the service sent."""

    wamid: str
    status: str
    timestamp: dt.datetime | None
    recipient_id: str = ""
    recipient_user_id: str = ""
    errors: tuple = ()
    callback_data: str = ""
    profile_name: str = ""
    raw: dict = field(default_factory=dict, compare=False)

    @property
    def error_code(self) -> int | None:
        code = self.errors[0].get("code") if self.errors else None
        return code if isinstance(code, int) else None

    @property
    def error_message(self) -> str:
        return describe_error(self.errors[0]) if self.errors else ""


@dataclass(frozen=True)
class TemplateUpdate:
    name: str
    language: str
    event: str
    reason: str
    template_id: str
    category: str = ""
    timestamp: dt.datetime | None = None
    raw: dict = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class WebhookError:
    """A value-level error Meta reports (no message or status attached)."""

    code: int | None
    title: str
    message: str = ""
    details: str = ""
    raw: dict = field(default_factory=dict, compare=False)

    def describe(self) -> str:
        return describe_error(self.raw)


@dataclass(frozen=True)
class Problem:
    """A part of the body that could not be read; kept so that staff can see it."""

    where: str
    reason: str
    raw: Any = None
    # Nothing of the body could be read (not a webhook at all): the delivery failed.
    unreadable: bool = False


Item = Inbound | Status | TemplateUpdate | IdentityChange | WebhookError | Problem

# Meta's bodies nest about a dozen levels. Deeper arrays and objects are stored as this
# text: reading them would exhaust Python's recursion and stop the worker's whole batch.
MAX_DEPTH = 32
CUT = "[bersarang terlalu dalam, tidak dibaca]"
# PostgreSQL's text and jsonb cannot hold NUL, and UTF-8 cannot hold a lone surrogate
# ("\ud800" in JSON): either would make the whole message unstorable.
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# A JSON string (an unterminated one runs to the end) or a bracket; linear on any input.
TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?|[\[\]{}]', re.DOTALL)


def load(raw: bytes) -> Any:
    """A delivery's body read from JSON, with bytes that are not text replaced by U+FFFD and
    arrays or objects nested deeper than MAX_DEPTH replaced by CUT. ValueError: not JSON."""
    text = raw.decode(json.detect_encoding(raw), errors="replace")
    try:
        return json.loads(text)
    except RecursionError:
        return json.loads(shallow(text))


def shallow(text: str) -> str:
    """The JSON text with every array or object deeper than MAX_DEPTH replaced by CUT as a
    string (what lies inside is not checked); an unclosed one is left out, and the text then
    fails as JSON should."""
    parts, depth, start = [], 0, 0
    for token in TOKEN.finditer(text):
        bracket = token.group()
        if bracket in ("[", "{"):
            depth += 1
            if depth == MAX_DEPTH + 1:
                parts.append(text[start : token.start()])
        elif bracket in ("]", "}"):
            if depth == MAX_DEPTH + 1:
                parts.append(json.dumps(CUT))
                start = token.end()
            depth -= 1
    if depth <= MAX_DEPTH:
        parts.append(text[start:])
    return "".join(parts)


def storable(value: Any) -> Any:
    """The value as the database can hold it: NUL and lone surrogates replaced by U+FFFD (in
    keys too), arrays and objects deeper than MAX_DEPTH by CUT."""
    return _storable(value, 0, [])


def _storable(value: Any, depth: int, cuts: list) -> Any:
    """storable(), noting in `cuts` each part cut here or before (by shallow)."""
    if isinstance(value, str):
        if value.isascii():  # the common case, and no surrogate is ASCII
            if value == CUT:
                cuts.append(value)
            return value.replace("\x00", "\ufffd") if "\x00" in value else value
        return UNSTORABLE.sub("\ufffd", value)
    if isinstance(value, dict | list) and depth >= MAX_DEPTH:
        cuts.append(value)
        return CUT
    if isinstance(value, dict):
        return {_storable(k, depth, cuts): _storable(v, depth + 1, cuts) for k, v in value.items()}
    if isinstance(value, list):
        return [_storable(v, depth + 1, cuts) for v in value]
    return value


def parse(body: Any) -> list[Item]:
    cuts = []
    body = _storable(body, 0, cuts)
    if not isinstance(body, dict):
        return [Problem("body", "isi bukan objek JSON", body, unreadable=True)]
    entries = body.get("entry")
    if not isinstance(entries, list):
        return [Problem("body", "tidak ada daftar entry", body, unreadable=True)]
    items: list[Item] = []
    if cuts:
        reason = f"{len(cuts)} bagian bersarang lebih dari {MAX_DEPTH} tingkat tidak dibaca"
        items.append(Problem("body", reason))
    for e, entry in enumerate(entries):
        where = f"entry[{e}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("changes"), list):
            items.append(Problem(where, "entry tanpa changes", entry))
            continue
        entry_time = _time(entry.get("time"))
        for c, change in enumerate(entry["changes"]):
            here = f"{where}.changes[{c}]"
            try:
                items.extend(_change(change, entry_time, here))
            except Exception as exc:  # one bad change must not hide the others
                items.append(Problem(here, f"tidak terbaca: {type(exc).__name__}: {exc}", change))
    return items


def _change(change: Any, entry_time, where: str) -> list[Item]:
    if not isinstance(change, dict) or not isinstance(change.get("value"), dict):
        return [Problem(where, "change tanpa value", change)]
    kind = change.get("field")
    value = change["value"]
    if kind == "messages":
        return _messages_value(value, where)
    if kind == "message_template_status_update":
        return [_template_update(value, entry_time)]
    if kind == "user_id_update":
        return _user_id_updates(value, where)
    return [Problem(where, f"field tidak dikenal, diabaikan: {kind!r}", change)]


def _messages_value(value: dict, where: str) -> list[Item]:
    items: list[Item] = []
    contacts = [c for c in _list(value.get("contacts")) if isinstance(c, dict)]
    phone_number_id = _str(_dict(value.get("metadata")).get("phone_number_id"))
    for i, message in enumerate(_list(value.get("messages"))):
        try:
            items.append(_message(message, contacts, phone_number_id))
        except Exception as exc:
            items.append(Problem(f"{where}.messages[{i}]", f"pesan tidak terbaca: {exc}", message))
            if isinstance(message, dict) and _str(message.get("id")):
                # Still a message from someone: kept whole, to be shown as it came.
                items.append(_bare_message(message, phone_number_id))
    for i, status in enumerate(_list(value.get("statuses"))):
        try:
            items.append(_status(status, contacts))
        except Exception as exc:
            items.append(Problem(f"{where}.statuses[{i}]", f"status tidak terbaca: {exc}", status))
    for error in _list(value.get("errors")):
        items.append(_webhook_error(error))
    return items


def _message(message: Any, contacts: list[dict], phone_number_id: str) -> Inbound:
    if not isinstance(message, dict) or not _str(message.get("id")):
        raise ValueError("pesan tanpa id")
    kind = _str(message.get("type")) or "unknown"
    from_phone = _str(message.get("from"))
    from_user_id = _str(message.get("from_user_id"))
    contact = _contact_for(contacts, from_phone, from_user_id)
    profile = _dict(contact.get("profile"))
    body = message.get(kind)
    body = _dict(body)
    context = _dict(message.get("context"))

    text, reply_id, media, location, change = "", "", None, None, None
    context_id = _str(context.get("id"))
    if kind == "text":
        text = _str(body.get("body"))
    elif kind in MEDIA_TYPES:
        text = _str(body.get("caption"))
        if _str(body.get("id")):
            media = Media(
                id=_str(body.get("id")),
                mime_type=_str(body.get("mime_type")),
                sha256=_str(body.get("sha256")),
                url=_str(body.get("url")),
                filename=_str(body.get("filename")),
                voice=body.get("voice") is True,
                animated=body.get("animated") is True,
            )
    elif kind == "location":
        location = Location(
            latitude=_number(body.get("latitude")),
            longitude=_number(body.get("longitude")),
            name=_str(body.get("name")),
            address=_str(body.get("address")),
            url=_str(body.get("url")),
        )
        text = "\n".join(part for part in (location.name, location.address) if part)
    elif kind == "contacts":
        text = _contacts_text(message.get("contacts"))
    elif kind == "interactive":
        subtype = _str(body.get("type"))
        reply = _dict(body.get(subtype))
        reply_id = _str(reply.get("id"))
        text = _str(reply.get("title")) or _str(reply.get("body"))
    elif kind == "button":
        reply_id = _str(body.get("payload"))
        text = _str(body.get("text"))
    elif kind == "reaction":
        # No emoji: the user took the reaction back.
        text = _str(body.get("emoji"))
        context_id = context_id or _str(body.get("message_id"))
    elif kind == "system":
        text = _str(body.get("body"))
        change = _system_change(message, body)
    elif kind != "unsupported":
        # A type not known yet: keep whatever reads as text (the raw message is kept whole).
        for key in ("body", "caption", "text", "title", "name"):
            if _str(body.get(key)):
                text = _str(body[key])
                break

    return Inbound(
        wamid=_str(message["id"]),
        timestamp=_time(message.get("timestamp")),
        type=kind,
        from_phone=from_phone,
        from_user_id=from_user_id,
        profile_name=_str(profile.get("name")),
        username=_username(profile.get("username")),
        context_id=context_id,
        text=text,
        reply_id=reply_id,
        media=media,
        location=location,
        change=change,
        phone_number_id=phone_number_id,
        raw=message,
    )


def _bare_message(message: dict, phone_number_id: str) -> Inbound:
    return Inbound(
        wamid=_str(message.get("id")),
        timestamp=_time(message.get("timestamp")),
        type=_str(message.get("type")) or "unknown",
        from_phone=_str(message.get("from")),
        from_user_id=_str(message.get("from_user_id")),
        phone_number_id=phone_number_id,
        raw=message,
    )


CHANGED_FROM_TO = re.compile(r"changed from (\S+) to (\S+?)\.?\s*$")


def _system_change(message: dict, system: dict) -> IdentityChange | None:
    kind = _str(system.get("type"))
    timestamp = _time(message.get("timestamp"))
    # "User <name> changed from <old> to <new>": the only place the old id is given.
    match = CHANGED_FROM_TO.search(_str(system.get("body")))
    old, new = match.groups() if match else ("", "")
    if kind == "user_changed_number":
        return IdentityChange(
            kind=kind,
            timestamp=timestamp,
            previous_user_id=_str(message.get("from_user_id")),
            user_id=_str(system.get("user_id")),
            previous_wa_id=_str(message.get("from")) or _digits(old),
            wa_id=_str(system.get("wa_id")) or _digits(new),
            raw=message,
        )
    if kind == "user_changed_user_id":
        return IdentityChange(
            kind=kind,
            timestamp=timestamp,
            previous_user_id=_str(message.get("from_user_id")) or old,
            user_id=_str(system.get("user_id")) or new,
            raw=message,
        )
    return None


def _user_id_updates(value: dict, where: str) -> list[Item]:
    items: list[Item] = []
    contacts = [c for c in _list(value.get("contacts")) if isinstance(c, dict)]
    for i, update in enumerate(_list(value.get("user_id_update"))):
        if not isinstance(update, dict) or not isinstance(update.get("user_id"), dict):
            items.append(Problem(f"{where}.user_id_update[{i}]", "bentuk tidak dikenal", update))
            continue
        wa_id = _str(update.get("wa_id"))
        contact = _contact_for(contacts, wa_id, "")
        items.append(
            IdentityChange(
                kind="user_id_update",
                timestamp=_time(update.get("timestamp")),
                previous_user_id=_str(update["user_id"].get("previous")),
                user_id=_str(update["user_id"].get("current")),
                wa_id=wa_id,
                profile_name=_str(_dict(contact.get("profile")).get("name")),
                raw=update,
            )
        )
    return items


def _status(status: Any, contacts: list[dict]) -> Status:
    if not isinstance(status, dict) or not _str(status.get("id")):
        raise ValueError("status tanpa id")
    recipient_id = _str(status.get("recipient_id"))
    recipient_user_id = _str(status.get("recipient_user_id"))
    contact = _contact_for(contacts, recipient_id, recipient_user_id)
    errors = tuple(e for e in _list(status.get("errors")) if isinstance(e, dict))
    return Status(
        wamid=_str(status["id"]),
        status=_str(status.get("status")),
        timestamp=_time(status.get("timestamp")),
        recipient_id=recipient_id,
        # Statuses carry the user id in the contact too; either will do.
        recipient_user_id=recipient_user_id or _str(contact.get("user_id")),
        errors=errors,
        callback_data=_str(status.get("biz_opaque_callback_data")),
        profile_name=_str(_dict(contact.get("profile")).get("name")),
        raw=status,
    )


def _template_update(value: dict, entry_time) -> TemplateUpdate:
    reason = _str(value.get("reason"))
    details = _str(_dict(value.get("rejection_info")).get("reason"))
    if reason.upper() == "NONE":
        reason = ""
    if details:
        reason = f"{reason}: {details}" if reason else details
    return TemplateUpdate(
        name=_str(value.get("message_template_name")),
        language=_str(value.get("message_template_language")),
        event=_str(value.get("event")).upper(),
        reason=reason,
        template_id=_str(value.get("message_template_id")),
        category=_str(value.get("message_template_category")),
        timestamp=entry_time,
        raw=value,
    )


def _webhook_error(error: Any) -> Item:
    if not isinstance(error, dict):
        return Problem("errors", "galat tanpa bentuk", error)
    code = error.get("code")
    return WebhookError(
        code=code if isinstance(code, int) else None,
        title=_str(error.get("title")),
        message=_str(error.get("message")),
        details=_str(_dict(error.get("error_data")).get("details")),
        raw=error,
    )


def describe_error(error: dict) -> str:
    """`(#131047) Re-engagement message — More than 24 hours have passed…`"""
    if not isinstance(error, dict):
        return str(error)
    code = error.get("code")
    title = _str(error.get("title")) or _str(error.get("message"))
    details = _str(_dict(error.get("error_data")).get("details"))
    text = f"(#{code}) {title}" if code is not None else title
    return f"{text} — {details}" if details else text


def _contact_for(contacts: list[dict], wa_id: str, user_id: str) -> dict:
    for contact in contacts:
        if (wa_id and _str(contact.get("wa_id")) == wa_id) or (
            user_id and _str(contact.get("user_id")) == user_id
        ):
            return contact
    return {}


def _contacts_text(cards: Any) -> str:
    lines = []
    for card in _list(cards):
        if not isinstance(card, dict):
            continue
        name = _dict(card.get("name"))
        label = _str(name.get("formatted_name")) or " ".join(
            _str(name.get(k)) for k in ("first_name", "last_name") if _str(name.get(k))
        )
        phones = [
            _str(p.get("phone")) or _str(p.get("wa_id"))
            for p in _list(card.get("phones"))
            if isinstance(p, dict)
        ]
        phones = [p for p in phones if p]
        lines.append(f"{label} ({', '.join(phones)})" if phones else label)
    return "\n".join(line for line in lines if line)


def _time(value: Any) -> dt.datetime | None:
    try:
        return dt.datetime.fromtimestamp(int(value), tz=dt.UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _str(value: Any) -> str:
    if value is None or isinstance(value, dict | list | bool):
        return ""
    return str(value).strip()


def _digits(value: str) -> str:
    return value if value.isdigit() else ""


def _username(value: Any) -> str:
    # Meta's examples show "@name" although usernames cannot contain "@".
    return _str(value).lstrip("@")


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []
