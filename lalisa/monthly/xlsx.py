"""The monthly report as an Excel workbook (XlsxWriter, constant memory: rows go to disk as
they are written).

Sheets: "Ringkasan" (the summary tables), "Aduan" (one row per complaint received in the
month), "Selesai" (complaints completed in the month), and one per TRC team (its dispatches
made in the month). Times are real Excel date-times in WITA, numbers are numbers: Excel
shows them with the reader's own separators.
"""

import re
from collections.abc import Callable

import xlsxwriter

from lalisa.monthly import tables
from lalisa.monthly.data import COMPLAINT_COLUMNS, MonthReport
from lalisa.timefmt import format_wita, to_wita

SHEET_NAME_MAX = 31
RESERVED = {"ringkasan", "aduan", "selesai"}

COMPLETED_COLUMNS = (
    ("Kode tiket", "text", 14, lambda r: r.code),
    ("Diterima (WITA)", "datetime", 17, lambda r: r.received_at),
    ("Selesai (WITA)", "datetime", 17, lambda r: r.done_at),
    ("Kategori", "text", 24, lambda r: r.category),
    ("Kecamatan", "text", 16, lambda r: r.kecamatan),
    ("Tim TRC", "text", 18, lambda r: r.team),
    ("Hasil penanganan", "text", 22, lambda r: r.outcome),
    ("Catatan tim", "text", 50, lambda r: r.note),
)
DISPATCH_COLUMNS = (
    ("Kode tiket", "text", 14, lambda r: r.code),
    ("Kategori", "text", 24, lambda r: r.category),
    ("Kecamatan", "text", 16, lambda r: r.kecamatan),
    ("Ditugaskan (WITA)", "datetime", 17, lambda r: r.dispatched_at),
    ("Diterima tim (WITA)", "datetime", 17, lambda r: r.accepted_at),
    ("Tiba (WITA)", "datetime", 17, lambda r: r.arrived_at),
    ("Selesai (WITA)", "datetime", 17, lambda r: r.completed_at),
    ("Diganti tim lain (WITA)", "datetime", 17, lambda r: r.replaced_at),
    ("Menit sampai tiba", "int", 10, lambda r: r.minutes_to_arrive),
    ("Hasil penanganan", "text", 22, lambda r: r.outcome),
    ("Catatan tim", "text", 50, lambda r: r.note),
)
COMPLAINT_WIDTHS = {"datetime": 17, "int": 12, "decimal": 10, "text": 18}


def sheet_name(name: str, taken: set[str]) -> str:
    """A valid, unused worksheet name for a team (Excel: ≤31 chars, no []:*?/\\)."""
    base = re.sub(r"[\[\]:*?/\\]", "-", name).strip("'").strip() or "Tim"
    base = base[:SHEET_NAME_MAX]
    candidate, n = base, 1
    while candidate.lower() in taken:
        n += 1
        suffix = f" ({n})"
        candidate = base[: SHEET_NAME_MAX - len(suffix)] + suffix
    taken.add(candidate.lower())
    return candidate


class _Writer:
    def __init__(self, workbook):
        self.wb = workbook
        self.bold = workbook.add_format({"bold": True})
        self.title = workbook.add_format({"bold": True, "font_size": 14})
        self.header = workbook.add_format(
            {"bold": True, "bg_color": "#DCECFF", "border": 1, "text_wrap": True}
        )
        self.formats = {
            "datetime": workbook.add_format({"num_format": "dd/mm/yyyy hh:mm"}),
            "int": workbook.add_format({"num_format": "#,##0"}),
            "share": workbook.add_format({"num_format": "0.0%"}),
            "signed": workbook.add_format({"num_format": "+0.0%;-0.0%;0.0%"}),
            "decimal": workbook.add_format({"num_format": "0.0"}),
            "minutes": workbook.add_format({"num_format": "#,##0"}),
        }

    def cell(self, ws, row: int, col: int, kind: str, value) -> None:
        if value is None or value == "":
            return  # an empty cell is no cell
        if kind == "datetime":
            ws.write_datetime(row, col, to_wita(value).replace(tzinfo=None), self.formats[kind])
        elif kind in self.formats:
            ws.write_number(row, col, value, self.formats[kind])
        else:
            ws.write_string(row, col, str(value))

    def headers(self, ws, columns) -> None:
        for col, (header, *_rest) in enumerate(columns):
            ws.write_string(0, col, header, self.header)
        ws.freeze_panes(1, 0)

    def rows(self, ws, columns, rows, every=None) -> int:
        count = 0
        for count, item in enumerate(rows, 1):
            for col, (_, kind, *_mid, value) in enumerate(columns):
                self.cell(ws, count, col, kind, value(item))
            if every and count % 1000 == 0:
                every(count)
        if count:
            ws.autofilter(0, 0, count, len(columns) - 1)
        return count


def _summary_sheet(w: _Writer, ws, report: MonthReport) -> None:
    ws.set_column(0, 0, 38)
    ws.set_column(1, 4, 16)
    ws.write_string(0, 0, f"Laporan Bulanan La-Lisa — {report.label}", w.title)
    ws.write_string(1, 0, f"{report.profile.service_name} · {report.profile.agency_name}")
    ws.write_string(2, 0, f"Dibuat {format_wita(report.generated_at)}")
    row = 4
    for table in tables.summary_tables(report):
        ws.write_string(row, 0, table.title, w.bold)
        row += 1
        for col, (header, _) in enumerate(table.columns):
            ws.write_string(row, col, header, w.header)
        row += 1
        for values in table.rows:
            for col, ((_, kind), value) in enumerate(zip(table.columns, values, strict=True)):
                if kind == "mixed":  # a (kind, value) pair of its own
                    kind, value = value  # noqa: PLW2901
                w.cell(ws, row, col, kind, value)
            row += 1
        row += 1


def write_xlsx(report: MonthReport, out, progress: Callable[[int], None] | None = None) -> None:
    """Write the workbook to a binary file-like `out`; `progress(percent)` now and then."""
    report_progress = progress or (lambda _p: None)
    wb = xlsxwriter.Workbook(out, {"constant_memory": True, "in_memory": False})
    try:
        w = _Writer(wb)
        summary_ws = wb.add_worksheet("Ringkasan")
        complaints_ws = wb.add_worksheet("Aduan")
        completed_ws = wb.add_worksheet("Selesai")
        taken = set(RESERVED)
        teams = report.teams()
        team_ws = {t.pk: wb.add_worksheet(sheet_name(t.name, taken)) for t in teams}

        # In constant-memory mode each sheet is written top to bottom, one row after another.
        _summary_sheet(w, summary_ws, report)
        report_progress(5)

        for col, (_, kind, _) in enumerate(COMPLAINT_COLUMNS):
            complaints_ws.set_column(col, col, 14 if col == 0 else COMPLAINT_WIDTHS[kind])
        w.headers(complaints_ws, COMPLAINT_COLUMNS)
        total = max(report.summary.received, 1)
        w.rows(
            complaints_ws,
            COMPLAINT_COLUMNS,
            report.complaint_rows(),
            lambda n: report_progress(5 + 60 * n // total),
        )
        report_progress(65)

        for col, (_, _, width, _) in enumerate(COMPLETED_COLUMNS):
            completed_ws.set_column(col, col, width)
        w.headers(completed_ws, COMPLETED_COLUMNS)
        w.rows(completed_ws, COMPLETED_COLUMNS, report.completed_rows())
        report_progress(80)

        for ws in team_ws.values():
            for col, (_, _, width, _) in enumerate(DISPATCH_COLUMNS):
                ws.set_column(col, col, width)
            w.headers(ws, DISPATCH_COLUMNS)
        counts = dict.fromkeys(team_ws, 0)
        for item in report.dispatch_rows():
            ws = team_ws[item.team_id]
            counts[item.team_id] += 1
            row = counts[item.team_id]
            for col, (_, kind, _, value) in enumerate(DISPATCH_COLUMNS):
                w.cell(ws, row, col, kind, value(item))
        for team_id, ws in team_ws.items():
            if counts[team_id]:
                ws.autofilter(0, 0, counts[team_id], len(DISPATCH_COLUMNS) - 1)
        report_progress(95)
    finally:
        wb.close()
