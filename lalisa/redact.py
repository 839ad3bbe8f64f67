"""Personal data and secrets taken out of text read by people who may not see them: log
lines, and the setup admin's copies of what went to Meta.

A phone number keeps its first five and last four digits (`+62812****7890`): enough to tell
two apart when debugging, not enough to call. A WhatsApp message id (`wamid.…`) carries the
chat's number in its base64, so only its tail is kept. Secrets in a query string (the
webhook's `hub.verify_token`, any `…token=`, `password=`, a session id) lose their value.
"""

import re
from collections.abc import Iterable

STARS = "****"

# Separators people and URLs put inside a number: space, dot, dash, slash, brackets, and
# the encoded forms a query string carries (`+` and %20 for a space, %2D for a dash), also
# encoded twice (%2520), as in a login redirect's `next=`.
_PLUS = r"(?:\+|%(?:25)?2[Bb])"
_SEP = r"(?:[\s.\-/()]|\+|%(?:25)?2[0BbDd]){0,3}"
_ENCODED = re.compile(r"%(?:25)?2[0BbDd]")
# Not glued to a word or a longer number (nor the tail of a ticket code, a date or a
# time): at the start, after another character, or after an escape (`%3D` of an encoded
# `q=`).
_START = r"(?:(?<![0-9A-Za-z])(?<![0-9][-./:])|(?<=%[0-9A-Fa-f]{2}))"


def _more_digits(least: int, most: int) -> str:
    return rf"(?:{_SEP}\d){{{least},{most}}}"


PHONE_RE = re.compile(
    # The first character looked at first: much faster on text without numbers.
    rf"(?=[+%068]){_START}(?:"
    # International: a plus (or %2B) and 8 to 15 digits.
    rf"{_PLUS}\s?\d{_more_digits(7, 14)}"
    # Indonesian as WhatsApp writes it (wa_id), as people write it, and typed without the 0.
    rf"|62{_SEP}8{_more_digits(7, 12)}"
    rf"|0\d{_more_digits(7, 12)}"
    rf"|8\d{_more_digits(7, 11)}"
    r")(?!\d)"
)
# A business-scoped user id: country, dot, digits (`ID.1410018717833190`).
USER_ID_RE = re.compile(r"(?<![0-9A-Za-z])[A-Z]{2}\.\d{6,}(?!\d)")
WAMID_RE = re.compile(r"wamid\.[A-Za-z0-9+/=_%-]{8,}")
# `hub.verify_token=…`, `access_token=…`, `password=…`, a session cookie, the public lookup's
# check part (`cek=…`, which with the code opens a complaint's status), in a query string,
# a form body or a header; plain or encoded (`%3D`, in a login redirect's `next=`). Only
# the value is replaced.
SECRET_PARAM_RE = re.compile(
    r"((?:token|passwd|password|secret|session\w*|(?<![A-Za-z])cek)(?:=|%3[Dd])|\bBearer\s+)"
    r"[^&\s\"';,]*",
    re.IGNORECASE,
)
SECRET_WORDS = ("token", "passw", "secret", "session", "bearer", "cek")


def mask_digits(digits: str) -> str:
    if len(digits) >= 10:
        return digits[:5] + STARS + digits[-4:]
    return digits[:2] + STARS + digits[-2:]


def mask_phone(number: str) -> str:
    """`+6281234567890` → `+62812****7890`; `0812-3456-7890` → `08123****7890`."""
    plus = "+" if re.match(_PLUS, number.lstrip()) else ""
    digits = "".join(ch for ch in _ENCODED.sub(" ", number) if ch.isdigit())
    return plus + mask_digits(digits)


def mask_user_id(user_id: str) -> str:
    """`ID.1410018717833190` → `ID.14100****3190`."""
    prefix, dot, digits = user_id.rpartition(".")
    if not dot or not digits.isdigit():
        return STARS
    return f"{prefix}.{mask_digits(digits)}"


def mask_wamid(wamid: str) -> str:
    """`wamid.HBgNNjI4MTM…ABCD` → `wamid.…ABCD`: the head of a wamid encodes the number."""
    body = wamid.removeprefix("wamid.")
    return "wamid.…" + body[-6:] if len(body) > 6 else "wamid.…"


def redact(text) -> str:
    """Text with secrets, wamids, user ids and phone numbers masked."""
    text = "" if text is None else str(text)
    # Every access log line passes here: the cheap tests first.
    lower = text.lower()
    if any(word in lower for word in SECRET_WORDS):
        text = SECRET_PARAM_RE.sub(lambda m: m.group(1) + "***", text)
    if "wamid." in text:
        text = WAMID_RE.sub(lambda m: mask_wamid(m.group(0)), text)
    if "." in text:
        text = USER_ID_RE.sub(lambda m: mask_user_id(m.group(0)), text)
    return PHONE_RE.sub(lambda m: mask_phone(m.group(0)), text)


def hide_person(text, *, names: Iterable[str], ids: Iterable[str], label: str) -> str:
    """`redact(text)`, and one person taken out of it: each of their names replaced by
    `label`, each of their numbers and ids masked, in whatever form the regular expressions
    would miss (a foreign number without its plus)."""
    text = "" if text is None else str(text)
    for value in sorted({i.lstrip("+") for i in ids if i}, key=len, reverse=True):
        mask = mask_user_id if USER_ID_RE.fullmatch(value) else mask_phone
        pattern = rf"(?<![0-9A-Za-z])\+?{re.escape(value)}(?!\d)"
        text = re.sub(pattern, lambda m, mask=mask: mask(m.group(0)), text)
    for name in sorted({n.strip() for n in names if n and len(n.strip()) > 1}, key=len)[::-1]:
        text = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", label, text, flags=re.IGNORECASE)
    return redact(text)
