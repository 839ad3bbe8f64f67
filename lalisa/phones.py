"""Phone numbers as E.164, the form WhatsApp and the database agree on."""

import phonenumbers
from django.conf import settings


class InvalidPhone(ValueError):
    pass


def normalize_phone(raw: str | None) -> str | None:
    """`0812-3456-789`, `62812…`, `+62 812…` → `+62812…`; empty → None; nonsense → InvalidPhone."""
    if raw is None or not str(raw).strip():
        return None
    text = str(raw).strip()
    # WhatsApp's wa_id is the number without "+": read it as international.
    digits = "".join(ch for ch in text if ch.isdigit())
    if not text.startswith(("+", "0")) and len(digits) > 9:
        text = "+" + digits
    try:
        number = phonenumbers.parse(text, settings.LALISA_PHONE_REGION)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhone(f"Nomor telepon tidak dikenali: {raw!r}") from exc
    if not phonenumbers.is_possible_number(number):
        raise InvalidPhone(f"Nomor telepon tidak valid: {raw!r}")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def wa_id_of(e164: str) -> str:
    """The wa_id WhatsApp uses for a number: E.164 without the plus."""
    return e164.lstrip("+")
