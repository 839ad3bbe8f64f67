"""What the Graph API emulator does, apart from HTTP: chats and the 24-hour window, stored
sends, status and template webhooks (built here, posted by lalisa.simulator.tasks),
injected failures, media.

Every chat is keyed by the user's business-scoped id (BSUID). A send addressed with `to`
is mapped to the BSUID of the simulator contact with that wa_id, or to a stable one derived
from the number (meta.bsuid_for_phone), so that `to` and `recipient` reach the same chat.
"""

import datetime as dt
import hashlib
import hmac
import json
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from lalisa.simulator import meta
from lalisa.simulator.limits import Send, check_template_send
from lalisa.simulator.meta import GraphApiError
from lalisa.simulator.models import (
    EmulatedContact,
    EmulatedMedia,
    EmulatedMessage,
    EmulatedTemplate,
    FailureRule,
)
from lalisa.whatsapp import graph
from lalisa.whatsapp.signature import sign

log = logging.getLogger(__name__)

WINDOW = dt.timedelta(hours=24)
TYPING_FOR = dt.timedelta(seconds=25)
DELIVERED_AFTER = dt.timedelta(seconds=1)
# Media URLs from GET /{media-id} live 5 minutes (Meta); those inside webhooks a while longer.
MEDIA_URL_TTL = dt.timedelta(minutes=5)
WEBHOOK_MEDIA_URL_TTL = dt.timedelta(minutes=30)
# Outbound statuses only move forward; "accepted" is the state right after the API call.
STATUS_RANK = {"accepted": 0, "sent": 1, "delivered": 2, "read": 3}


# --- chats and the 24-hour window ---------------------------------------------------------


def contact_by_phone(wa_id: str) -> EmulatedContact | None:
    return EmulatedContact.objects.filter(wa_id=wa_id).order_by("-updated_at", "-id").first()


def bsuid_for(wa_id: str) -> str:
    """The BSUID of a phone, as Meta would know it: the simulator's contact; else the one the
    service already holds for it (demo data invents BSUIDs for its people); else a stable
    one derived from the number."""
    from django.contrib.auth import get_user_model

    from lalisa.complaints.models import Reporter

    contact = contact_by_phone(wa_id)
    if contact is not None:
        return contact.user_id
    e164 = "+" + wa_id
    staff = get_user_model().objects.filter(whatsapp=e164).exclude(whatsapp_user_id=None).first()
    if staff is not None:
        return staff.whatsapp_user_id
    reporter = (
        Reporter.objects.filter(Q(wa_id=wa_id) | Q(phone=e164)).exclude(user_id=None).first()
    )
    if reporter is not None:
        return reporter.user_id
    return meta.bsuid_for_phone(wa_id)


def chat_for(send: Send) -> tuple[str, EmulatedContact | None]:
    chat = bsuid_for(send.to) if send.to else send.recipient
    return chat, EmulatedContact.objects.filter(user_id=chat).first()


def last_inbound(chat: str) -> EmulatedMessage | None:
    return (
        EmulatedMessage.objects.filter(direction=EmulatedMessage.Direction.IN, chat=chat)
        .exclude(status="failed")
        .order_by("-created_at", "-id")
        .first()
    )


def window_open(chat: str, now: dt.datetime | None = None) -> bool:
    last = last_inbound(chat)
    return last is not None and last.created_at > (now or timezone.now()) - WINDOW


def upsert_contact(
    *,
    wa_id: str = "",
    user_id: str = "",
    name: str = "",
    username: str = "",
    phone_hidden: bool = False,
) -> EmulatedContact:
    """The simulator's user: a BSUID always (derived from the phone when not given)."""
    user_id = user_id or (meta.bsuid_for_phone(wa_id) if wa_id else meta.random_bsuid())
    if wa_id:
        # One phone, one BSUID (Meta's rule per business): a number now played with another
        # BSUID is no longer the older contact's.
        EmulatedContact.objects.filter(wa_id=wa_id).exclude(user_id=user_id).update(wa_id="")
    contact, _ = EmulatedContact.objects.update_or_create(
        user_id=user_id,
        defaults={
            "wa_id": wa_id,
            "name": name,
            "username": username.lstrip("@"),
            "phone_hidden": phone_hidden or not wa_id,
            "updated_at": timezone.now(),
        },
    )
    return contact


def open_window(
    *, wa_id: str = "", user_id: str = "", name: str = "Warga", at: dt.datetime | None = None
) -> EmulatedMessage:
    """For tests: record that this user just wrote (at `at`), opening the 24-hour window,
    without posting anything to the webhook. Returns the inbound message."""
    known = EmulatedContact.objects.filter(user_id=user_id).first() if user_id else None
    known = known or (contact_by_phone(wa_id) if wa_id and not user_id else None)
    contact = known or upsert_contact(wa_id=wa_id, user_id=user_id, name=name)
    wamid = meta.wamid(contact.wa_id or contact.user_id)
    message = {
        **({"from": contact.wa_id} if contact.shared_wa_id else {}),
        "from_user_id": contact.user_id,
        "id": wamid,
        "timestamp": meta.now_ts(),
        "type": "text",
        "text": {"body": "Halo"},
    }
    return EmulatedMessage.objects.create(
        direction=EmulatedMessage.Direction.IN,
        wamid=wamid,
        chat=contact.user_id,
        payload=inbound_body(contact, message),
        status="delivered",
        created_at=at or timezone.now(),
    )


# --- injected failures --------------------------------------------------------------------


def consume_failure(path: str) -> FailureRule | None:
    """The first live rule matching `path`, with one use taken; safe with concurrent calls."""
    for rule in FailureRule.objects.filter(remaining__gt=0):
        if rule.path_contains not in path:
            continue
        taken = FailureRule.objects.filter(pk=rule.pk, remaining__gt=0).update(
            remaining=F("remaining") - 1
        )
        if taken:
            return rule
    return None


def failure_error(rule: FailureRule) -> GraphApiError:
    code = rule.error_code or meta.CODE_FOR_STATUS.get(rule.http_status, 131000)
    return GraphApiError(code, status=rule.http_status)


# --- sends ---------------------------------------------------------------------------------


def accept_send(send: Send, *, fail_with: int | None = None) -> dict:
    """Check what depends on state (templates, the window), store the message, schedule its
    statuses, and return Meta's response body. `fail_with`: accept, then report it failed."""
    chat, contact = chat_for(send)
    if send.type == "template":
        approved_template(send.body["template"])
    elif not window_open(chat):
        raise GraphApiError(131047)

    wamid = meta.wamid(send.to or send.recipient)
    with transaction.atomic():
        EmulatedMessage.objects.create(
            direction=EmulatedMessage.Direction.OUT,
            wamid=wamid,
            chat=chat,
            payload=send.body,
            status="accepted",
        )
        # A reply ends the typing indicator, as on the phone.
        EmulatedContact.objects.filter(user_id=chat, typing_until__isnull=False).update(
            typing_until=None
        )
        schedule_statuses(wamid, fail_with=fail_with)

    recipient = {"input": send.input}
    if send.to:
        recipient["wa_id"] = send.to
    else:
        recipient["user_id"] = send.recipient
    return {
        "messaging_product": "whatsapp",
        "contacts": [recipient],
        "messages": [{"id": wamid}],
    }


def approved_template(obj: dict) -> EmulatedTemplate:
    language = obj["language"]["code"]
    template = (
        EmulatedTemplate.objects.filter(
            waba_id=meta.waba_id(), name=obj["name"], language=language, status="APPROVED"
        )
        .order_by("-created_at", "-id")
        .first()
    )
    if template is None:
        raise GraphApiError(
            132001,
            f"template name ({obj['name']}) does not exist in {language} or is not approved",
        )
    check_template_send(obj, template)
    return template


def schedule_statuses(wamid: str, *, fail_with: int | None = None) -> None:
    """Sent at once and delivered a second later; read when the simulator page shows it."""
    from lalisa.simulator.tasks import emit_status

    if fail_with:
        emit_status.enqueue(wamid, "failed", fail_with)
        return
    emit_status.enqueue(wamid, "sent")
    emit_status.using(run_after=timezone.now() + DELIVERED_AFTER).enqueue(wamid, "delivered")


def advance_status(wamid: str, status: str) -> bool:
    """Move an outbound message forward to `status`; False if it is there or beyond."""
    queryset = EmulatedMessage.objects.filter(wamid=wamid, direction=EmulatedMessage.Direction.OUT)
    if status == "failed":
        lower = ["accepted"]
    else:
        lower = [s for s, rank in STATUS_RANK.items() if rank < STATUS_RANK[status]]
    return bool(queryset.filter(status__in=lower).update(status=status))


def mark_shown_read(chat: str, wamids: list[str]) -> list[str]:
    """The simulator page showed these messages: mark them read and report it to the service."""
    from lalisa.simulator.tasks import emit_status

    done = []
    for wamid in wamids:
        if advance_status(wamid, "read"):
            emit_status.enqueue(wamid, "read")
            done.append(wamid)
    return done


def mark_read_by_service(message_id: str, *, typing: bool) -> None:
    """Mark-as-read: this inbound message and the earlier ones turn blue on the phone.
    Unknown ids are accepted without effect (see the report on deviations)."""
    message = EmulatedMessage.objects.filter(
        wamid=message_id, direction=EmulatedMessage.Direction.IN
    ).first()
    if message is None:
        return
    EmulatedMessage.objects.filter(
        direction=EmulatedMessage.Direction.IN,
        chat=message.chat,
        id__lte=message.id,
        status__in=["sent", "delivered"],
    ).update(status="read")
    if typing:
        EmulatedContact.objects.filter(user_id=message.chat).update(
            typing_until=timezone.now() + TYPING_FOR
        )


# --- status and template webhooks ----------------------------------------------------------


def status_body(message: EmulatedMessage, status: str, error_code: int | None = None) -> dict:
    """A status webhook as Meta sends it (fixtures status_*.json)."""
    payload = message.payload
    to_digits = "".join(ch for ch in str(payload.get("to") or "") if ch.isdigit())
    contact = EmulatedContact.objects.filter(user_id=message.chat).first()
    wa_id = to_digits or (contact.shared_wa_id if contact else "")
    entry = {"id": message.wamid, "status": status, "timestamp": meta.now_ts()}
    if wa_id:
        entry["recipient_id"] = wa_id
    # Failed statuses leave out the BSUID when the send went to the phone number.
    if status != "failed" or not to_digits:
        entry["recipient_user_id"] = message.chat
    if payload.get("biz_opaque_callback_data"):
        entry["biz_opaque_callback_data"] = payload["biz_opaque_callback_data"]
    if status in ("sent", "delivered"):
        entry["pricing"] = _pricing(message)
    value = {}
    if status == "failed":
        title, details, _ = meta.KNOWN_ERRORS.get(error_code, ("Error", "", 400))
        entry["errors"] = [
            {
                "code": error_code,
                "title": title,
                "message": title,
                "error_data": {"details": details},
                "href": "/documentation/business-messaging/whatsapp/support/error-codes",
            }
        ]
    else:
        profile = {"name": contact.name if contact else ""}
        if contact and contact.username and status != "sent":
            profile["username"] = "@" + contact.username
        person = {"profile": profile}
        if wa_id:
            person["wa_id"] = wa_id
        person["user_id"] = message.chat
        value["contacts"] = [person]
    value["statuses"] = [entry]
    return meta.messages_envelope(value)


def _pricing(message: EmulatedMessage) -> dict:
    if message.payload.get("type") != "template":
        return {
            "billable": False,
            "pricing_model": "PMP",
            "type": "free_customer_service",
            "category": "service",
        }
    # A utility template inside the service window is free; outside it is billed.
    free = window_open(message.chat, message.created_at)
    return {
        "billable": not free,
        "pricing_model": "PMP",
        "type": "free_customer_service" if free else "regular",
        "category": "utility",
    }


def template_status_body(template: EmulatedTemplate, event: str) -> dict:
    """As tests/fixtures/whatsapp/template_status_update.json."""
    return {
        "entry": [
            {
                "id": template.waba_id,
                "time": int(timezone.now().timestamp()),
                "changes": [
                    {
                        "value": {
                            "event": event,
                            "message_template_id": int(template.template_id),
                            "message_template_name": template.name,
                            "message_template_language": template.language,
                            "reason": "NONE",
                            "message_template_category": template.category,
                        },
                        "field": "message_template_status_update",
                    }
                ],
            }
        ],
        "object": "whatsapp_business_account",
    }


def encode(body: dict) -> bytes:
    """Compact JSON with non-ASCII escaped, as Meta posts it; the signature covers these bytes."""
    return json.dumps(body, separators=(",", ":")).encode()


def post_webhook(body: dict | bytes) -> tuple[int | None, str]:
    """Sign and POST a webhook body to the service. Returns (HTTP status or None, error)."""
    raw = body if isinstance(body, bytes) else encode(body)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "facebookexternalua",
        "X-Hub-Signature-256": sign(raw, settings.WHATSAPP_APP_SECRET),
        "X-Hub-Signature": "sha1="
        + hmac.new(settings.WHATSAPP_APP_SECRET.encode(), raw, hashlib.sha1).hexdigest(),
    }
    try:
        with graph.raw_client() as client:
            response = client.post(settings.LALISA_WEBHOOK_URL, content=raw, headers=headers)
    except Exception as exc:  # any transport failure is the webhook's failure to answer
        return None, f"{type(exc).__name__}: {exc}"
    if response.status_code == 200:
        return 200, ""
    return response.status_code, response.text[:300]


# --- inbound bodies (the simulated phone) --------------------------------------------------


def inbound_body(contact: EmulatedContact, message: dict) -> dict:
    """A `messages` webhook from this user (fixtures text.json, text_bsuid_only.json)."""
    profile = {"name": contact.name}
    if contact.username:
        profile["username"] = contact.username
    person = {"profile": profile}
    if contact.shared_wa_id:
        person["wa_id"] = contact.wa_id
    person["user_id"] = contact.user_id
    return meta.messages_envelope({"contacts": [person], "messages": [message]})


# --- media ---------------------------------------------------------------------------------


def store_media(content: bytes, mime_type: str, filename: str = "") -> EmulatedMedia:
    return EmulatedMedia.objects.create(
        media_id=meta.numeric_id(),
        mime_type=mime_type,
        content=content,
        sha256=meta.sha256_b64(content),
        filename=filename[:255],
    )


def _url_hash(media_id: str, expires: int) -> str:
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"{media_id}:{expires}".encode(), hashlib.sha256
    ).hexdigest()
    return digest[:32]


def media_url(
    request, media: EmulatedMedia, *, source: str = "getMedia", ttl: dt.timedelta = MEDIA_URL_TTL
) -> str:
    """An expiring download URL shaped like Meta's lookaside URLs; fetching it needs the
    bearer token as well."""
    expires = int((timezone.now() + ttl).timestamp())
    path = reverse("simulator:media-download", args=[media.media_id])
    query = f"mid={media.media_id}&source={source}&ext={expires}&hash="
    return request.build_absolute_uri(path) + "?" + query + _url_hash(media.media_id, expires)


def media_url_valid(media_id: str, expires: str, url_hash: str) -> bool:
    try:
        deadline = int(expires)
    except (TypeError, ValueError):
        return False
    if deadline < timezone.now().timestamp():
        return False
    return hmac.compare_digest(_url_hash(media_id, deadline), url_hash or "")


def media_info(request, media: EmulatedMedia) -> dict:
    """GET /{media-id} as api/media_get_response.json: file_size is a string."""
    return {
        "messaging_product": "whatsapp",
        "url": media_url(request, media),
        "mime_type": media.mime_type,
        "sha256": media.sha256,
        "file_size": str(len(media.content)),
        "id": media.media_id,
    }


# --- templates -----------------------------------------------------------------------------


def create_template(fields: dict) -> EmulatedTemplate:
    """Store and approve at once (the emulator is Meta's reviewer); the status webhook
    follows from the worker, as Meta's does."""
    from lalisa.simulator.tasks import emit_template_status

    if EmulatedTemplate.objects.filter(
        waba_id=meta.waba_id(), name=fields["name"], language=fields["language"]
    ).exists():
        # Meta: a name exists once per language; a new text is a new name.
        raise GraphApiError(
            100,
            f"Content in this language already exists: {fields['name']} ({fields['language']}).",
            subcode=2388024,
        )
    with transaction.atomic():
        template = EmulatedTemplate.objects.create(
            template_id=meta.numeric_id(),
            waba_id=meta.waba_id(),
            status="APPROVED",
            **fields,
        )
        emit_template_status.enqueue(template.template_id, "APPROVED")
    return template


def template_json(template: EmulatedTemplate) -> dict:
    return {
        "name": template.name,
        "parameter_format": template.parameter_format.upper(),
        "components": template.components,
        "language": template.language,
        "status": template.status,
        "category": template.category,
        "id": template.template_id,
    }
