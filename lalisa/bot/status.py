"""A complaint's status as its citizen reads it: plain words, the latest step, WITA time."""

from django.db.models import Q

from lalisa.bot.texts import say
from lalisa.complaints.lookup_check import lookup_url
from lalisa.complaints.models import FINAL_STATUSES, Complaint, Confidentiality, Reporter, Status
from lalisa.timefmt import format_wita

# What each event means to the citizen (the staff's names are in flow.STEP_LABELS).
STEP_WORDS = {
    "file": "aduan diterima",
    "verify": "diverifikasi petugas",
    "request_info": "petugas meminta keterangan",
    "answer_info": "keterangan Anda diterima",
    "reject": "ditolak",
    "decline": "tidak ditindaklanjuti",
    "refer": "dialihkan",
    "mark_duplicate": "digabung dengan aduan lain",
    "dispatch": "tim ditugaskan",
    "accept": "tim menuju lokasi",
    "arrive": "tim tiba di lokasi",
    "complete": "selesai ditangani",
    "rate": "penilaian diberikan",
    "close": "ditutup",
    "auto_close": "ditutup",
    "correct": "data aduan diperbarui petugas",
    "support": "warga lain ikut mendukung",
    "rating_comment": "komentar penilaian diberikan",
    "reply": "petugas membalas pesan Anda",
}


def mine(reporter: Reporter):
    """Complaints the citizen filed or joined; nobody else's."""
    return Complaint.objects.filter(
        Q(reporter=reporter) | Q(supporter__reporter=reporter)
    ).distinct()


def running(reporter: Reporter):
    """The citizen's complaints still in hand (done counts: the rating is awaited)."""
    return mine(reporter).exclude(status__in=FINAL_STATUSES).order_by("-received_at")


def explanation(complaint: Complaint) -> str:
    original = complaint.duplicate_of.code if complaint.duplicate_of_id else "-"
    return say(
        f"bot_state_{complaint.status}",
        reason=complaint.final_reason or "-",
        agency_to=complaint.referred_to or "instansi lain",
        original=original,
    )


def describe(complaint: Complaint, asker: Reporter | None = None) -> str:
    """The status; for its reporter, also the check part the public lookup asks for (a
    supporter was never given it, and a rahasia complaint is not in public at all)."""
    event = complaint.events.order_by("-created_at", "-id").first()
    last_step = STEP_WORDS.get(event.kind, event.kind) if event else STEP_WORDS["file"]
    when = format_wita(event.created_at if event else complaint.received_at)
    text = say(
        "bot_status",
        code=complaint.code,
        category=complaint.category.name,
        status=Status(complaint.status).label,
        explanation=explanation(complaint),
        last_step=last_step,
        when=when,
    )
    own = asker is not None and complaint.reporter_id == asker.pk
    if own and complaint.confidentiality != Confidentiality.RAHASIA:
        text += "\n" + say(
            "bot_status_check", check=complaint.lookup_check, lookup_url=lookup_url()
        )
    return text
