"""Every change of a complaint's state, one function per step of DESIGN.md's flow.

Each step checks the actor's role and the transition, locks the row, saves, writes one
event row and queues the notifications — all in one transaction. A refused step raises
a StepRefused subclass and changes nothing. Pages, the API and WhatsApp commands call
these same functions; nothing else assigns `Complaint.status`.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from lalisa import access
from lalisa.accounts.models import User
from lalisa.complaints import flow
from lalisa.complaints.errors import InvalidStep, RoleRefused, TransitionRefused
from lalisa.complaints.lookup_check import lookup_url
from lalisa.complaints.models import (
    Category,
    Complaint,
    Confidentiality,
    Dispatch,
    Event,
    Media,
    Outcome,
    Priority,
    Rating,
    Reporter,
    Source,
    Status,
    Supporter,
)
from lalisa.complaints.tickets import next_code
from lalisa.notifications import notify
from lalisa.sla.due import refresh_due_at, set_due_times
from lalisa.timefmt import format_wita

AUTO_CLOSE_AFTER = timedelta(hours=72)


class _System:
    """The service itself, for steps no person takes (auto-close)."""

    def __str__(self):
        return "Sistem"


SYSTEM = _System()


@dataclass
class _Actor:
    role: str
    user: User | None = None
    reporter: Reporter | None = None

    @property
    def kind(self) -> str:
        if self.user is not None:
            return Event.Actor.STAFF
        if self.reporter is not None:
            return Event.Actor.CITIZEN
        return Event.Actor.SYSTEM


def _actor(actor) -> _Actor:
    if actor is SYSTEM:
        return _Actor(flow.SYSTEM)
    if isinstance(actor, Reporter):
        return _Actor(flow.CITIZEN, reporter=actor)
    if isinstance(actor, User):
        role = actor.role if actor.is_active and actor.role else ""
        return _Actor(role, user=actor)
    return _Actor("")


# --- checks ---------------------------------------------------------------------------


def _check(step: str, complaint: Complaint, who: _Actor) -> flow.Rule:
    """Role first (403), then the transition (409), then the role in this state (403)."""
    state = complaint.status
    if who.role not in flow.roles_for(step):
        raise RoleRefused(step, state, _role_reason(step))
    rule = flow.rule_for(step, state)
    if rule is None:
        raise TransitionRefused(step, state, _state_reason(step))
    if who.role not in rule.roles:
        raise RoleRefused(step, state, f"pada status ini hanya {_roles_text(rule.roles)}.")
    if step in flow.TEAM_STEPS:
        dispatch = complaint.active_dispatch
        if dispatch is None or who.user.team_id != dispatch.team_id:
            raise RoleRefused(step, state, "hanya anggota tim yang ditugaskan.")
    return rule


ROLE_NAMES = {
    flow.ADMIN: "admin",
    flow.KABID: "Kabid",
    flow.TRC: "anggota TRC",
    flow.CITIZEN: "pelapor",
    flow.SYSTEM: "sistem",
}


def _roles_text(roles) -> str:
    return " atau ".join(sorted(ROLE_NAMES.get(r, r) for r in roles))


def _role_reason(step: str) -> str:
    return f"langkah ini hanya untuk {_roles_text(flow.roles_for(step))}."


def _state_reason(step: str) -> str:
    allowed = sorted(
        {Status(s).label for r in flow.STEPS[step] for s in r.sources if s in Status.values}
    )
    return "hanya dapat dilakukan pada status " + ", ".join(allowed) + "."


def _require(step: str, complaint: Complaint, value, what: str):
    if value is None or (isinstance(value, str) and not value.strip()):
        raise InvalidStep(step, complaint.status, f"{what} wajib diisi.")
    return value.strip() if isinstance(value, str) else value


def _lock(complaint: Complaint) -> Complaint:
    """The current row, locked until the transaction ends (SQLite: the write lock is
    already held, transactions begin IMMEDIATE)."""
    return Complaint.objects.select_for_update().get(pk=complaint.pk)


def _sync(target: Complaint, source: Complaint) -> Complaint:
    """Give the caller's instance the saved values."""
    target.__dict__.update(
        {f.attname: getattr(source, f.attname) for f in Complaint._meta.concrete_fields}
    )
    return target


# --- recording ------------------------------------------------------------------------


def _record(complaint, step, who: _Actor, *, from_status, reason="", data=None) -> Event:
    return Event.objects.create(
        complaint=complaint,
        kind=step,
        actor_kind=who.kind,
        actor_user=who.user,
        actor_reporter=who.reporter,
        from_status=from_status,
        to_status=complaint.status,
        reason=reason,
        data=data or {},
    )


def _move(complaint: Complaint, to_status: str, now: datetime, *fields: str) -> None:
    complaint.status = to_status
    refresh_due_at(complaint)
    complaint.save(update_fields=["status", "due_at", "updated_at", *fields])


def _citizens(complaint: Complaint) -> list[Reporter]:
    people = [complaint.reporter] if complaint.reporter_id else []
    people += [s.reporter for s in Supporter.objects.filter(complaint=complaint)]
    seen, out = set(), []
    for person in people:
        if person.pk not in seen and notify.reachable(person):
            seen.add(person.pk)
            out.append(person)
    return out


def _tell_citizens(kind: str, complaint: Complaint, event: Event, **params) -> None:
    for person in _citizens(complaint):
        notify.queue(
            kind,
            complaint=complaint,
            event=event,
            to_reporter=person,
            code=complaint.code,
            **params,
        )


def _map_link(complaint: Complaint) -> str:
    if complaint.lat is None or complaint.lng is None:
        return ""
    return f"https://maps.google.com/?q={complaint.lat},{complaint.lng}"


def _summary(complaint: Complaint) -> dict:
    return {
        "code": complaint.code,
        "category": complaint.category.name,
        "priority": complaint.get_priority_display(),
        "description": complaint.description[:500],
        "place": complaint.place_text,
        "map_link": _map_link(complaint),
    }


# --- steps ----------------------------------------------------------------------------


@transaction.atomic
def file_complaint(
    *,
    actor,
    category: Category,
    description: str,
    source: str = Source.WHATSAPP,
    reporter: Reporter | None = None,
    confidentiality: str = Confidentiality.BIASA,
    priority: str | None = None,
    lat: Decimal | float | None = None,
    lng: Decimal | float | None = None,
    address: str = "",
    kecamatan=None,
    desa=None,
    received_at: datetime | None = None,
    reason: str = "",
) -> Complaint:
    """A new complaint: from a citizen on WhatsApp, or filed by an admin for a walk-in,
    a phone call or social media."""
    who = _actor(actor)
    probe = Complaint(status="")
    if who.role not in flow.roles_for("file"):
        raise RoleRefused("file", "", _role_reason("file"))
    if who.role == flow.CITIZEN:
        reporter, source = who.reporter, Source.WHATSAPP
    elif source == Source.WHATSAPP:
        raise InvalidStep("file", "", "aduan yang dicatat petugas harus menyebut sumbernya.")
    _require("file", probe, description, "Uraian aduan")
    if category is None or not category.active:
        raise InvalidStep("file", "", "kategori wajib dipilih dari daftar yang aktif.")
    if confidentiality not in Confidentiality.values:
        raise InvalidStep("file", "", "pilihan kerahasiaan tidak dikenal.")
    if desa is not None and kecamatan is None:
        kecamatan = desa.kecamatan
    if desa is not None and desa.kecamatan_id != kecamatan.pk:
        raise InvalidStep("file", "", "desa tidak berada di kecamatan yang dipilih.")
    now = timezone.now()
    received_at = received_at or now
    if received_at > now + timedelta(minutes=5):
        raise InvalidStep("file", "", "waktu diterima tidak boleh di masa depan.")
    complaint = Complaint(
        code=next_code(received_at),
        category=category,
        description=description.strip(),
        source=source,
        reporter=reporter,
        filed_by=who.user,
        confidentiality=confidentiality,
        priority=priority or category.default_priority,
        lat=lat,
        lng=lng,
        address=address.strip(),
        kecamatan=kecamatan,
        desa=desa,
        received_at=received_at,
        status=Status.RECEIVED,
    )
    set_due_times(complaint)
    complaint.save()
    event = _record(complaint, "file", who, from_status="", reason=reason, data={"source": source})
    receipt = {
        "category": category.name,
        "due": format_wita(complaint.due_verify_at or complaint.due_at),
    }
    if confidentiality == Confidentiality.RAHASIA:
        # Nowhere in public, not even by its check part: no check part to give.
        _tell_citizens("complaint_received_rahasia", complaint, event, **receipt)
    else:
        _tell_citizens(
            "complaint_received",
            complaint,
            event,
            check=complaint.lookup_check,
            lookup_url=lookup_url(),
            **receipt,
        )
    return complaint


@transaction.atomic
def verify(complaint: Complaint, *, actor, reason: str = "") -> Complaint:
    who = _actor(actor)
    locked = _lock(complaint)
    _check("verify", locked, who)
    before, now = locked.status, timezone.now()
    locked.verified_at = now
    _move(locked, Status.VERIFIED, now, "verified_at")
    event = _record(locked, "verify", who, from_status=before, reason=reason)
    _tell_citizens("complaint_verified", locked, event)
    for kabid in User.objects.filter(role=flow.KABID, is_active=True).exclude(whatsapp=None):
        notify.queue(
            "kabid_review", complaint=locked, event=event, to_user=kabid, **_summary(locked)
        )
    return _sync(complaint, locked)


@transaction.atomic
def request_info(complaint: Complaint, *, actor, question: str) -> Complaint:
    who = _actor(actor)
    locked = _lock(complaint)
    _check("request_info", locked, who)
    question = _require("request_info", locked, question, "Pertanyaan untuk pelapor")
    before = locked.status
    locked.status_before_info = before
    _move(locked, Status.NEEDS_INFO, timezone.now(), "status_before_info")
    event = _record(locked, "request_info", who, from_status=before, reason=question)
    _tell_citizens("complaint_needs_info", locked, event, question=question)
    return _sync(complaint, locked)


@transaction.atomic
def answer_info(complaint: Complaint, *, actor, answer: str) -> Complaint:
    """The citizen's answer returns the complaint to the state it came from."""
    who = _actor(actor)
    locked = _lock(complaint)
    _check("answer_info", locked, who)
    if who.reporter.pk != locked.reporter_id:
        raise RoleRefused("answer_info", locked.status, "hanya pelapor aduan ini.")
    answer = _require("answer_info", locked, answer, "Keterangan")
    before = locked.status
    back_to = locked.status_before_info or Status.RECEIVED
    locked.status_before_info = ""
    _move(locked, back_to, timezone.now(), "status_before_info")
    event = _record(locked, "answer_info", who, from_status=before, reason=answer)
    _tell_citizens("complaint_info_received", locked, event)
    return _sync(complaint, locked)


def _finish(step, complaint, who, to_status, *, reason, kind, fields=(), data=None, **params):
    before = complaint.status
    complaint.final_reason = reason
    complaint.status_before_info = ""
    _move(complaint, to_status, timezone.now(), "final_reason", "status_before_info", *fields)
    event = _record(complaint, step, who, from_status=before, reason=reason, data=data)
    _tell_citizens(kind, complaint, event, reason=reason, **params)
    return event


@transaction.atomic
def reject(complaint: Complaint, *, actor, reason: str, reason_code: str = "") -> Complaint:
    who = _actor(actor)
    locked = _lock(complaint)
    _check("reject", locked, who)
    reason = _require("reject", locked, reason, "Alasan penolakan")
    _finish(
        "reject",
        locked,
        who,
        Status.REJECTED,
        reason=reason,
        kind="complaint_rejected",
        data={"reason_code": reason_code},
    )
    return _sync(complaint, locked)


@transaction.atomic
def decline(complaint: Complaint, *, actor, reason: str) -> Complaint:
    """The Kabid decides the complaint needs no follow-up."""
    who = _actor(actor)
    locked = _lock(complaint)
    _check("decline", locked, who)
    reason = _require("decline", locked, reason, "Alasan")
    _finish("decline", locked, who, Status.REJECTED, reason=reason, kind="complaint_rejected")
    return _sync(complaint, locked)


@transaction.atomic
def refer(complaint: Complaint, *, actor, agency: str, reason: str = "") -> Complaint:
    who = _actor(actor)
    locked = _lock(complaint)
    _check("refer", locked, who)
    agency = _require("refer", locked, agency, "Instansi tujuan")
    locked.referred_to = agency
    _finish(
        "refer",
        locked,
        who,
        Status.REFERRED,
        reason=reason,
        kind="complaint_referred",
        fields=("referred_to",),
        data={"agency": agency},
        agency=agency,
    )
    return _sync(complaint, locked)


@transaction.atomic
def mark_duplicate(complaint: Complaint, *, actor, of: Complaint, reason: str = "") -> Complaint:
    """Merge into an earlier complaint; this one's reporter follows the original."""
    who = _actor(actor)
    original = of
    while original.duplicate_of_id:
        original = original.duplicate_of
    # Lock both in a fixed order so two merges cannot deadlock.
    first, second = sorted([complaint.pk, original.pk])
    rows = {c.pk: c for c in Complaint.objects.select_for_update().filter(pk__in=[first, second])}
    locked = rows[complaint.pk]
    _check("mark_duplicate", locked, who)
    if original.pk == complaint.pk:
        raise InvalidStep(
            "mark_duplicate", locked.status, "aduan tidak dapat digabung ke dirinya."
        )
    original = rows[original.pk]
    if original.status == Status.DUPLICATE:
        raise InvalidStep("mark_duplicate", locked.status, "aduan asal juga duplikat.")
    locked.duplicate_of = original
    if locked.reporter_id and locked.reporter_id != original.reporter_id:
        Supporter.objects.get_or_create(complaint=original, reporter_id=locked.reporter_id)
    _finish(
        "mark_duplicate",
        locked,
        who,
        Status.DUPLICATE,
        reason=reason,
        kind="complaint_duplicate",
        fields=("duplicate_of",),
        data={"of": original.code},
        original=original.code,
    )
    Event.objects.create(
        complaint=original,
        kind="merged",
        actor_kind=who.kind,
        actor_user=who.user,
        reason=reason,
        data={"duplicate": locked.code},
    )
    return _sync(complaint, locked)


@transaction.atomic
def dispatch(complaint: Complaint, *, actor, team, reason: str = "") -> Complaint:
    """Approve the follow-up and send a TRC team; or send another team instead."""
    who = _actor(actor)
    locked = _lock(complaint)
    _check("dispatch", locked, who)
    if team is None or not team.active:
        raise InvalidStep("dispatch", locked.status, "pilih tim TRC yang aktif.")
    now = timezone.now()
    before = locked.status
    previous = locked.active_dispatch
    if previous is not None:
        if previous.team_id == team.pk:
            raise InvalidStep("dispatch", before, f"tim {team} sudah ditugaskan pada aduan ini.")
        previous.replaced_at = now
        previous.save(update_fields=["replaced_at"])
    Dispatch.objects.create(complaint=locked, team=team, dispatched_by=who.user, dispatched_at=now)
    locked.dispatched_at = locked.dispatched_at or now
    locked.accepted_at = None
    _move(locked, Status.DISPATCHED, now, "dispatched_at", "accepted_at")
    data = {"team": team.name, "team_id": team.pk}
    if previous is not None:
        data["replaced_team"] = previous.team.name
    event = _record(locked, "dispatch", who, from_status=before, reason=reason, data=data)
    _tell_citizens("complaint_dispatched", locked, event, team=team.name)
    summary = _summary(locked)
    for member in team.members.filter(is_active=True).exclude(whatsapp=None):
        notify.queue("trc_dispatch", complaint=locked, event=event, to_user=member, **summary)
    if previous is not None:
        for member in previous.team.members.filter(is_active=True).exclude(whatsapp=None):
            notify.queue(
                "trc_dispatch_cancelled",
                complaint=locked,
                event=event,
                to_user=member,
                code=locked.code,
                team=previous.team.name,
            )
    return _sync(complaint, locked)


@transaction.atomic
def accept(complaint: Complaint, *, actor, reason: str = "") -> Complaint:
    who = _actor(actor)
    locked = _lock(complaint)
    _check("accept", locked, who)
    active, now, before = locked.active_dispatch, timezone.now(), locked.status
    Dispatch.objects.filter(pk=active.pk).update(accepted_at=now, accepted_by=who.user)
    locked.accepted_at = now
    _move(locked, Status.ACCEPTED, now, "accepted_at")
    event = _record(
        locked, "accept", who, from_status=before, reason=reason, data={"team": active.team.name}
    )
    _tell_citizens("complaint_team_on_way", locked, event, team=active.team.name)
    return _sync(complaint, locked)


@transaction.atomic
def arrive(complaint: Complaint, *, actor, reason: str = "") -> Complaint:
    who = _actor(actor)
    locked = _lock(complaint)
    _check("arrive", locked, who)
    active, now, before = locked.active_dispatch, timezone.now(), locked.status
    Dispatch.objects.filter(pk=active.pk).update(arrived_at=now)
    locked.on_site_at = now
    _move(locked, Status.ON_SITE, now, "on_site_at")
    event = _record(
        locked, "arrive", who, from_status=before, reason=reason, data={"team": active.team.name}
    )
    _tell_citizens("complaint_team_on_site", locked, event, team=active.team.name)
    return _sync(complaint, locked)


@transaction.atomic
def complete(
    complaint: Complaint,
    *,
    actor,
    note: str,
    outcome,
    photos: list[int] | None = None,
    citizen_photo: int | None = None,
) -> Complaint:
    """The team's report: outcome, note and the photos (ids of media on the complaint);
    `citizen_photo`, one of those photos, goes to the citizen with the result."""
    who = _actor(actor)
    locked = _lock(complaint)
    _check("complete", locked, who)
    note = _require("complete", locked, note, "Catatan tim")
    if isinstance(outcome, str):
        outcome = Outcome.objects.filter(code=outcome, active=True).first()
    if outcome is None or not outcome.active:
        raise InvalidStep("complete", locked.status, "hasil penanganan wajib dipilih.")
    photo_ids = list(photos or [])
    found = Media.objects.filter(complaint=locked, pk__in=photo_ids)
    if found.count() != len(set(photo_ids)):
        raise InvalidStep("complete", locked.status, "foto tidak ditemukan pada aduan ini.")
    if citizen_photo is not None and (
        citizen_photo not in photo_ids
        or not found.filter(pk=citizen_photo, kind=Media.Kind.IMAGE).exists()
    ):
        raise InvalidStep(
            "complete", locked.status, "foto untuk pelapor harus salah satu foto laporan."
        )
    active, now, before = locked.active_dispatch, timezone.now(), locked.status
    found.update(dispatch=active)
    if citizen_photo is not None:
        Media.objects.filter(pk=citizen_photo).update(for_citizen=True)
    Dispatch.objects.filter(pk=active.pk).update(
        completed_at=now, completed_by=who.user, outcome=outcome, report_text=note
    )
    locked.done_at, locked.outcome = now, outcome
    _move(locked, Status.DONE, now, "done_at", "outcome")
    event = _record(
        locked,
        "complete",
        who,
        from_status=before,
        reason=note,
        data={
            "team": active.team.name,
            "outcome": outcome.code,
            "photos": sorted(set(photo_ids)),
            **({"citizen_photo": citizen_photo} if citizen_photo is not None else {}),
        },
    )
    _tell_citizens("complaint_done", locked, event, outcome=outcome.name, note=note)
    return _sync(complaint, locked)


@transaction.atomic
def rate(complaint: Complaint, *, actor, score: int, comment: str = "") -> Complaint:
    """A citizen's rating, 1–5. The reporter's rating closes a complaint that is done."""
    who = _actor(actor)
    locked = _lock(complaint)
    rule = _check("rate", locked, who)
    person = who.reporter
    is_reporter = person.pk == locked.reporter_id
    if (
        not is_reporter
        and not Supporter.objects.filter(complaint=locked, reporter=person).exists()
    ):
        raise RoleRefused("rate", locked.status, "hanya pelapor atau pendukung aduan ini.")
    if not isinstance(score, int) or not 1 <= score <= 5:
        raise InvalidStep("rate", locked.status, "nilai harus 1 sampai 5.")
    if Rating.objects.filter(complaint=locked, reporter=person).exists():
        raise InvalidStep("rate", locked.status, "aduan ini sudah Anda nilai.")
    Rating.objects.create(complaint=locked, reporter=person, score=score, comment=comment.strip())
    before = locked.status
    if rule.target == Status.CLOSED and is_reporter:
        locked.closed_at = timezone.now()
        _move(locked, Status.CLOSED, locked.closed_at, "closed_at")
    event = _record(
        locked, "rate", who, from_status=before, reason=comment.strip(), data={"score": score}
    )
    notify.queue(
        "complaint_rated", complaint=locked, event=event, to_reporter=person, code=locked.code
    )
    return _sync(complaint, locked)


@transaction.atomic
def comment_rating(complaint: Complaint, *, actor, comment: str) -> Complaint:
    """The citizen who rated adds a comment to their rating (the bot asks after the score);
    a second comment is added below the first. No change of state, nobody is told."""
    who = _actor(actor)
    locked = _lock(complaint)
    if who.role != flow.CITIZEN:
        raise RoleRefused("rating_comment", locked.status, "hanya warga yang memberi penilaian.")
    comment = _require("rating_comment", locked, comment, "Komentar")
    rating = (
        Rating.objects.select_for_update().filter(complaint=locked, reporter=who.reporter).first()
    )
    if rating is None:
        raise InvalidStep("rating_comment", locked.status, "aduan ini belum Anda nilai.")
    rating.comment = f"{rating.comment}\n{comment}" if rating.comment else comment
    rating.save(update_fields=["comment"])
    _record(locked, "rating_comment", who, from_status=locked.status, reason=comment)
    return _sync(complaint, locked)


def check_reply(complaint: Complaint, *, actor) -> None:
    """Whether the actor may write to the reporter (RoleRefused if not): admin or Kabid, and
    only to a reporter whose identity they may see. The API asks before reading the text."""
    who = _actor(actor)
    if who.role not in access.REPLY_ROLES:
        raise RoleRefused(
            "reply", complaint.status, "hanya admin atau Kabid yang membalas pelapor."
        )
    if not access.can_reply(who.user, complaint):
        raise RoleRefused(
            "reply", complaint.status, "pelapor anonim atau rahasia hanya dibalas oleh admin."
        )


@transaction.atomic
def reply(complaint: Complaint, *, actor, text: str) -> Complaint:
    """Staff write to the reporter in the complaint's chat: a normal message inside the
    24-hour window, the approved template outside it. No change of state."""
    who = _actor(actor)
    locked = _lock(complaint)
    check_reply(locked, actor=actor)
    text = _require("reply", locked, text, "Isi balasan")
    person = locked.reporter
    if not notify.reachable(person):
        raise InvalidStep("reply", locked.status, "pelapor tidak punya nomor WhatsApp.")
    event = _record(locked, "reply", who, from_status=locked.status, reason=text)
    notify.queue(
        "staff_reply",
        complaint=locked,
        event=event,
        to_reporter=person,
        code=locked.code,
        message=text,
    )
    return _sync(complaint, locked)


@transaction.atomic
def close(complaint: Complaint, *, actor, reason: str = "") -> Complaint:
    who = _actor(actor)
    locked = _lock(complaint)
    _check("close", locked, who)
    before = locked.status
    locked.closed_at = timezone.now()
    _move(locked, Status.CLOSED, locked.closed_at, "closed_at")
    event = _record(locked, "close", who, from_status=before, reason=reason)
    _tell_citizens("complaint_closed", locked, event)
    return _sync(complaint, locked)


@transaction.atomic
def auto_close(complaint: Complaint, *, actor=SYSTEM, now: datetime | None = None) -> Complaint:
    """Closes a complaint done 72 hours ago that nobody rated."""
    who = _actor(actor)
    locked = _lock(complaint)
    _check("auto_close", locked, who)
    now = now or timezone.now()
    if locked.done_at is None or now - locked.done_at < AUTO_CLOSE_AFTER:
        raise TransitionRefused("auto_close", locked.status, "belum 72 jam sejak selesai.")
    before = locked.status
    locked.closed_at = now
    _move(locked, Status.CLOSED, now, "closed_at")
    event = _record(
        locked, "auto_close", who, from_status=before, reason="Tidak ada penilaian dalam 72 jam."
    )
    _tell_citizens("complaint_closed", locked, event)
    return _sync(complaint, locked)


@transaction.atomic
def support(complaint: Complaint, *, actor, note: str = "") -> Complaint:
    """A citizen joins someone else's open complaint as a supporter: told of its progress
    from now on and asked to rate it. The complaint's state does not change."""
    who = _actor(actor)
    locked = _lock(complaint)
    _check("support", locked, who)
    person = who.reporter
    if person.pk == locked.reporter_id:
        raise InvalidStep("support", locked.status, "Anda adalah pelapor aduan ini.")
    if locked.confidentiality == Confidentiality.RAHASIA:
        # DESIGN.md: a confidential complaint is never offered to other citizens.
        raise InvalidStep("support", locked.status, "aduan ini tidak dapat didukung.")
    if Supporter.objects.filter(complaint=locked, reporter=person).exists():
        raise InvalidStep("support", locked.status, "Anda sudah mendukung aduan ini.")
    Supporter.objects.create(complaint=locked, reporter=person)
    note = (note or "").strip()
    event = _record(locked, "support", who, from_status=locked.status, reason=note)
    if notify.reachable(person):
        notify.queue(
            "complaint_supported",
            complaint=locked,
            event=event,
            to_reporter=person,
            code=locked.code,
            category=locked.category.name,
            status=Status(locked.status).label,
        )
    return _sync(complaint, locked)


CORRECTABLE = ("category", "priority", "lat", "lng", "address", "kecamatan", "desa")


@transaction.atomic
def correct(complaint: Complaint, *, actor, reason: str = "", **changes) -> Complaint:
    """The admin corrects category, priority or location. A new priority re-times the SLA."""
    who = _actor(actor)
    locked = _lock(complaint)
    _check("correct", locked, who)
    unknown = set(changes) - set(CORRECTABLE)
    if unknown:
        raise InvalidStep("correct", locked.status, "tidak dapat diubah: " + ", ".join(unknown))
    if "priority" in changes and changes["priority"] not in Priority.values:
        raise InvalidStep("correct", locked.status, "prioritas tidak dikenal.")
    diff = {}
    for name, value in changes.items():
        old = getattr(locked, name)
        if old != value:
            diff[name] = [_plain(old), _plain(value)]
            setattr(locked, name, value)
    if not diff:
        return _sync(complaint, locked)
    if locked.desa_id and locked.kecamatan_id != locked.desa.kecamatan_id:
        raise InvalidStep("correct", locked.status, "desa tidak berada di kecamatan itu.")
    fields = [f.removesuffix("_id") for f in diff]
    if "priority" in diff:
        fields += set_due_times(locked)
    locked.save(update_fields=sorted(set(fields) | {"updated_at"}))
    _record(
        locked, "correct", who, from_status=locked.status, reason=reason, data={"changes": diff}
    )
    return _sync(complaint, locked)


def _plain(value):
    if value is None or isinstance(value, (str, int, float)):
        return value
    return str(value)


def close_unrated(now: datetime | None = None) -> list[str]:
    """Auto-close every complaint done more than 72 hours ago (the scheduler runs this)."""
    now = now or timezone.now()
    due = Complaint.objects.filter(status=Status.DONE, done_at__lte=now - AUTO_CLOSE_AFTER)
    closed = []
    for complaint in due.only("pk"):
        try:
            closed.append(auto_close(complaint, now=now).code)
        except TransitionRefused:
            continue  # rated or closed by someone meanwhile
    return closed
