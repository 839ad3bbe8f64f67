"""The check part (*kode cek*) the public lookup asks for beside the ticket code.

Ticket codes are numbered in sequence (LL-2611-0042, LL-2611-0043, …), so a code alone
can be guessed. The check part is four random characters stored with each complaint and
given only to its reporter: with the code in the receipt on WhatsApp, in the bot's status
answer, and by the admin to someone who came to the office. It is random, not derived from
SECRET_KEY, so rotating the key changes nothing citizens were told.
"""

import re
import unicodedata

from django.conf import settings
from django.urls import reverse
from django.utils.crypto import get_random_string

# Read aloud or copied by hand, 0/O and 1/I/L are mistaken for each other: none of them.
LETTERS = "ABCDEFGHJKMNPQRSTUVWXYZ"
ALPHABET = LETTERS + "23456789"
LENGTH = 4


def new_check() -> str:
    """A fresh check part (31^3 × 23 ≈ 685,000 of them). It opens with a letter, so even
    written against the code ("LL26110042K7QF") it never reads as more digits."""
    return get_random_string(1, LETTERS) + get_random_string(LENGTH - 1, ALPHABET)


def clean_check(text: str | None) -> str:
    """As typed ("k7 qf", "*K7QF*", full-width letters) → "K7QF"."""
    return re.sub(r"[^0-9A-Z]", "", unicodedata.normalize("NFKC", text or "").upper())


def lookup_url() -> str:
    """Where citizens use it: the public lookup page, on the public host when known."""
    return settings.LALISA_PUBLIC_URL.rstrip("/") + reverse("public:lookup")
