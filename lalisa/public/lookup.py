"""The public status lookup by ticket code.

What it shows (DESIGN.md, confidentiality): status, category, kecamatan and the steps with
their dates; never a name, a number, the description, a photo, a reason typed by staff,
a team or who took a step. A *rahasia* complaint appears nowhere in public, so the lookup
answers for it exactly as for a code that does not exist: the answer must not even tell
that such a complaint exists.

Codes are numbered in sequence, so the lookup also asks for the complaint's check part
(lalisa.complaints.lookup_check), which only its reporter was given: without it, or with
a wrong one, the answer is the one an unknown code gets, so stepping through a month's
codes learns nothing. Lookups are throttled per client address too, so guessing check
parts is slow.
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from lalisa.complaints.lookup_check import clean_check
from lalisa.complaints.models import Complaint, Confidentiality, Status
from lalisa.public.models import LookupTurn
from lalisa.timefmt import format_wita

LIMIT = 10  # lookups per address …
WINDOW_SECONDS = 10 * 60  # … per ten minutes

# The code, then the check part if it was typed with it: "LL-2611-0042-K7QF".
_CODE = re.compile(r"^LL-?(\d{4})-?(\d{1,6})(?:-?([A-Z0-9][A-Z0-9-]*))?$", re.ASCII)

# The steps a citizen may read, by event kind. Anything else (replies, corrections,
# supporters joining, comments) stays out.
STEP_TEXT = {
    "file": "Aduan diterima",
    "verify": "Aduan diverifikasi petugas",
    "request_info": "Petugas meminta keterangan tambahan dari pelapor",
    "answer_info": "Keterangan tambahan diterima",
    "dispatch": "Tim Reaksi Cepat ditugaskan",
    "accept": "Tim menuju lokasi",
    "arrive": "Tim tiba di lokasi",
    "complete": "Selesai ditangani",
    "close": "Aduan ditutup",
    "auto_close": "Aduan ditutup",
    "reject": "Aduan ditolak",
    "decline": "Aduan tidak ditindaklanjuti",
    "refer": "Aduan dialihkan ke instansi yang berwenang",
    "mark_duplicate": "Aduan digabung dengan aduan serupa yang sudah ada",
}
RATED_AND_CLOSED = "Dinilai pelapor; aduan ditutup"


@dataclass(frozen=True)
class Asked:
    code: str  # LL-YYMM-NNNN
    check: str  # "" when none was given


def read(text: str, check: str = "") -> Asked | None:
    """What was asked: `ll 2611 42 k7qf`, or the code with the check part apart →
    LL-2611-0042 and K7QF; None when it cannot be a ticket code. A check part typed on
    its own wins over one typed with the code."""
    compact = re.sub(r"[\W_]+", "-", unicodedata.normalize("NFKC", text or "").upper())
    found = _CODE.match(compact.strip("-"))
    if not found:
        return None
    period, number, typed = found.groups()
    return Asked(f"LL-{period}-{int(number):04d}", clean_check(check) or clean_check(typed))


def normalize_code(text: str) -> str | None:
    """`ll 2611 42` → `LL-2611-0042`; None when it cannot be a ticket code."""
    asked = read(text)
    return asked.code if asked else None


def take_turn(address: str | None, now: datetime | None = None) -> bool:
    """Counts one lookup for the address; False once it is over the limit. Refused lookups
    count too: walking through codes faster only keeps the address waiting."""
    now = now or timezone.now()
    since = now - timedelta(seconds=WINDOW_SECONDS)
    address = (address or "unknown")[:45]
    LookupTurn.objects.filter(at__lte=since).delete()  # everyone's turns past the window
    # Written first, then counted: two processes at once both see both turns.
    LookupTurn.objects.create(address=address, at=now)
    return LookupTurn.objects.filter(address=address, at__gt=since).count() <= LIMIT


@dataclass(frozen=True)
class Step:
    text: str
    when: str


@dataclass(frozen=True)
class Found:
    code: str
    status: str
    status_label: str
    category: str
    kecamatan: str
    received: str
    outcome: str
    steps: list[Step]


def find(code: str, check: str) -> Found | None:
    """The public view of a complaint; None when unknown, when the check part is not its
    own, or when it is rahasia. One query decides all three, so none of them answers
    sooner or otherwise than another."""
    if not check:
        return None  # every complaint has one; an empty one matches none
    complaint = (
        Complaint.objects.filter(code=code, lookup_check=check)
        .exclude(confidentiality=Confidentiality.RAHASIA)
        .select_related("category", "kecamatan", "outcome")
        .first()
    )
    if complaint is None:
        return None
    steps = []
    events = complaint.events.filter(kind__in=[*STEP_TEXT, "rate"]).order_by("created_at", "pk")
    for kind, before, after, at in events.values_list(
        "kind", "from_status", "to_status", "created_at"
    ):
        if kind == "rate":
            if before == Status.DONE and after == Status.CLOSED:
                steps.append(Step(RATED_AND_CLOSED, format_wita(at)))
            continue
        steps.append(Step(STEP_TEXT[kind], format_wita(at)))
    done = complaint.status in (Status.DONE, Status.CLOSED)
    return Found(
        code=complaint.code,
        status=complaint.status,
        status_label=Status(complaint.status).label,
        category=complaint.category.name,
        kecamatan=complaint.kecamatan.name if complaint.kecamatan_id else "",
        received=format_wita(complaint.received_at),
        outcome=complaint.outcome.name if done and complaint.outcome_id else "",
        steps=steps,
    )
