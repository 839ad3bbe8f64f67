"""Dates and times as people in Balangan read them: Indonesian words, WITA."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

WITA = ZoneInfo("Asia/Makassar")
DAYS = ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"]
MONTHS = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
]


def to_wita(moment: datetime) -> datetime:
    return moment.astimezone(WITA)


def format_date(day: date) -> str:
    """`30 November 2026`."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def format_wita(moment: datetime | None, *, weekday: bool = False) -> str:
    """`30 November 2026 14.05 WITA`; with weekday: `Senin, 30 November 2026 14.05 WITA`."""
    if moment is None:
        return "-"
    local = to_wita(moment)
    text = f"{format_date(local.date())} {local:%H.%M} WITA"
    return f"{DAYS[local.weekday()]}, {text}" if weekday else text
