"""The leadership's figures for a period: what came in, where it stands, how fast, how well.

One entry point, `summary(start, end)`, used by the dashboard, the monthly report and the
public page. Periods are WITA days, `end` included. Every figure counts complaints by the
WITA day they were *received*, except `by_team` (dispatches by the day they were made).

Definitions (the tests count the same way, independently):

- Whole minutes: a duration is `floor(seconds / 60)` from received_at to the stage's time.
- Percentiles are nearest-rank over those whole minutes: the p-th percentile of n sorted
  values is the value at 1-based rank `ceil(p * n)` (median p = 0.5, p90 p = 0.9).
- Stages and their times: verify → verified_at, dispatch → dispatched_at (the first
  dispatch), arrive → on_site_at, finish → done_at. A stage is *reached* when its time is set.
- SLA per stage, against the complaint's own due time (due_verify_at, due_dispatch_at,
  due_on_site_at, due_done_at); complaints without a due time for the stage are not measured.
  Measured: those that reached the stage (within when reached at or before the due time), plus
  those still open (status in OPEN_STATUSES) that have not reached it and whose due time has
  passed at the moment of the call (never within). A complaint that ended without reaching the
  stage (rejected, referred, merged) is not measured for it.
- Ratings: every Rating row (the reporter's and supporters') of complaints received in the
  period; satisfied means a score of 4 or 5.

The counts come from summary tables the worker keeps (lalisa.reports.summary); the call
first brings them up to date, so a figure is exact at the moment of the call.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from dataclasses import dataclass, field

from django.utils import timezone

from lalisa.complaints.models import OPEN_STATUSES, Complaint

# Stage code -> (the complaint's time of reaching it, its due time field).
STAGES: dict[str, tuple[str, str]] = {
    "verify": ("verified_at", "due_verify_at"),
    "dispatch": ("dispatched_at", "due_dispatch_at"),
    "arrive": ("on_site_at", "due_on_site_at"),
    "finish": ("done_at", "due_done_at"),
}
STAGE_LABELS = {
    "verify": "Verifikasi",
    "dispatch": "Penugasan tim",
    "arrive": "Tiba di lokasi",
    "finish": "Selesai ditangani",
}
SATISFIED_FROM = 4


@dataclass(frozen=True)
class Row:
    code: str
    label: str
    n: int


@dataclass(frozen=True)
class TeamRow:
    team_id: int
    name: str
    dispatches: int
    completed: int


@dataclass(frozen=True)
class Duration:
    count: int
    median_minutes: float | None
    p90_minutes: float | None


@dataclass(frozen=True)
class Sla:
    measured: int
    within: int

    @property
    def late(self) -> int:
        return self.measured - self.within

    @property
    def share(self) -> float | None:
        """Share within the target, 0..1; None when nothing was measured."""
        return self.within / self.measured if self.measured else None


@dataclass(frozen=True)
class Ratings:
    count: int
    average: float | None
    distribution: tuple[int, int, int, int, int]  # scores 1..5
    satisfied: int

    @property
    def satisfied_share(self) -> float | None:
        return self.satisfied / self.count if self.count else None


@dataclass(frozen=True)
class Summary:
    start: dt.date
    end: dt.date
    received: int
    previous_received: int
    by_status: list[Row]
    by_category: list[Row]
    by_kecamatan: list[Row]
    by_outcome: list[Row]
    by_weekday_hour: tuple[tuple[int, ...], ...]  # 7 x 24, Monday first, WITA hours
    handled: int
    durations: dict[str, Duration]
    sla: dict[str, Sla]
    ratings: Ratings
    by_team: list[TeamRow]
    computed_at: dt.datetime = field(default_factory=timezone.now)

    @property
    def previous(self) -> tuple[dt.date, dt.date]:
        return previous_period(self.start, self.end)

    @property
    def change(self) -> int:
        """Received now minus received in the previous period."""
        return self.received - self.previous_received

    @property
    def change_share(self) -> float | None:
        """The change as a share of the previous period (0.25 = +25 %); None from zero."""
        if not self.previous_received:
            return None
        return self.change / self.previous_received


def _shift_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` months away, clamped to that month's last day."""
    year, month = divmod(day.month - 1 + months, 12)
    year += day.year
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def previous_period(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The period a period is compared with.

    A period of more than a day from the 1st of a month: the months just before, as many as
    it spans, to the same day of the month — November (or 1–15 November) against October (or
    1–15 October), January–November against February–December of the year before. Otherwise
    the same number of days just before `start`."""
    before = start - dt.timedelta(days=1)
    if start.day != 1 or start == end:
        return start - dt.timedelta(days=(end - start).days + 1), before
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    whole = end.day == calendar.monthrange(end.year, end.month)[1]
    last = before if whole else min(_shift_months(end, -months), before)
    return _shift_months(start, -months), last


def nearest_rank(sorted_values: list[int], p: float) -> int | None:
    """The value at 1-based rank ceil(p * n) of values sorted ascending (None when empty)."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(p * len(sorted_values)))
    return sorted_values[rank - 1]


def whole_minutes(start: dt.datetime, end: dt.datetime) -> int:
    """Whole minutes from start to end (floor; never negative)."""
    return max(0, int((end - start).total_seconds() // 60))


def summary(start: dt.date, end: dt.date) -> Summary:
    """The figures for WITA days start..end (inclusive); see the module's definitions."""
    from lalisa.reports import summary as tables

    if end < start:
        raise ValueError("end before start")
    return tables.read(start, end)


def open_overdue(limit: int = 50) -> list[Complaint]:
    """Open complaints whose next due time (due_at) has passed, the longest overdue first."""
    return list(
        Complaint.objects.filter(status__in=OPEN_STATUSES, due_at__lt=timezone.now())
        .select_related("category", "kecamatan")
        .order_by("due_at", "pk")[:limit]
    )
