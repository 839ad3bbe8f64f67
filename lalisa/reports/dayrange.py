"""A period of whole WITA days, as the report pages take it from ?dari= and ?sampai=."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from lalisa.timefmt import WITA, format_date

BAD_DATE = "Tanggal harus berformat TTTT-BB-HH; periode bawaan ditampilkan."
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


def from_params(params, default: Callable[[date], tuple[date, date]] = this_month) -> DayRange:
    """The period asked for; the default one where nothing (or nothing readable) was given."""
    first, last = default(today())
    error = ""
    try:
        if params.get("dari", "").strip():
            first = date.fromisoformat(params["dari"].strip())
        if params.get("sampai", "").strip():
            last = date.fromisoformat(params["sampai"].strip())
    except ValueError:
        first, last = default(today())
        error = BAD_DATE
    if last < first:
        first, last, error = last, first, SWAPPED
    return DayRange(first, last, error)
