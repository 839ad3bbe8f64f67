"""Which month a report is for: the default, and checking what a form or URL asked for."""

from django.utils import timezone

from lalisa.complaints.models import Complaint
from lalisa.monthly.numbers import month_label
from lalisa.timefmt import to_wita

FIRST_YEAR = 2000


def this_month() -> tuple[int, int]:
    today = to_wita(timezone.now()).date()
    return today.year, today.month


def default_month() -> tuple[int, int]:
    """The last full WITA month."""
    year, month = this_month()
    return (year - 1, 12) if month == 1 else (year, month - 1)


class NotBegun(ValueError):
    """A month of this year that has not begun: no report of it exists yet."""


def _digits(text: str) -> bool:
    # isdigit() alone also takes "²" and "١٢", which int() then refuses or reads.
    return text.isascii() and text.isdigit() and len(text) <= 6


def parse_month(year, month) -> tuple[int, int]:
    """(year, month) from text; ValueError with a message for people otherwise (NotBegun
    for a month still to come)."""
    year_text, month_text = (str(year or "").strip(), str(month or "").strip())
    if not year_text or not month_text:
        raise ValueError("Tahun dan bulan wajib diisi (mis. year=2026&month=11).")
    if not _digits(year_text):
        raise ValueError(f"Tahun «{year_text[:20]}» harus berupa angka, mis. 2026.")
    if not _digits(month_text):
        raise ValueError(f"Bulan «{month_text[:20]}» harus berupa angka 1 sampai 12.")
    y, m = int(year_text), int(month_text)
    now_year, now_month = this_month()
    if not FIRST_YEAR <= y <= now_year:
        raise ValueError(f"Tahun harus antara {FIRST_YEAR} dan {now_year}.")
    if not 1 <= m <= 12:
        raise ValueError(f"Bulan «{month_text}» harus berupa angka 1 sampai 12.")
    if (y, m) > (now_year, now_month):
        raise NotBegun(f"Bulan {month_label(y, m)} belum dimulai.")
    return y, m


def year_choices() -> list[int]:
    """From this year back to the year of the first complaint."""
    now_year = this_month()[0]
    first = Complaint.objects.order_by("received_at").values_list("received_at", flat=True)[:1]
    start = to_wita(first[0]).year if first else now_year
    return list(range(now_year, max(FIRST_YEAR, min(start, now_year)) - 1, -1))
