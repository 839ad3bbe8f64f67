"""Numbers, shares and durations as Indonesian readers write them: 1.234; 12,5%; 2 jam 5 menit."""

from __future__ import annotations

import calendar
from datetime import date

from lalisa.timefmt import MONTHS


def integer(value: int | None) -> str:
    """`1.234` (dot between thousands)."""
    if value is None:
        return "-"
    return f"{value:,}".replace(",", ".")


def decimal(value: float | None, places: int = 1) -> str:
    """`1.234,5` (comma before the decimals)."""
    if value is None:
        return "-"
    text = f"{value:,.{places}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def percent(share: float | None, places: int = 1) -> str:
    """A share 0..1 as `12,5%`."""
    if share is None:
        return "-"
    return decimal(share * 100, places) + "%"


def change(now: int, before: int) -> str:
    """How `now` compares with `before`: `naik 12,5%`, `turun 3,0%`, `sama`."""
    if before == 0:
        return "bulan lalu tidak ada aduan" if now else "sama"
    if now == before:
        return "sama"
    share = (now - before) / before
    return f"{'naik' if share > 0 else 'turun'} {percent(abs(share))}"


def duration(minutes: float | None) -> str:
    """`45 menit`, `2 jam 5 menit`, `3 hari 4 jam` (rounded to what matters at that size)."""
    if minutes is None:
        return "-"
    total = round(minutes)
    if total < 60:
        return f"{total} menit"
    hours, mins = divmod(total, 60)
    if hours < 24:
        return f"{hours} jam {mins} menit" if mins else f"{hours} jam"
    days, hours = divmod(round(minutes / 60), 24)
    return f"{days} hari {hours} jam" if hours else f"{days} hari"


def month_label(year: int, month: int) -> str:
    """`November 2026`."""
    return f"{MONTHS[month - 1]} {year}"


def month_bounds(year: int, month: int) -> tuple[date, date]:
    """First and last day of the month (end inclusive)."""
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
