"""Meta's shapes, as the fixtures in tests/fixtures/whatsapp show them: error bodies,
identifiers (wamid, media and template ids, BSUIDs) and webhook envelopes."""

import base64
import hashlib
import secrets
import time

from django.conf import settings
from django.http import JsonResponse

# Used when the settings leave the ids empty (the simulator still needs an envelope).
DEFAULT_PHONE_NUMBER_ID = "106540352242922"
DEFAULT_WABA_ID = "102290129340398"
DEFAULT_DISPLAY_NUMBER = "6285100001111"

# code → (title as in "(#code) title", details Meta puts in error_data, default HTTP status)
KNOWN_ERRORS = {
    1: ("An unknown error occurred", "An unknown error occurred.", 500),
    2: ("Service temporarily unavailable", "Service temporarily unavailable.", 503),
    4: ("Application request limit reached", "Application request limit reached.", 400),
    100: ("Invalid parameter", "Invalid parameter.", 400),
    190: ("Invalid OAuth access token", "Invalid OAuth access token.", 401),
    80007: ("Rate limit issues", "The WhatsApp Business Account has reached its rate limit.", 400),
    130429: ("Rate limit hit", "Cloud API message throughput has been reached.", 429),
    131000: ("Something went wrong", "Message failed to send due to an unknown error.", 500),
    131008: ("Required parameter is missing", "A required parameter is missing.", 400),
    131009: ("Parameter value is not valid", "Parameter value is not valid.", 400),
    131026: (
        "Message undeliverable",
        "Unable to deliver message. Reasons can include: the recipient phone number is not a "
        "WhatsApp phone number; the recipient has not accepted the new Terms of Service.",
        400,
    ),
    131047: (
        "Re-engagement message",
        "More than 24 hours have passed since the recipient last replied to the sender number.",
        400,
    ),
    131048: (
        "Spam rate limit hit",
        "Message failed to send because there are restrictions on how many messages can be "
        "sent from this phone number.",
        400,
    ),
    131053: ("Media upload error", "Unable to upload the media used in the message.", 400),
    131056: (
        "(Business, Consumer) pair rate limit hit",
        "Too many messages sent from the sender phone number to the same recipient phone "
        "number in a short period of time.",
        400,
    ),
    131062: (
        "Business-scoped User ID (BSUID) recipients are not supported for this message.",
        "Business-scoped User ID (BSUID) recipients are not supported for this message.",
        400,
    ),
    132000: (
        "Number of parameters does not match the expected number of params",
        "The number of parameters does not match the expected number of params.",
        400,
    ),
    132001: (
        "Template name does not exist in the translation",
        "The template does not exist in the given language or has not been approved.",
        404,
    ),
    133004: ("Server temporarily unavailable", "Server temporarily unavailable.", 503),
    133010: ("Account not registered", "The phone number is not registered.", 400),
}
# What an injected failure means when it names only an HTTP status.
CODE_FOR_STATUS = {401: 190, 429: 130429, 500: 1, 502: 2, 503: 2, 504: 2}


class GraphApiError(Exception):
    """An error the emulator answers in Meta's shape."""

    def __init__(
        self,
        code: int,
        details: str | None = None,
        *,
        status: int | None = None,
        message: str | None = None,
        type_: str = "OAuthException",
        subcode: int | None = None,
    ):
        title, default_details, default_status = KNOWN_ERRORS.get(code, ("Error", "", 400))
        self.code = code
        self.details = default_details if details is None else details
        self.status = status or default_status
        self.message = message or f"(#{code}) {title}"
        self.type = type_
        self.subcode = subcode
        super().__init__(self.message)

    def body(self) -> dict:
        error = {"message": self.message, "type": self.type, "code": self.code}
        # Meta leaves error_data out of token and unknown-object errors (error_190.json).
        if self.details and self.code != 190 and self.subcode != 33:
            error["error_data"] = {"messaging_product": "whatsapp", "details": self.details}
        if self.subcode is not None:
            error["error_subcode"] = self.subcode
        error["fbtrace_id"] = fbtrace_id()
        return {"error": error}

    def response(self) -> JsonResponse:
        return JsonResponse(self.body(), status=self.status)


def invalid(details: str) -> GraphApiError:
    """Code 100 with Meta's "(#100) Invalid parameter" and what is wrong in the details."""
    return GraphApiError(100, details)


def bad_token() -> GraphApiError:
    return GraphApiError(
        190,
        message="Invalid OAuth access token - Cannot parse access token",
        status=401,
    )


def no_such_object(node: str, method: str) -> GraphApiError:
    return GraphApiError(
        100,
        message=(
            f"Unsupported {method.lower()} request. Object with ID '{node}' does not exist, "
            "cannot be loaded due to missing permissions, or does not support this "
            "operation. Please read the Graph API documentation at "
            "https://developers.facebook.com/docs/graph-api"
        ),
        type_="GraphMethodException",
        subcode=33,
        status=400,
    )


def fbtrace_id() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(17)).decode()[:23]


def wamid(chat: str) -> str:
    """Shaped like Meta's: "wamid." + base64 of an opaque blob that starts with the chat."""
    tail = secrets.token_hex(10).upper().encode()
    blob = (
        b"\x15\x02\x00\x12\x18"
        + chat[-16:].encode()
        + b"\x15\x02\x00\x12\x18\x14"
        + tail
        + b"\x00"
    )
    return "wamid." + base64.b64encode(blob).decode()


def numeric_id(digits: int = 16) -> str:
    """Media and template ids are 15-16 digit numbers."""
    return str(secrets.randbelow(9 * 10 ** (digits - 1)) + 10 ** (digits - 1))


def bsuid_for_phone(wa_id: str, country: str = "ID") -> str:
    """A stable business-scoped user id for a phone: the same number, the same BSUID."""
    digest = hashlib.sha256(f"lalisa-simulator:{wa_id}".encode()).digest()
    return f"{country}.{int.from_bytes(digest[:8], 'big') % 10**16:016d}"


def random_bsuid(country: str = "ID") -> str:
    return f"{country}.{secrets.randbelow(10**16):016d}"


def sha256_b64(content: bytes) -> str:
    """Webhooks and GET /{media-id} carry base64 of the digest, not hex."""
    return base64.b64encode(hashlib.sha256(content).digest()).decode()


def now_ts() -> str:
    """Meta's timestamps in messages and statuses: unix seconds as a string."""
    return str(int(time.time()))


def phone_number_id() -> str:
    return settings.WHATSAPP_PHONE_NUMBER_ID or DEFAULT_PHONE_NUMBER_ID


def waba_id() -> str:
    return settings.WHATSAPP_BUSINESS_ACCOUNT_ID or DEFAULT_WABA_ID


def display_number() -> str:
    """The service number as webhooks show it: digits without "+"."""
    from lalisa.service.models import ServiceProfile

    profile = ServiceProfile.objects.filter(pk=1).only("whatsapp_number").first()
    digits = "".join(ch for ch in (profile.whatsapp_number if profile else "") if ch.isdigit())
    if digits.startswith("0"):
        digits = "62" + digits[1:]
    return digits or DEFAULT_DISPLAY_NUMBER


def messages_envelope(value: dict) -> dict:
    """A `messages`-field webhook body around one change value, in Meta's key order."""
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": waba_id(),
                "changes": [
                    {
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": display_number(),
                                "phone_number_id": phone_number_id(),
                            },
                            **value,
                        },
                        "field": "messages",
                    }
                ],
            }
        ],
    }
