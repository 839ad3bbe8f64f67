"""A chat as the simulator page shows it: both directions turned into one plain shape for
the page's JS (which never reads Meta's payloads itself)."""

import re

from django.urls import reverse
from django.utils import timezone

from lalisa.simulator.limits import NAMED_PARAM_RE, POSITIONAL_PARAM_RE
from lalisa.simulator.models import EmulatedMessage, EmulatedTemplate

HISTORY = 200
KIND_LABELS = {
    "image": "Foto",
    "video": "Video",
    "audio": "Audio",
    "document": "Dokumen",
    "sticker": "Stiker",
    "location": "Lokasi",
    "contacts": "Kontak",
}


def inbound_message(record: EmulatedMessage) -> dict:
    try:
        return record.payload["entry"][0]["changes"][0]["value"]["messages"][0]
    except (KeyError, IndexError, TypeError):
        return {}


def _media(obj: dict) -> str:
    if obj.get("id"):
        return reverse("simulator:media", args=[obj["id"]])
    return obj.get("link", "")


def _render(text: str, params: list[dict], named: bool) -> str:
    if named:
        values = {p.get("parameter_name"): p.get("text", "") for p in params}
        return NAMED_PARAM_RE.sub(lambda m: values.get(m.group(1), m.group(0)), text)
    values = [p.get("text", "") for p in params]

    def positional(match: re.Match) -> str:
        index = int(match.group(1)) - 1
        return values[index] if 0 <= index < len(values) else match.group(0)

    return POSITIONAL_PARAM_RE.sub(positional, text)


def _template(obj: dict, templates: dict) -> dict:
    key = (obj.get("name"), (obj.get("language") or {}).get("code"))
    if key not in templates:
        templates[key] = (
            EmulatedTemplate.objects.filter(name=key[0], language=key[1])
            .order_by("-created_at", "-id")
            .first()
        )
    template = templates[key]
    sent = {str(c.get("type", "")).lower(): c for c in obj.get("components", [])}
    buttons_sent = [c for c in obj.get("components", []) if c.get("type") == "button"]
    shown = {"kind": "template", "template": obj.get("name", "")}
    if template is None:
        shown["text"] = f"[templat {obj.get('name')} tidak dikenal]"
        return shown
    named = template.parameter_format == "named"
    for component in template.components:
        kind = str(component.get("type", "")).upper()
        params = sent.get(kind.lower(), {}).get("parameters", [])
        if kind == "HEADER" and component.get("text"):
            shown["header"] = _render(component["text"], params, named)
        elif kind == "BODY":
            shown["text"] = _render(component.get("text", ""), params, named)
        elif kind == "FOOTER":
            shown["footer"] = component.get("text", "")
        elif kind == "BUTTONS":
            shown["buttons"] = []
            for index, button in enumerate(component.get("buttons", [])):
                payload = button.get("text", "")
                for sent_button in buttons_sent:
                    if str(sent_button.get("index")) == str(index):
                        for param in sent_button.get("parameters", []):
                            payload = param.get("payload", payload)
                shown["buttons"].append(
                    {
                        "type": button.get("type", ""),
                        "title": button.get("text", ""),
                        "id": payload,
                    }
                )
    return shown


def _outbound(payload: dict, templates: dict) -> dict:
    kind = payload.get("type", "text")
    obj = payload.get(kind) or {}
    if kind == "text":
        return {"kind": "text", "text": obj.get("body", "")}
    if kind == "interactive":
        shown = {
            "header": (obj.get("header") or {}).get("text", ""),
            "text": (obj.get("body") or {}).get("text", ""),
            "footer": (obj.get("footer") or {}).get("text", ""),
        }
        action = obj.get("action") or {}
        if obj.get("type") == "button":
            buttons = [b.get("reply", {}) for b in action.get("buttons", [])]
            return {**shown, "kind": "buttons", "buttons": buttons}
        if obj.get("type") == "list":
            return {
                **shown,
                "kind": "list",
                "button": action.get("button", ""),
                "sections": action.get("sections", []),
            }
        if obj.get("type") == "location_request_message":
            return {**shown, "kind": "location_request"}
        return {**shown, "kind": "text"}
    if kind == "template":
        return _template(obj, templates)
    if kind in ("image", "video", "audio", "document", "sticker"):
        return {
            "kind": "media",
            "media_type": kind,
            "label": KIND_LABELS[kind],
            "src": _media(obj),
            "caption": obj.get("caption", ""),
            "filename": obj.get("filename", ""),
        }
    if kind == "location":
        return {"kind": "location", **_location(obj)}
    return {"kind": "unknown", "text": f"[pesan jenis {kind}]"}


def _location(obj: dict) -> dict:
    return {
        "latitude": obj.get("latitude"),
        "longitude": obj.get("longitude"),
        "name": obj.get("name", ""),
        "address": obj.get("address", ""),
    }


def _inbound(message: dict) -> dict:
    kind = message.get("type")
    obj = message.get(kind) or {}
    if kind == "text":
        return {"kind": "text", "text": obj.get("body", "")}
    if kind == "interactive":
        reply = obj.get(obj.get("type"), {})
        return {
            "kind": "reply",
            "title": reply.get("title", ""),
            "description": reply.get("description", ""),
        }
    if kind == "button":
        return {"kind": "reply", "title": obj.get("text", "")}
    if kind == "location":
        return {"kind": "location", **_location(obj)}
    if kind in ("image", "video", "audio", "document", "sticker"):
        return {
            "kind": "sticker" if kind == "sticker" else "media",
            "media_type": kind,
            "label": KIND_LABELS[kind],
            "src": _media({"id": obj.get("id")}),
            "caption": obj.get("caption", ""),
        }
    return {"kind": "unknown", "text": f"[pesan jenis {kind}]"}


def summary(shown: dict) -> str:
    """One line for a quoted message."""
    if shown.get("text"):
        return shown["text"][:120]
    if shown.get("title"):
        return shown["title"]
    if shown.get("kind") == "location":
        return "Lokasi: " + (
            shown.get("name") or f"{shown.get('latitude')}, {shown.get('longitude')}"
        )
    if shown.get("label"):
        return shown["label"] + (": " + shown["caption"] if shown.get("caption") else "")
    return "Pesan"


def messages_for(chat: str) -> list[dict]:
    records = list(
        EmulatedMessage.objects.filter(chat=chat).order_by("-created_at", "-id")[:HISTORY]
    )
    records.reverse()
    templates: dict = {}
    shown_by_wamid: dict[str, dict] = {}
    result = []
    for record in records:
        outbound = record.direction == EmulatedMessage.Direction.OUT
        message = record.payload if outbound else inbound_message(record)
        kind = message.get("type")
        if kind == "reaction":
            # Reactions decorate the message they react to, as on the phone.
            target = shown_by_wamid.get((message.get("reaction") or {}).get("message_id"))
            if target is not None:
                side = "reaction_out" if outbound else "reaction_in"
                target[side] = (message.get("reaction") or {}).get("emoji", "")
            continue
        shown = _outbound(message, templates) if outbound else _inbound(message)
        local = timezone.localtime(record.created_at)
        shown.update(
            {
                "id": record.pk,
                "wamid": record.wamid,
                "direction": record.direction,
                "status": record.status,
                "error": record.error,
                "time": local.strftime("%H.%M"),
                "date": local.date().isoformat(),
            }
        )
        context = message.get("context") or {}
        quoted_id = context.get("id") or context.get("message_id")
        if quoted_id:
            quoted = shown_by_wamid.get(quoted_id)
            shown["quote"] = {
                "wamid": quoted_id,
                "text": summary(quoted) if quoted else "Pesan",
                "mine": bool(quoted and quoted["direction"] == "in"),
            }
        shown_by_wamid[record.wamid] = shown
        result.append(shown)
    return result
