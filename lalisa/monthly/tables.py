"""The report's summary tables, built once from figures.summary for both the PDF and Excel.

A cell's kind says how it is shown: text, int, share (0..1), signed (a share with its sign),
minutes, decimal.
"""

from __future__ import annotations

from dataclasses import dataclass

from lalisa.monthly.data import MonthReport
from lalisa.reports.figures import STAGE_LABELS, Row


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    columns: tuple[tuple[str, str], ...]  # (header, kind)
    rows: tuple[tuple, ...]


def _share(n: int, total: int) -> float | None:
    return n / total if total else None


def _counted(key: str, title: str, what: str, rows: list[Row], total: int) -> Table:
    """A count table with its share of the total and a total line."""
    body = tuple((r.label, r.n, _share(r.n, total)) for r in rows)
    return Table(
        key,
        title,
        ((what, "text"), ("Jumlah", "int"), ("Persen", "share")),
        (*body, ("Jumlah", sum(r.n for r in rows), _share(sum(r.n for r in rows), total))),
    )


def key_figures(report: MonthReport) -> Table:
    s = report.summary
    before = report.previous_month_received
    change = (s.received - before) / before if before else None
    ratings = s.ratings
    rows = (
        ("Aduan diterima", "int", s.received),
        ("Aduan diterima bulan sebelumnya", "int", before),
        ("Perubahan dari bulan sebelumnya", "signed", change),
        ("Aduan bulan ini yang sudah selesai ditangani", "int", s.handled),
        ("Penilaian warga (jumlah)", "int", ratings.count),
        ("Rata-rata penilaian (1–5)", "decimal", ratings.average),
        ("Warga puas (nilai 4–5)", "share", ratings.satisfied_share),
    )
    return Table(
        "key",
        "Angka utama",
        (("Uraian", "text"), ("Nilai", "mixed")),
        tuple((label, (kind, value)) for label, kind, value in rows),
    )


def stage_times(report: MonthReport) -> Table:
    s = report.summary
    rows = []
    for stage, label in STAGE_LABELS.items():
        d, sla = s.durations[stage], s.sla[stage]
        rows.append(
            (
                label,
                d.count,
                d.median_minutes,
                d.p90_minutes,
                sla.measured,
                sla.within,
                sla.share,
            )
        )
    return Table(
        "stages",
        "Waktu sejak aduan diterima, dan ketepatan waktu menurut SLA",
        (
            ("Tahap", "text"),
            ("Tercapai", "int"),
            ("Median", "minutes"),
            ("P90", "minutes"),
            ("Diukur", "int"),
            ("Tepat", "int"),
            ("% tepat", "share"),
        ),
        tuple(rows),
    )


def team_table(report: MonthReport) -> Table:
    rows = report.summary.by_team
    body = tuple(
        (t.name, t.dispatches, t.completed, _share(t.completed, t.dispatches)) for t in rows
    )
    sent, completed = sum(t.dispatches for t in rows), sum(t.completed for t in rows)
    return Table(
        "teams",
        "Penugasan tim TRC (dibuat dalam bulan ini)",
        (("Tim", "text"), ("Penugasan", "int"), ("Selesai", "int"), ("% selesai", "share")),
        (
            *body,
            ("Jumlah", sent, completed, _share(completed, sent)),
        ),
    )


def rating_table(report: MonthReport) -> Table:
    r = report.summary.ratings
    return Table(
        "ratings",
        "Penilaian warga",
        (("Nilai", "text"), ("Jumlah", "int"), ("Persen", "share")),
        tuple(
            (f"{score} bintang", n, _share(n, r.count))
            for score, n in zip(range(5, 0, -1), reversed(r.distribution), strict=True)
        ),
    )


def summary_tables(report: MonthReport) -> list[Table]:
    s = report.summary
    handled_outcomes = sum(r.n for r in s.by_outcome)
    return [
        key_figures(report),
        stage_times(report),
        _counted("category", "Aduan menurut kategori", "Kategori", s.by_category, s.received),
        _counted("kecamatan", "Aduan menurut kecamatan", "Kecamatan", s.by_kecamatan, s.received),
        _counted("status", "Aduan menurut status saat ini", "Status", s.by_status, s.received),
        _counted("outcome", "Hasil penanganan", "Hasil", s.by_outcome, handled_outcomes),
        team_table(report),
        rating_table(report),
    ]
