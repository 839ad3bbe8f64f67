"""DESIGN.md's flow table as data: which step leaves which state, by whom, to where.

The workflow module enforces it; lalisa.access reads it to say what a user may do.
"""

from dataclasses import dataclass

from lalisa.complaints.models import Status

ADMIN, KABID, TRC, PIMPINAN, SUPERADMIN = "admin", "kabid", "trc", "pimpinan", "superadmin"
CITIZEN, SYSTEM = "citizen", "system"

# A target of None means "back where it was" (needs_info) or "no change of state".
BACK = "back"


@dataclass(frozen=True)
class Rule:
    sources: frozenset[str]
    roles: frozenset[str]
    target: str | None


def rule(sources, roles, target):
    return Rule(frozenset(sources), frozenset(roles), target)


S = Status
STEPS: dict[str, list[Rule]] = {
    "file": [rule({""}, {ADMIN, CITIZEN}, S.RECEIVED)],
    "verify": [rule({S.RECEIVED}, {ADMIN}, S.VERIFIED)],
    "request_info": [
        rule({S.RECEIVED}, {ADMIN}, S.NEEDS_INFO),
        rule({S.VERIFIED}, {ADMIN, KABID}, S.NEEDS_INFO),
    ],
    "answer_info": [rule({S.NEEDS_INFO}, {CITIZEN}, BACK)],
    "reject": [rule({S.RECEIVED, S.NEEDS_INFO}, {ADMIN}, S.REJECTED)],
    "refer": [
        rule({S.RECEIVED}, {ADMIN}, S.REFERRED),
        rule({S.VERIFIED}, {ADMIN, KABID}, S.REFERRED),
    ],
    "mark_duplicate": [rule({S.RECEIVED}, {ADMIN}, S.DUPLICATE)],
    "dispatch": [
        rule({S.VERIFIED}, {KABID}, S.DISPATCHED),
        rule({S.DISPATCHED, S.ACCEPTED}, {KABID}, S.DISPATCHED),
    ],
    "decline": [rule({S.VERIFIED}, {KABID}, S.REJECTED)],
    "accept": [rule({S.DISPATCHED}, {TRC}, S.ACCEPTED)],
    "arrive": [rule({S.ACCEPTED}, {TRC}, S.ON_SITE)],
    "complete": [rule({S.ON_SITE}, {TRC}, S.DONE)],
    "rate": [
        rule({S.DONE}, {CITIZEN}, S.CLOSED),
        rule({S.CLOSED}, {CITIZEN}, None),
    ],
    "close": [rule({S.DONE}, {ADMIN, KABID}, S.CLOSED)],
    "auto_close": [rule({S.DONE}, {SYSTEM}, S.CLOSED)],
    "correct": [
        rule(
            {S.RECEIVED, S.NEEDS_INFO, S.VERIFIED, S.DISPATCHED, S.ACCEPTED, S.ON_SITE},
            {ADMIN},
            None,
        )
    ],
    # Another citizen joins an open complaint (the bot's offer of a nearby one like theirs).
    "support": [
        rule(
            {S.RECEIVED, S.NEEDS_INFO, S.VERIFIED, S.DISPATCHED, S.ACCEPTED, S.ON_SITE},
            {CITIZEN},
            None,
        )
    ],
}

STEP_LABELS = {
    "file": "catat aduan",
    "verify": "verifikasi",
    "request_info": "minta keterangan",
    "answer_info": "jawaban keterangan",
    "reject": "tolak",
    "refer": "alihkan",
    "mark_duplicate": "gabungkan (duplikat)",
    "dispatch": "tugaskan tim",
    "decline": "tolak tindak lanjut",
    "accept": "terima tugas",
    "arrive": "tiba di lokasi",
    "complete": "selesaikan",
    "rate": "beri penilaian",
    "close": "tutup",
    "auto_close": "tutup otomatis",
    "correct": "koreksi data",
    "support": "dukung aduan",
    # Not a step of the flow (no state is left), labelled for refusals and the timeline.
    "rating_comment": "komentar penilaian",
    "reply": "balasan petugas",
}

# Steps whose actor must belong to the team of the complaint's active dispatch.
TEAM_STEPS = frozenset({"accept", "arrive", "complete"})


def roles_for(step: str) -> frozenset[str]:
    """Every role that may take the step in some state."""
    return frozenset().union(*(r.roles for r in STEPS[step]))


def rule_for(step: str, status: str) -> Rule | None:
    return next((r for r in STEPS[step] if status in r.sources), None)


def steps_from(status: str) -> list[str]:
    return [step for step, rules in STEPS.items() if any(status in r.sources for r in rules)]
