"""One entry point for the three formats: write the month's report as PDF, Excel or CSV."""

from collections.abc import Callable

from lalisa.monthly.csv_export import write_csv
from lalisa.monthly.data import MonthReport
from lalisa.monthly.formats import Format
from lalisa.monthly.pdf import write_pdf
from lalisa.monthly.xlsx import write_xlsx

WRITERS: dict[str, Callable] = {
    Format.PDF: write_pdf,
    Format.XLSX: write_xlsx,
    Format.CSV: write_csv,
}


def write(
    report: MonthReport, fmt: str, out, progress: Callable[[int], None] | None = None
) -> None:
    """Write `report` in format `fmt` (pdf, xlsx, csv) to the binary file-like `out`."""
    WRITERS[fmt](report, out, progress)
