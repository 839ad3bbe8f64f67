"""The bot's answers as outbound WhatsApp messages, queued in the caller's transaction."""

from lalisa.accounts.models import User
from lalisa.complaints.models import Reporter
from lalisa.phones import wa_id_of
from lalisa.whatsapp import messages, sender
from lalisa.whatsapp.models import InboundMessage, OutboundMessage

KIND = "bot"


def address(person: Reporter | User) -> tuple[str, str] | None:
    """(phone digits, "") or ("", BSUID): only one is sent (Meta: `to` wins over both)."""
    if isinstance(person, User):
        phone = wa_id_of(person.whatsapp) if person.whatsapp else ""
        user_id = person.whatsapp_user_id or ""
    else:
        phone = person.wa_id or (wa_id_of(person.phone) if person.phone else "")
        user_id = person.user_id or ""
    if phone:
        return phone, ""
    if user_id:
        return "", user_id
    return None


def send(
    person: Reporter | User,
    payloads: list[dict],
    *,
    message: InboundMessage | None = None,
    complaint=None,
) -> list[OutboundMessage]:
    """Queue the messages, in order, to the citizen or staff member; nothing when they have
    no address."""
    to = address(person)
    staff = isinstance(person, User)
    if to is None:
        return []
    rows = []
    for payload in payloads:
        row = OutboundMessage.objects.create(
            reporter=None if staff else person,
            staff=person if staff else None,
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
