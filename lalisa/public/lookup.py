"""The public status lookup by ticket code.

What it shows (DESIGN.md, confidentiality): status, category, kecamatan and the steps with
their dates; never a name, a number, the description, a photo, a reason typed by staff,
a team or who took a step. A *rahasia* complaint appears nowhere in public, so the lookup
answers for it exactly as for a code that does not exist: the answer must not even tell
that such a complaint exists. Lookups are throttled per client address, because codes are
numbered in sequence and could otherwise be walked through.
"""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from lalisa.complaints.models import Complaint, Confidentiality, Status
from lalisa.public.models import LookupTurn
from lalisa.timefmt import format_wita

LIMIT = 10  # lookups per address …
WINDOW_SECONDS = 10 * 60  # … per ten minutes

_CODE = re.compile(r"^LL-?(\d{4})-?(\d{1,6})$")

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


def normalize_code(text: str) -> str | None:
    """`ll 2611 42` → `LL-2611-0042`; None when it cannot be a ticket code."""
    compact = re.sub(r"[\s_.]+", "-", (text or "").strip().upper())
    compact = re.sub(r"-+", "-", compact)
    found = _CODE.match(compact)
    if not found:
        return None
    period, number = found.groups()
    return f"LL-{period}-{int(number):04d}"


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


def find(code: str) -> Found | None:
    """The public view of a complaint; None when unknown or rahasia."""
    complaint = (
        Complaint.objects.filter(code=code)
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
