"""Sending through the Cloud API: the request for one OutboundMessage, and mark-as-read.

All HTTP goes through `graph.call`, which logs each call and raises GraphError.
"""

from django.conf import settings

from lalisa.whatsapp import graph, messages, upload
from lalisa.whatsapp.models import OutboundMessage


def recipient(outbound: OutboundMessage) -> dict:
    """`to` with the phone digits when we have them, else `recipient` with the
    business-scoped user id (Meta: when both are given `to` wins, so send only one)."""
    digits = "".join(ch for ch in outbound.to_phone or "" if ch.isdigit())
    if digits:
        return {"to": digits}
    if outbound.to_user_id:
        return {"recipient": outbound.to_user_id}
    raise ValueError(f"outbound message {outbound.pk} has no recipient")


def request_body(outbound: OutboundMessage) -> dict:
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        **recipient(outbound),
        **outbound.payload,
    }


def messages_path() -> str:
    return f"{settings.WHATSAPP_PHONE_NUMBER_ID}/messages"


def send(outbound: OutboundMessage) -> str:
    """Send it once; return Meta's message id (wamid). Raises GraphError."""
    resolved = upload.resolve(outbound.payload)
    if resolved is not outbound.payload:
        # Kept as sent: the log and a retry show (and reuse) Meta's media id.
        outbound.payload = resolved
        OutboundMessage.objects.filter(pk=outbound.pk).update(payload=resolved)
    answer = graph.call(
        "POST", messages_path(), json_body=request_body(outbound), outbound=outbound
    )
    try:
        return answer["messages"][0]["id"]
    except (KeyError, IndexError, TypeError) as exc:
        # Accepted or not, we cannot tell: trying again risks a double, which rule 3 accepts.
        raise graph.GraphError(
            "Jawaban Meta tidak memuat id pesan", permanent=False, details=str(answer)[:200]
        ) from exc


def mark_read(wamid: str, typing: bool = True) -> bool:
    """Mark an inbound message (and those before it) read; show "typing…" if asked."""
    answer = graph.call("POST", messages_path(), json_body=messages.mark_read(wamid, typing))
    return bool(answer.get("success")) if isinstance(answer, dict) else False
