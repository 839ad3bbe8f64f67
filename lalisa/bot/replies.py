"""The bot's answers as outbound WhatsApp messages, queued in the caller's transaction."""

from lalisa.complaints.models import Reporter
from lalisa.phones import wa_id_of
from lalisa.whatsapp import messages, sender
from lalisa.whatsapp.models import InboundMessage, OutboundMessage

KIND = "bot"


def address(reporter: Reporter) -> tuple[str, str] | None:
    """(phone digits, "") or ("", BSUID): only one is sent (Meta: `to` wins over both)."""
    phone = reporter.wa_id or (wa_id_of(reporter.phone) if reporter.phone else "")
    if phone:
        return phone, ""
    if reporter.user_id:
        return "", reporter.user_id
    return None


def send(
    reporter: Reporter,
    payloads: list[dict],
    *,
    message: InboundMessage | None = None,
    complaint=None,
) -> list[OutboundMessage]:
    """Queue the messages, in order, to the citizen; nothing when they have no address."""
    to = address(reporter)
    if to is None:
        return []
    rows = []
    for payload in payloads:
        row = OutboundMessage.objects.create(
            reporter=reporter,
            to_phone=to[0],
            to_user_id=to[1],
            kind=KIND,
            payload=payload,
            complaint=complaint,
            in_reply_to=message,
        )
        sender.enqueue(row.pk, priority=sender.REPLY_PRIORITY)
        rows.append(row)
    return rows


def text(body: str) -> list[dict]:
    return messages.text(body)
