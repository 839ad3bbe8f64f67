"""Members' performance (/kinerja/): per TRC team, per officer and per admin, for a period
of WITA days; sortable, and exported as CSV or Excel.

What counts (the page's notes say the same in Indonesian):
- A team's dispatches are those sent to it in the period (Dispatch.dispatched_at); accept
  and arrival times run from the dispatch; completions and ratings are of those dispatches.
- An officer is credited with the dispatches they accepted (accepted_by), the arrivals they
  recorded (the `arrive` event's actor) and the completions they reported (completed_by),
  of the dispatches sent in the period.
- A dispatch is overdue when the complaint's due time for the team on site (due_on_site_at)
  or for done (due_done_at) passed while the team had it: before it arrived or completed,
  or before it was replaced; still open, before now.
- An admin's verifications are the `verify` events they took in the period; the time runs
  from the complaint's receipt.
- Times are whole minutes and medians nearest-rank, as on the dashboard (figures.py).
"""

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlencode

import xlsxwriter
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from lalisa import access
from lalisa.accounts.models import Role, User
from lalisa.complaints.models import Dispatch, Event, Rating
from lalisa.monthly.numbers import duration
from lalisa.reports import dayrange
from lalisa.reports.figures import nearest_rank, whole_minutes
from lalisa.teams.models import TrcTeam
from lalisa.timefmt import format_wita

REFUSED = "Halaman kinerja hanya untuk admin, Kabid, dan pimpinan."
ADMIN_DECISIONS = ("reject", "refer", "mark_duplicate")


def _minutes(later: datetime | None, earlier: datetime | None) -> int | None:
    """Whole minutes, as the dashboard counts them."""
    if later is None or earlier is None:
        return None
    return whole_minutes(earlier, later)


def _median(values: list[int]) -> int | None:
    """Nearest-rank median, as the dashboard's (lalisa.reports.figures)."""
    return nearest_rank(sorted(values), 0.5)


@dataclass
class FieldRow:
    """A team's or an officer's figures."""

    key: int
    name: str
    team: str = ""
    active: bool = True
    dispatches: int = 0
    completed: int = 0
    overdue: int = 0
    accept_times: list[int] = field(default_factory=list, repr=False)
    arrive_times: list[int] = field(default_factory=list, repr=False)
    scores: list[int] = field(default_factory=list, repr=False)

    @property
    def accept(self) -> int | None:
        """Median minutes from dispatch to acceptance."""
        return _median(self.accept_times)

    @property
    def arrive(self) -> int | None:
        """Median minutes from dispatch to arrival on site."""
        return _median(self.arrive_times)

    @property
    def rating(self) -> float | None:
        return sum(self.scores) / len(self.scores) if self.scores else None

    @property
    def ratings(self) -> int:
        return len(self.scores)

    @property
    def busy(self) -> bool:
        return bool(self.dispatches or self.completed or self.arrive_times or self.overdue)


@dataclass
class AdminRow:
    key: int
    name: str
    active: bool = True
    verified: int = 0
    rejected: int = 0
    referred: int = 0
    duplicate: int = 0
    verify_times: list[int] = field(default_factory=list, repr=False)

    @property
    def verify(self) -> int | None:
        """Median minutes from receipt to verification."""
        return _median(self.verify_times)

    @property
    def busy(self) -> bool:
        return bool(self.verified or self.rejected or self.referred or self.duplicate)


@dataclass
class Figures:
    period: dayrange.DayRange
    teams: list[FieldRow]
    officers: list[FieldRow]
    admins: list[AdminRow]


def _overdue(d: dict, now: datetime) -> bool:
    """Whether a due time passed while the team had the complaint."""
    on_site_due, done_due = d["complaint__due_on_site_at"], d["complaint__due_done_at"]
    if on_site_due is not None and (d["arrived_at"] or d["replaced_at"] or now) > on_site_due:
        return True
    return done_due is not None and (d["completed_at"] or d["replaced_at"] or now) > done_due


def figures(user, period: dayrange.DayRange, now: datetime | None = None) -> Figures:
    """The performance figures of a period, over the complaints `user` may see."""
    now = now or timezone.now()
    visible = access.visible_complaints(user)
    dispatches = list(
        Dispatch.objects.filter(
            dispatched_at__gte=period.start,
            dispatched_at__lt=period.end,
            complaint__in=visible.values("pk"),
        ).values(
            "complaint_id",
            "team_id",
            "dispatched_at",
            "accepted_at",
            "accepted_by_id",
            "arrived_at",
            "completed_at",
            "completed_by_id",
            "replaced_at",
            "complaint__due_on_site_at",
            "complaint__due_done_at",
        )
    )
    with_arrival = [d["complaint_id"] for d in dispatches if d["arrived_at"] is not None]
    completed = [d["complaint_id"] for d in dispatches if d["completed_at"] is not None]
    # A complaint is on site at most once (no dispatch leaves on_site), so its one `arrive`
    # event names who recorded the arrival.
    arrivers = dict(
        _chunked(
            with_arrival,
            lambda ids: Event.objects.filter(kind="arrive", complaint_id__in=ids).values_list(
                "complaint_id", "actor_user_id"
            ),
        )
    )
    scores: dict[int, list[int]] = {}
    for complaint_id, score in _chunked(
        completed,
        lambda ids: Rating.objects.filter(complaint_id__in=ids).values_list(
            "complaint_id", "score"
        ),
    ):
        scores.setdefault(complaint_id, []).append(score)

    teams = {
        t.pk: FieldRow(t.pk, t.name, active=t.active)
        for t in TrcTeam.objects.filter(
            Q(active=True) | Q(pk__in={d["team_id"] for d in dispatches})
        )
    }
    involved = {
        d[name]
        for d in dispatches
        for name in ("accepted_by_id", "completed_by_id")
        if d[name] is not None
    } | {u for u in arrivers.values() if u is not None}
    officers = {
        u.pk: FieldRow(u.pk, str(u), team=u.team.name if u.team_id else "", active=u.is_active)
        for u in User.objects.filter(
            Q(role=Role.TRC) & (Q(is_active=True) | Q(pk__in=involved))
        ).select_related("team")
    }

    for d in dispatches:
        team = teams[d["team_id"]]
        late = _overdue(d, now)
        accept = _minutes(d["accepted_at"], d["dispatched_at"])
        arrive = _minutes(d["arrived_at"], d["dispatched_at"])
        done = d["completed_at"] is not None
        rated = scores.get(d["complaint_id"], []) if done else []
        team.dispatches += 1
        team.overdue += late
        if accept is not None:
            team.accept_times.append(accept)
        if arrive is not None:
            team.arrive_times.append(arrive)
        if done:
            team.completed += 1
            team.scores += rated

        credited = set()
        accepter = officers.get(d["accepted_by_id"])
        if accepter is not None and accept is not None:
            accepter.dispatches += 1
            accepter.accept_times.append(accept)
            credited.add(accepter.key)
        arriver = officers.get(arrivers.get(d["complaint_id"]))
        if arriver is not None and arrive is not None:
            arriver.arrive_times.append(arrive)
            credited.add(arriver.key)
        finisher = officers.get(d["completed_by_id"])
        if finisher is not None and done:
            finisher.completed += 1
            finisher.scores += rated
            credited.add(finisher.key)
        for key in credited:
            officers[key].overdue += late

    return Figures(
        period,
        sorted((t for t in teams.values() if t.active or t.busy), key=_by_name),
        sorted((o for o in officers.values() if o.active or o.busy), key=_by_name),
        _admins(visible, period),
    )


def _admins(visible, period: dayrange.DayRange) -> list[AdminRow]:
    events = Event.objects.filter(
        kind__in=("verify", *ADMIN_DECISIONS),
        created_at__gte=period.start,
        created_at__lt=period.end,
        actor_user__isnull=False,
        complaint__in=visible.values("pk"),
    ).values_list("kind", "actor_user_id", "created_at", "complaint__received_at")
    events = list(events)
    actors = {e[1] for e in events}
    rows = {
        u.pk: AdminRow(u.pk, str(u), active=u.is_active)
        for u in User.objects.filter(Q(role=Role.ADMIN) & (Q(is_active=True) | Q(pk__in=actors)))
    }
    for kind, actor, at, received in events:
        row = rows.get(actor)
        if row is None:
            continue  # a kabid's refer: not an admin's figure
        if kind == "verify":
            row.verified += 1
            row.verify_times.append(_minutes(at, received))
        elif kind == "reject":
            row.rejected += 1
        elif kind == "refer":
            row.referred += 1
        else:
            row.duplicate += 1
    return sorted((r for r in rows.values() if r.active or r.busy), key=_by_name)


def _chunked(ids: list[int], query, size: int = 900):
    """Runs `query` over slices of ids (SQLite limits the parameters of one statement)."""
    for start in range(0, len(ids), size):
        yield from query(ids[start : start + size])


def _by_name(row) -> str:
    return row.name.casefold()


# --- tables: columns, sorting, formats -------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str  # text | count | minutes | score


def _field_columns(first: str, with_team: bool) -> list[Column]:
    columns = [Column("name", "Petugas" if with_team else "Tim", "text")]
    if with_team:
        columns.append(Column("team", "Tim", "text"))
    return columns + [
        Column("dispatches", first, "count"),
        Column("accept", "Median waktu terima tugas", "minutes"),
        Column("arrive", "Median waktu tiba di lokasi", "minutes"),
        Column("completed", "Selesai ditangani", "count"),
        Column("rating", "Rata-rata nilai warga", "score"),
        Column("ratings", "Jumlah penilaian", "count"),
        Column("overdue", "Terlambat", "count"),
    ]


TABLES = {
    "teams": ("Per tim TRC", "Tim", _field_columns("Penugasan masuk", with_team=False)),
    "officers": ("Per anggota TRC", "Petugas", _field_columns("Tugas diterima", with_team=True)),
    "admins": (
        "Per admin",
        "Admin",
        [
            Column("name", "Admin", "text"),
            Column("verified", "Aduan diverifikasi", "count"),
            Column("verify", "Median waktu verifikasi", "minutes"),
            Column("rejected", "Ditolak", "count"),
            Column("referred", "Dialihkan", "count"),
            Column("duplicate", "Digabung", "count"),
        ],
    ),
}


def parse_sort(value: str) -> tuple[str, str, bool]:
    """`officers:-completed` → ("officers", "completed", descending); unknown → no sort."""
    table, _, key = (value or "").partition(":")
    descending = key.startswith("-")
    key = key.lstrip("-")
    if table not in TABLES or key not in {c.key for c in TABLES[table][2]}:
        return "", "", False
    return table, key, descending


def sort_rows(rows: list, key: str, descending: bool) -> list:
    """By one column; rows without a value (no median yet) always last, then by name."""
    by_name = sorted(rows, key=_by_name)
    known = [r for r in by_name if getattr(r, key) is not None]
    unknown = [r for r in by_name if getattr(r, key) is None]
    value = (lambda r: getattr(r, key).casefold()) if key in ("name", "team") else None
    known.sort(key=value or (lambda r: getattr(r, key)), reverse=descending)
    return known + unknown


def _display(row, column: Column) -> str:
    value = getattr(row, column.key)
    if column.kind == "minutes":
        return duration(value) if value is not None else "–"
    if column.kind == "score":
        return f"{value:.1f}".replace(".", ",") if value is not None else "–"
    if column.kind == "count":
        return f"{value:,}".replace(",", ".")
    return value or "–"


def _export_value(row, column: Column):
    value = getattr(row, column.key)
    if value is None:
        return None
    if column.kind == "minutes":
        return round(value, 1)
    if column.kind == "score":
        return round(value, 2)
    return value


def _export_label(column: Column) -> str:
    return f"{column.label} (menit)" if column.kind == "minutes" else column.label


# --- the page and the exports ----------------------------------------------------------


@login_required
def performance(request):
    user = request.user
    if not access.has_perm(user, "view_reports"):
        return render(request, "web/forbidden.html", {"message": REFUSED}, status=403)
    period = dayrange.from_params(request.GET)
    data = figures(user, period)
    sort_table, sort_key, descending = parse_sort(request.GET.get("sort", ""))
    rows = {"teams": data.teams, "officers": data.officers, "admins": data.admins}
    if sort_table:
        rows[sort_table] = sort_rows(rows[sort_table], sort_key, descending)

    fmt = request.GET.get("format", "")
    if fmt == "csv":
        table = request.GET.get("table", "teams")
        table = table if table in TABLES else "teams"
        return _csv(period, table, rows[table])
    if fmt == "xlsx":
        return _xlsx(period, rows)

    base = {**period.params()}
    tables = []
    for name, (title, _, columns) in TABLES.items():
        headers = []
        for column in columns:
            # First click: names A→Z, figures largest first; a second click turns it round.
            current = sort_table == name and sort_key == column.key
            down = not descending if current else column.kind != "text"
            sort = f"{name}:{'-' if down else ''}{column.key}"
            headers.append(
                {
                    "label": column.label,
                    "url": "?" + urlencode({**base, "sort": sort}),
                    "state": ("descending" if descending else "ascending") if current else "",
                }
            )
        body = [
            {
                "cells": [(c.label, _display(r, c)) for c in columns],
                "inactive": not r.active,
            }
            for r in rows[name]
        ]
        csv_query = {**base, "format": "csv", "table": name}
        if sort_table == name:
            csv_query["sort"] = request.GET["sort"]
        tables.append(
            {
                "name": name,
                "title": title,
                "headers": headers,
                "rows": body,
                "csv": "?" + urlencode(csv_query),
            }
        )
    xlsx_query = {**base, "format": "xlsx"}
    if sort_table:
        xlsx_query["sort"] = request.GET["sort"]
    context = {
        "period": period,
        "tables": tables,
        "xlsx": "?" + urlencode(xlsx_query),
        "made": format_wita(timezone.now()),
    }
    return render(request, "reports/performance.html", context)


def _filename(period: dayrange.DayRange, what: str, ext: str) -> str:
    return f"kinerja-{what}-{period.first:%Y%m%d}-{period.last:%Y%m%d}.{ext}"


def _csv(period: dayrange.DayRange, table: str, rows: list) -> HttpResponse:
    _, what, columns = TABLES[table]
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = _filename(period, what.lower(), "csv")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response.write("\ufeff")  # BOM: Excel then reads the file as UTF-8
    writer = csv.writer(response)
    writer.writerow([_export_label(c) for c in columns])
    for row in rows:
        writer.writerow(["" if v is None else v for v in (_export_value(row, c) for c in columns)])
    return response


NOTES = [
    "Periode: hari-hari WITA, tanggal awal dan akhir termasuk.",
    "Penugasan masuk: penugasan tim yang dikirim dalam periode.",
    "Waktu terima tugas dan waktu tiba dihitung sejak tim ditugaskan; median dalam menit.",
    "Selesai ditangani, nilai warga dan terlambat: dari penugasan dalam periode itu.",
    "Terlambat: batas tiba di lokasi atau batas selesai aduan terlewati sebelum tim tiba "
    "atau selesai (atau sebelum tim diganti).",
    "Anggota TRC: tugas yang ia terima, kedatangan yang ia catat, dan laporan selesai "
    "yang ia kirim.",
    "Admin: verifikasi, penolakan, pengalihan dan penggabungan yang ia lakukan dalam periode; "
    "waktu verifikasi sejak aduan diterima.",
]


def _xlsx(period: dayrange.DayRange, rows: dict[str, list]) -> HttpResponse:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    bold = book.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    formats = {
        "minutes": book.add_format({"num_format": "0.0"}),
        "score": book.add_format({"num_format": "0.00"}),
        "count": None,
        "text": None,
    }
    for name, (_, what, columns) in TABLES.items():
        sheet = book.add_worksheet(what)
        for col, column in enumerate(columns):
            sheet.write(0, col, _export_label(column), bold)
            sheet.set_column(col, col, 28 if column.kind == "text" else 16)
        for line, row in enumerate(rows[name], start=1):
            for col, column in enumerate(columns):
                value = _export_value(row, column)
                if value is None:
                    continue
                sheet.write(line, col, value, formats[column.kind])
        sheet.freeze_panes(1, 1)
    notes = book.add_worksheet("Keterangan")
    notes.set_column(0, 0, 100)
    notes.write(0, 0, f"Kinerja anggota LA-LISA, {period.label}", bold)
    for line, text in enumerate(NOTES, start=2):
        notes.write(line, 0, text)
    book.close()
    response = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = _filename(period, "lengkap", "xlsx")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
