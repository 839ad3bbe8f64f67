"""A period of whole WITA days, as the report pages take it from ?dari= and ?sampai=."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from lalisa.timefmt import WITA, format_date

# The days a period may name: wide enough for any real question, and far enough from
# Python's year 1 and 9999 that the WITA day's UTC start, the day after the last, and the
# dashboard's period before all stay representable.
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2099, 12, 31)

FORMAT = "Tanggal harus berformat TTTT-BB-HH."
OUT_OF_RANGE = f"Tanggal harus antara {format_date(FIRST_DAY)} dan {format_date(LAST_DAY)}."
DEFAULT_SHOWN = "Periode bawaan ditampilkan."
SWAPPED = "Tanggal akhir sebelum tanggal awal; keduanya ditukar."


@dataclass(frozen=True)
class DayRange:
    first: date  # inclusive
    last: date  # inclusive
    error: str = ""

    @property
    def start(self) -> datetime:
        """00:00 WITA of the first day."""
        return datetime.combine(self.first, time.min, WITA)

    @property
    def end(self) -> datetime:
        """00:00 WITA of the day after the last (exclusive)."""
        return datetime.combine(self.last + timedelta(days=1), time.min, WITA)

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def label(self) -> str:
        """`1 November 2026 – 30 November 2026`, or one date."""
        if self.first == self.last:
            return format_date(self.first)
        return f"{format_date(self.first)} – {format_date(self.last)}"

    def params(self) -> dict[str, str]:
        return {"dari": self.first.isoformat(), "sampai": self.last.isoformat()}


def today() -> date:
    return timezone.now().astimezone(WITA).date()


def this_month(day: date) -> tuple[date, date]:
    return day.replace(day=1), day


def last_days(n: int) -> Callable[[date], tuple[date, date]]:
    def _range(day: date) -> tuple[date, date]:
        return day - timedelta(days=n - 1), day

    return _range


def parse_day(text: str) -> date:
    """A day as YYYY-MM-DD between FIRST_DAY and LAST_DAY; ValueError saying what is wrong
    (in words for people) otherwise."""
    text = text.strip()
    # fromisoformat alone also reads 20261130 and 2026-W48-1 (the 23rd of November).
    if not (len(text) == 10 and text[4] == text[7] == "-"):
        raise ValueError(FORMAT)
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise ValueError(FORMAT) from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(OUT_OF_RANGE)
    return day


def from_params(params, default: Callable[[date], tuple[date, date]] = this_month) -> DayRange:
    """The period asked for; the default one where nothing was given, or where a date cannot
    be read or lies out of range (and then it says so)."""
    first, last = default(today())
    error = ""
    try:
        if params.get("dari", "").strip():
            first = parse_day(params["dari"])
        if params.get("sampai", "").strip():
            last = parse_day(params["sampai"])
    except ValueError as exc:
        first, last = default(today())
        error = f"{exc} {DEFAULT_SHOWN}"
    if last < first:
        first, last, error = last, first, SWAPPED
    return DayRange(first, last, error)
