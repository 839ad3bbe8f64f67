"""The monthly report as CSV: one row per complaint received in the month.

Made for Excel as Indonesian offices set it up: UTF-8 with a byte-order mark (else Excel reads
it as ANSI and breaks "Pasar Paringin – Blok B"), `;` between fields (the list separator when
the decimal mark is a comma), decimals with a comma ("12,5"), times in WITA as
`2026-11-30 14:05` (ISO order, which Excel reads in any locale).

A text starting with = + - @ (or a tab or carriage return) is written with a leading
apostrophe, so a spreadsheet never runs it as a formula (citizens type addresses and names;
phone numbers start with +). The Excel export needs no such care: its text cells are text.
"""

import csv
import io
from collections.abc import Callable

from lalisa.monthly.data import COMPLAINT_COLUMNS, MonthReport
from lalisa.timefmt import to_wita

SEPARATOR = ";"
BOM = "\ufeff"


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(kind: str, value) -> str:
    if value is None:
        return ""
    if kind == "datetime":
        return f"{to_wita(value):%Y-%m-%d %H:%M}"
    if kind == "decimal":
        return f"{value:.2f}".rstrip("0").rstrip(".").replace(".", ",")
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def write_csv(report: MonthReport, out, progress: Callable[[int], None] | None = None) -> None:
    """Write to a binary file-like `out`; `progress(percent)` now and then."""
    text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
    try:
        text.write(BOM)
        writer = csv.writer(text, delimiter=SEPARATOR, lineterminator="\r\n")
        writer.writerow([header for header, _, _ in COMPLAINT_COLUMNS])
        total = max(report.summary.received, 1)
        for i, row in enumerate(report.complaint_rows(), 1):
            writer.writerow([_cell(kind, value(row)) for _, kind, value in COMPLAINT_COLUMNS])
            if progress and i % 1000 == 0:
                progress(min(99, 100 * i // total))
    finally:
        text.detach()  # leave `out` open for the caller
