"""Warnings about late complaints (run every 5 minutes by `tasks.escalate`).

- verification late (received, or waiting for the citizen before verification) and dispatch
  late (verified) → every active Kabid, once per complaint per stage;
- handling late (dispatched, accepted, on site; the team not on site by due_on_site_at, or
  not done by due_done_at) → every active pimpinan, once per complaint;
- a dispatch not accepted within ACCEPT_WAIT → the team's members, once; still not accepted
  after twice that → every active Kabid, once per dispatch.

"Once" is the Escalation row's unique key, written in the transaction that queues the
notifications. The notifications go to WhatsApp and stay as the user's Notification rows,
also for users without a WhatsApp number (their row records why it was not sent).
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from lalisa.accounts.models import Role, User
from lalisa.complaints.models import Complaint, Dispatch, Priority, Status
from lalisa.escalation.models import Escalation
from lalisa.notifications import notify
from lalisa.timefmt import format_wita

log = logging.getLogger(__name__)

# How long a team has to accept a dispatch before it is reminded; the Kabid hears of it
# after twice as long.
ACCEPT_WAIT = {Priority.URGENT: timedelta(minutes=30), Priority.NORMAL: timedelta(hours=2)}

VERIFY_LATE = "escalation_verify_late"
DISPATCH_LATE = "escalation_dispatch_late"
DONE_LATE = "escalation_done_late"
ACCEPT_REMINDER = "trc_accept_reminder"
NOT_ACCEPTED = "escalation_not_accepted"

HANDLING = (Status.DISPATCHED, Status.ACCEPTED, Status.ON_SITE)


# --- which complaints and dispatches are late ---------------------------------------------


def verify_late(now: datetime) -> QuerySet:
    # needs_info asked before verification ("" or received) still waits for verification.
    waiting = Q(status=Status.RECEIVED) | Q(
        status=Status.NEEDS_INFO, status_before_info__in=["", Status.RECEIVED]
    )
    return Complaint.objects.filter(waiting, due_verify_at__lt=now)


def dispatch_late(now: datetime) -> QuerySet:
    waiting = Q(status=Status.VERIFIED) | Q(
        status=Status.NEEDS_INFO, status_before_info=Status.VERIFIED
    )
    return Complaint.objects.filter(waiting, due_dispatch_at__lt=now)


def _on_site_late(now: datetime) -> Q:
    # Urgent complaints are due on site; arriving in time ends that clock.
    return Q(due_on_site_at__lt=now) & (
        Q(on_site_at__isnull=True) | Q(on_site_at__gt=F("due_on_site_at"))
    )


def done_late(now: datetime) -> QuerySet:
    return Complaint.objects.filter(
        Q(due_done_at__lt=now) | _on_site_late(now), status__in=HANDLING
    )


def _unaccepted(now: datetime, factor: int) -> QuerySet:
    """Current dispatches not accepted within `factor` times the priority's wait."""
    urgent = Q(complaint__priority=Priority.URGENT)
    waited = (urgent & Q(dispatched_at__lte=now - factor * ACCEPT_WAIT[Priority.URGENT])) | (
        ~urgent & Q(dispatched_at__lte=now - factor * ACCEPT_WAIT[Priority.NORMAL])
    )
    return Dispatch.objects.filter(
        waited,
        replaced_at__isnull=True,
        accepted_at__isnull=True,
        complaint__status=Status.DISPATCHED,
    )


def reminder_due(now: datetime) -> QuerySet:
    return _unaccepted(now, 1)


def kabid_due(now: datetime) -> QuerySet:
    return _unaccepted(now, 2)


# --- who hears it, and what ---------------------------------------------------------------


def _staff(role: str) -> QuerySet:
    return User.objects.filter(role=role, is_active=True).order_by("pk")


def _place(complaint: Complaint) -> str:
    parts = [complaint.address, complaint.desa.name if complaint.desa_id else ""]
    parts.append(f"Kec. {complaint.kecamatan.name}" if complaint.kecamatan_id else "")
    return ", ".join(p for p in parts if p) or "-"


def _about(complaint: Complaint) -> dict:
    return {
        "code": complaint.code,
        "category": complaint.category.name,
        "priority": complaint.get_priority_display(),
    }


def _handling_due(complaint: Complaint, now: datetime) -> datetime | None:
    on_site, arrived = complaint.due_on_site_at, complaint.on_site_at
    if on_site and on_site < now and not (arrived and arrived <= on_site):
        return on_site
    return complaint.due_done_at


def _team_name(complaint: Complaint) -> str:
    active = complaint.active_dispatch
    return active.team.name if active else "-"


@dataclass(frozen=True)
class Rule:
    kind: str
    candidates: Callable[[datetime], QuerySet]  # of Complaint, or of Dispatch
    recipients: Callable[[object], QuerySet]
    params: Callable[[object, datetime], dict]
    per_dispatch: bool = False  # candidates are Dispatch rows


def _dispatch_params(d: Dispatch, now: datetime) -> dict:
    return {
        **_about(d.complaint),
        "team": d.team.name,
        "dispatched": format_wita(d.dispatched_at),
        "place": _place(d.complaint),
    }


RULES = (
    Rule(
        VERIFY_LATE,
        verify_late,
        lambda c: _staff(Role.KABID),
        lambda c, now: {**_about(c), "due": format_wita(c.due_verify_at)},
    ),
    Rule(
        DISPATCH_LATE,
        dispatch_late,
        lambda c: _staff(Role.KABID),
        lambda c, now: {**_about(c), "due": format_wita(c.due_dispatch_at)},
    ),
    Rule(
        DONE_LATE,
        done_late,
        lambda c: _staff(Role.PIMPINAN),
        lambda c, now: {
            **_about(c),
            "due": format_wita(_handling_due(c, now)),
            "team": _team_name(c),
            "status": c.get_status_display(),
        },
    ),
    # The team is reminded before the Kabid is told (both may fall due in one run).
    Rule(
        ACCEPT_REMINDER,
        reminder_due,
        lambda d: _staff(Role.TRC).filter(team_id=d.team_id),
        _dispatch_params,
        per_dispatch=True,
    ),
    Rule(
        NOT_ACCEPTED,
        kabid_due,
        lambda d: _staff(Role.KABID),
        _dispatch_params,
        per_dispatch=True,
    ),
)


# --- sending, once ------------------------------------------------------------------------


def _send(rule: Rule, pk: int, now: datetime) -> bool:
    """Warn about one complaint or dispatch; False when it is no longer late or another
    run already did."""
    candidates = rule.candidates(now).filter(pk=pk)
    complaint_id = (
        candidates.values_list("complaint_id", flat=True).first() if rule.per_dispatch else pk
    )
    try:
        with transaction.atomic():
            # The workflow locks the complaint for every step: hold it while re-checking, so
            # a step taken meanwhile is seen.
            list(Complaint.objects.select_for_update().filter(pk=complaint_id).values("pk"))
            if rule.per_dispatch:
                obj = candidates.select_related("team", "complaint__category").first()
                complaint = obj.complaint if obj else None
            else:
                obj = complaint = candidates.select_related("category").first()
            if obj is None:
                return False
            recipients = list(rule.recipients(obj))
            Escalation.objects.create(
                complaint=complaint,
                kind=rule.kind,
                dispatch=obj if rule.per_dispatch else None,
                recipients=len(recipients),
                created_at=now,
            )
            params = rule.params(obj, now)
            for user in recipients:
                notify.queue(rule.kind, complaint=complaint, to_user=user, **params)
    except IntegrityError:
        return False  # another run sent this warning first
    log.info("escalation %s for %s to %d users", rule.kind, complaint.code, len(recipients))
    return True


def escalate(now: datetime | None = None) -> list[str]:
    """Send every warning due at `now` that was not sent before; return "CODE kind" each."""
    now = now or timezone.now()
    sent = []
    for rule in RULES:
        due = rule.candidates(now).exclude(escalations__kind=rule.kind)
        label = "complaint__code" if rule.per_dispatch else "code"
        for pk, code in due.order_by("pk").values_list("pk", label):
            if _send(rule, pk, now):
                sent.append(f"{code} {rule.kind}")
    return sent
