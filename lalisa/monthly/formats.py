"""The three export formats: their codes, labels, content types and file names."""

from django.db import models


class Format(models.TextChoices):
    PDF = "pdf", "PDF"
    XLSX = "xlsx", "Excel"
    CSV = "csv", "CSV"


CONTENT_TYPES = {
    Format.PDF: "application/pdf",
    Format.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    Format.CSV: "text/csv; charset=utf-8",
}


def filename(year: int, month: int, fmt: str) -> str:
    """`laporan-bulanan-2026-11.pdf`."""
    return f"laporan-bulanan-{year:04d}-{month:02d}.{fmt}"
