"""What the monthly report says: the month's summary figures and its rows.

The summary comes from lalisa.reports.figures.summary, the dashboard's own source, so the
report and the dashboard never disagree. The rows (complaints received in the month, those
completed in it, each team's dispatches) are streamed in batches: a month of 10,000
complaints is read a chunk at a time, never held whole.

Who reads the files: leadership (pimpinan), kabid and admin — every role with
`view_reports`. A file leaves the system (printed, mailed on), so it carries only what the
least entitled of them may see (DESIGN.md's confidentiality table, lalisa.access):
- *biasa*: the reporter's name and number are shown (pimpinan sees them in the app too);
- *anonim*: the reporter is written "Anonim";
- *rahasia*: the reporter is written "Rahasia" and the street address is left out, as it can
  point to whoever reported; kecamatan and desa stay, so every count still adds up.
No description text of a citizen is written for any complaint.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Avg, OuterRef, Q, Subquery
from django.utils import timezone

from lalisa.access import IDENTITY_ROLES, PLACE_ROLES, WITHHELD_PLACE
from lalisa.accounts.models import Role
from lalisa.complaints.models import (
    OPEN_STATUSES,
    Complaint,
    Confidentiality,
    Dispatch,
    Priority,
    Rating,
    Reporter,
    Source,
    Status,
)
from lalisa.monthly.numbers import month_bounds, month_label
from lalisa.reports.figures import STAGES, Summary, summary, whole_minutes
from lalisa.service.models import ServiceProfile
from lalisa.teams.models import TrcTeam
from lalisa.timefmt import WITA

CHUNK = 2000
STATUS_LABELS = dict(Status.choices)
PRIORITY_LABELS = dict(Priority.choices)
SOURCE_LABELS = dict(Source.choices)
CONFIDENTIALITY_LABELS = dict(Confidentiality.choices)
# What a per-complaint row is read from (with the reached and due time of every stage).
COMPLAINT_FIELDS = (
    "code",
    "received_at",
    "category__name",
    "kecamatan__name",
    "desa__name",
    "address",
    "status",
    "priority",
    "source",
    "confidentiality",
    "outcome__name",
    "reporter_id",
    "reporter__name",
    "reporter__profile_name",
    "reporter__phone",
    "reporter__user_id",
    *dict.fromkeys(field for pair in STAGES.values() for field in pair),
)
READER_ROLE = Role.PIMPINAN  # exports show what this role may see
WITHHELD_ADDRESS = WITHHELD_PLACE

# Per-complaint stage times in whole minutes from receipt, as figures.summary measures them.
STAGE_HEADERS = {
    "verify": "Menit sampai verifikasi",
    "dispatch": "Menit sampai penugasan",
    "arrive": "Menit sampai tiba di lokasi",
    "finish": "Menit sampai selesai",
}


def month_range(year: int, month: int) -> tuple[datetime, datetime]:
    """The month as aware moments [start, end): its WITA midnights."""
    first, last = month_bounds(year, month)
    start = datetime.combine(first, time.min, tzinfo=WITA)
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=WITA)
    return start, end


def _minutes(start: datetime | None, end: datetime | None) -> int | None:
    if start is None or end is None:
        return None
    return whole_minutes(start, end)


def _sla_met(c, now: datetime) -> bool | None:
    """Every measured stage within its due time? None when no stage is measured yet.

    Measured as figures.summary measures: a stage reached (within when at or before its due
    time), or not reached by a still-open complaint whose due time has passed (late).
    """
    measured = False
    for reached_field, due_field in STAGES.values():
        due = getattr(c, due_field)
        if due is None:
            continue
        reached = getattr(c, reached_field)
        if reached is None:
            if c.status in OPEN_STATUSES and due < now:
                return False
            continue
        if reached > due:
            return False
        measured = True
    return True if measured else None


def shows_identity(confidentiality: str) -> bool:
    return READER_ROLE in IDENTITY_ROLES.get(confidentiality, frozenset())


def shows_place(confidentiality: str) -> bool:
    return READER_ROLE in PLACE_ROLES.get(confidentiality, frozenset())


def reporter_fields(c) -> tuple[str, str]:
    """(name, phone) as the report's readers may see them, from a COMPLAINT_FIELDS row."""
    if not shows_identity(c.confidentiality):
        return (CONFIDENTIALITY_LABELS.get(c.confidentiality, "Dirahasiakan"), "")
    if c.reporter_id is None:
        return ("Tanpa identitas", "")
    reporter = Reporter(
        name=c.reporter__name,
        profile_name=c.reporter__profile_name,
        phone=c.reporter__phone,
        user_id=c.reporter__user_id,
    )
    return (reporter.display_name, c.reporter__phone or "")


@dataclass(slots=True)
class ComplaintRow:
    code: str
    received_at: datetime
    category: str
    kecamatan: str
    desa: str
    address: str
    status: str
    priority: str
    source: str
    confidentiality: str
    team: str
    outcome: str
    stage_minutes: tuple[int | None, ...]
    sla_met: bool | None
    rating: float | None
    reporter_name: str
    reporter_phone: str
    done_at: datetime | None


@dataclass(slots=True)
class CompletedRow:
    code: str
    received_at: datetime
    done_at: datetime
    category: str
    kecamatan: str
    team: str
    outcome: str
    note: str


@dataclass(slots=True)
class DispatchRow:
    team_id: int
    code: str
    category: str
    kecamatan: str
    dispatched_at: datetime
    accepted_at: datetime | None
    arrived_at: datetime | None
    completed_at: datetime | None
    replaced_at: datetime | None
    outcome: str
    minutes_to_arrive: int | None
    note: str


def _stage_minutes(index: int):
    return lambda row: row.stage_minutes[index]


# Columns of the per-complaint table (Excel sheet "Aduan" and the CSV): header, kind, value.
# Kinds: text, datetime (aware), int, decimal.
COMPLAINT_COLUMNS: tuple[tuple[str, str, object], ...] = (
    ("Kode tiket", "text", lambda r: r.code),
    ("Diterima (WITA)", "datetime", lambda r: r.received_at),
    ("Kategori", "text", lambda r: r.category),
    ("Kecamatan", "text", lambda r: r.kecamatan),
    ("Desa/kelurahan", "text", lambda r: r.desa),
    ("Alamat/tempat", "text", lambda r: r.address),
    ("Status", "text", lambda r: r.status),
    ("Prioritas", "text", lambda r: r.priority),
    ("Sumber", "text", lambda r: r.source),
    ("Kerahasiaan", "text", lambda r: r.confidentiality),
    ("Tim TRC", "text", lambda r: r.team),
    ("Hasil penanganan", "text", lambda r: r.outcome),
    *((STAGE_HEADERS[stage], "int", _stage_minutes(i)) for i, stage in enumerate(STAGES)),
    ("Selesai (WITA)", "datetime", lambda r: r.done_at),
    ("Sesuai SLA", "text", lambda r: {True: "Ya", False: "Tidak"}.get(r.sla_met, "-")),
    ("Penilaian (1-5)", "decimal", lambda r: r.rating),
    ("Nama pelapor", "text", lambda r: r.reporter_name),
    ("Nomor pelapor", "text", lambda r: r.reporter_phone),
)


@dataclass
class MonthReport:
    year: int
    month: int
    summary: Summary
    previous_month_received: int
    profile: ServiceProfile
    generated_at: datetime = field(default_factory=timezone.now)

    @property
    def label(self) -> str:
        return month_label(self.year, self.month)

    @property
    def first_day(self) -> date:
        return month_bounds(self.year, self.month)[0]

    @property
    def last_day(self) -> date:
        return month_bounds(self.year, self.month)[1]

    @property
    def range(self) -> tuple[datetime, datetime]:
        return month_range(self.year, self.month)

    # -- complaints received in the month --

    def received(self):
        start, end = self.range
        return Complaint.objects.filter(received_at__gte=start, received_at__lt=end)

    def complaint_rows(self) -> Iterator[ComplaintRow]:
        active_team = Dispatch.objects.filter(
            complaint=OuterRef("pk"), replaced_at__isnull=True
        ).values("team__name")[:1]
        rating = (
            Rating.objects.filter(complaint=OuterRef("pk"))
            .order_by()
            .values("complaint")
            .annotate(avg=Avg("score"))
            .values("avg")
        )
        # Plain tuples, not model instances: a third of the time for 10,000 rows.
        qs = (
            self.received()
            .annotate(team_name=Subquery(active_team), rating=Subquery(rating))
            .order_by("received_at", "pk")
            .values_list(*COMPLAINT_FIELDS, "team_name", "rating", named=True)
        )
        now = timezone.now()
        stages = list(STAGES.values())
        for c in qs.iterator(chunk_size=CHUNK):
            name, phone = reporter_fields(c)
            address = c.address
            if address and not shows_place(c.confidentiality):
                address = WITHHELD_ADDRESS
            yield ComplaintRow(
                code=c.code,
                received_at=c.received_at,
                category=c.category__name,
                kecamatan=c.kecamatan__name or "",
                desa=c.desa__name or "",
                address=address,
                status=STATUS_LABELS.get(c.status, c.status),
                priority=PRIORITY_LABELS.get(c.priority, c.priority),
                source=SOURCE_LABELS.get(c.source, c.source),
                confidentiality=CONFIDENTIALITY_LABELS.get(c.confidentiality, ""),
                team=c.team_name or "",
                outcome=c.outcome__name or "",
                stage_minutes=tuple(
                    _minutes(c.received_at, getattr(c, reached)) for reached, _ in stages
                ),
                sla_met=_sla_met(c, now),
                rating=float(c.rating) if c.rating is not None else None,
                reporter_name=name,
                reporter_phone=phone,
                done_at=c.done_at,
            )

    # -- complaints completed in the month --

    def completed(self):
        start, end = self.range
        return Complaint.objects.filter(done_at__gte=start, done_at__lt=end)

    def completed_rows(self) -> Iterator[CompletedRow]:
        start, end = self.range
        # Who completed each: its latest completed dispatch, the month's in one query (a
        # subquery per row costs more than the rows themselves).
        done_by: dict[int, tuple[str, str]] = {}
        dispatches = (
            Dispatch.objects.filter(
                complaint__done_at__gte=start,
                complaint__done_at__lt=end,
                completed_at__isnull=False,
            )
            .order_by("completed_at", "pk")
            .values_list("complaint_id", "team__name", "report_text")
        )
        for complaint_id, team, note in dispatches.iterator(chunk_size=CHUNK):
            done_by[complaint_id] = (team, note)  # a later one replaces an earlier
        qs = (
            self.completed()
            .order_by("done_at", "pk")
            .values_list(
                "pk",
                "code",
                "received_at",
                "done_at",
                "category__name",
                "kecamatan__name",
                "outcome__name",
            )
        )
        for pk, code, received, done, category, kecamatan, outcome in qs.iterator(
            chunk_size=CHUNK
        ):
            team, note = done_by.get(pk, ("", ""))
            yield CompletedRow(
                code=code,
                received_at=received,
                done_at=done,
                category=category,
                kecamatan=kecamatan or "",
                team=team or "",
                outcome=outcome or "",
                note=note or "",
            )

    # -- each team's dispatches made in the month --

    def dispatches(self):
        start, end = self.range
        return Dispatch.objects.filter(dispatched_at__gte=start, dispatched_at__lt=end)

    def teams(self) -> list[TrcTeam]:
        """Active teams, and any other team sent somewhere this month."""
        sent = self.dispatches().values("team_id")
        return list(TrcTeam.objects.filter(Q(active=True) | Q(pk__in=sent)).order_by("name"))

    def dispatch_rows(self) -> Iterator[DispatchRow]:
        """Every dispatch of the month, team by team (ordered by team name), then in time."""
        qs = (
            self.dispatches()
            .order_by("team__name", "team_id", "dispatched_at", "pk")
            .values_list(
                "team_id",
                "complaint__code",
                "complaint__category__name",
                "complaint__kecamatan__name",
                "dispatched_at",
                "accepted_at",
                "arrived_at",
                "completed_at",
                "replaced_at",
                "outcome__name",
                "report_text",
                named=True,
            )
        )
        for d in qs.iterator(chunk_size=CHUNK):
            yield DispatchRow(
                team_id=d.team_id,
                code=d.complaint__code,
                category=d.complaint__category__name,
                kecamatan=d.complaint__kecamatan__name or "",
                dispatched_at=d.dispatched_at,
                accepted_at=d.accepted_at,
                arrived_at=d.arrived_at,
                completed_at=d.completed_at,
                replaced_at=d.replaced_at,
                outcome=d.outcome__name or "",
                minutes_to_arrive=_minutes(d.dispatched_at, d.arrived_at),
                note=d.report_text,
            )


def previous_month(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)


def month_report(year: int, month: int) -> MonthReport:
    """The report of one WITA month: its summary (figures.summary) and its row streams."""
    first, last = month_bounds(year, month)
    # The summary's own "previous period" is as many days back; the report compares with
    # the previous calendar month, counted by the same function.
    before = month_bounds(*previous_month(year, month))
    return MonthReport(
        year=year,
        month=month,
        summary=summary(first, last),
        previous_month_received=summary(*before).received,
        profile=ServiceProfile.get(),
    )
