"""Due times of a complaint from the SLA targets in force when it was received.

Every datetime returned here is aware and in WITA.
"""

from __future__ import annotations

import bisect
import datetime as dt

from django.utils import timezone

from lalisa.complaints.models import Status
from lalisa.sla.calendar import WITA, WorkingCalendar
from lalisa.sla.models import SlaTarget, Stage, Unit

# Stage order; "fall forward" walks this list.
STAGES: tuple[str, ...] = tuple(stage.value for stage in Stage)

DUE_FIELDS: dict[str, str] = {
    "verify": "due_verify_at",
    "dispatch": "due_dispatch_at",
    "on_site": "due_on_site_at",
    "done": "due_done_at",
}

# The stage a status waits for. Statuses not listed (done and final ones) wait for nothing.
STATUS_STAGE: dict[str, str] = {
    Status.RECEIVED: "verify",
    Status.VERIFIED: "dispatch",
    Status.DISPATCHED: "on_site",
    Status.ACCEPTED: "on_site",
    Status.ON_SITE: "done",
}


def _require_aware(moment: dt.datetime) -> None:
    if timezone.is_naive(moment):
        raise ValueError("an aware datetime is needed")


def targets_for(priority: str, at: dt.datetime) -> dict[str, SlaTarget]:
    """Per stage, the target for `priority` with the latest effective_from <= `at`."""
    _require_aware(at)
    rows = SlaTarget.objects.filter(priority=priority, effective_from__lte=at).order_by(
        "stage", "-effective_from"
    )
    found: dict[str, SlaTarget] = {}
    for target in rows:
        found.setdefault(target.stage, target)
    return found


class DueClock:
    """Due times for many complaints at once: targets and days off are read once.

    `due_times` is one DueClock used once; the seeder keeps one for a whole run.
    """

    def __init__(self, window_days: int = 60):
        self.calendar = WorkingCalendar(window_days=window_days)
        self._targets: dict[tuple[str, str], list[SlaTarget]] = {}
        for target in SlaTarget.objects.order_by("effective_from"):
            self._targets.setdefault((target.priority, target.stage), []).append(target)
        self._starts = {k: [t.effective_from for t in v] for k, v in self._targets.items()}

    def target(self, priority: str, stage: str, at: dt.datetime) -> SlaTarget | None:
        """The target in force at `at`: the latest with effective_from <= at."""
        starts = self._starts.get((priority, stage))
        index = bisect.bisect_right(starts, at) - 1 if starts else -1
        return self._targets[(priority, stage)][index] if index >= 0 else None

    def due(self, priority: str, received_at: dt.datetime) -> dict[str, dt.datetime | None]:
        _require_aware(received_at)
        due: dict[str, dt.datetime | None] = {}
        for stage in STAGES:
            target = self.target(priority, stage, received_at)
            if target is None:
                due[stage] = None
            elif target.unit == Unit.MINUTES:
                due[stage] = (received_at + dt.timedelta(minutes=target.amount)).astimezone(WITA)
            elif target.unit == Unit.WORKING_DAYS:
                due[stage] = self.calendar.add_working_days(received_at, target.amount)
            else:
                raise ValueError(f"unknown SLA unit {target.unit!r}")
        return due


def due_times(priority: str, received_at: dt.datetime) -> dict[str, dt.datetime | None]:
    """Due time per stage ("verify", "dispatch", "on_site", "done"); None where no target."""
    return DueClock().due(priority, received_at)


def set_due_times(complaint) -> list[str]:
    """Set the per-stage due fields and due_at; return the names of fields that changed.

    Does not save: pass the result to save(update_fields=...).
    """
    due = due_times(complaint.priority, complaint.received_at)
    changed = []
    for stage, field in DUE_FIELDS.items():
        if getattr(complaint, field) != due[stage]:
            setattr(complaint, field, due[stage])
            changed.append(field)
    old_due_at = complaint.due_at
    refresh_due_at(complaint)
    if complaint.due_at != old_due_at:
        changed.append("due_at")
    return changed


def current_due(complaint) -> tuple[str, dt.datetime] | None:
    """(stage, due time) the complaint waits for now, or None when nothing is due.

    A stage without a due time for this priority falls forward to the next stage that has one.
    """
    status = complaint.status
    if status == Status.NEEDS_INFO:
        # Blank means it was asked before verification, i.e. from "received".
        status = complaint.status_before_info or Status.RECEIVED
    stage = STATUS_STAGE.get(status)
    if stage is None:
        return None
    for later in STAGES[STAGES.index(stage) :]:
        due = getattr(complaint, DUE_FIELDS[later])
        if due is not None:
            return later, due
    return None


def refresh_due_at(complaint) -> None:
    """Set complaint.due_at from current_due (does not save)."""
    current = current_due(complaint)
    complaint.due_at = current[1] if current else None


def is_overdue(complaint, now: dt.datetime | None = None) -> bool:
    """True when what the complaint waits for now was due before `now`."""
    current = current_due(complaint)
    return current is not None and current[1] < (now or timezone.now())
