"""Working days in Balangan: Monday–Friday, minus national holidays, cuti bersama and DayOff rows.

All clock arithmetic is done in WITA (Asia/Makassar, UTC+8, no DST). Functions taking a moment
need an aware datetime; `add_working_days` returns an aware datetime in WITA.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import holidays

from lalisa.sla.models import DayOff

WITA = ZoneInfo("Asia/Makassar")
# Counting from a non-working day starts at the beginning of office hours.
DAY_START = dt.time(8, 0)
# A run of non-working days longer than this means a broken DayOff table, not a real calendar.
_MAX_DAYS_OFF_IN_A_ROW = 400

# year -> national holidays and cuti bersama; these never change for a given package version.
_NATIONAL: dict[int, holidays.HolidayBase] = {}


def _national(year: int) -> holidays.HolidayBase:
    found = _NATIONAL.get(year)
    if found is None:
        # "government" adds cuti bersama; expand=False so lookups never mutate the cached object.
        found = holidays.country_holidays(
            "ID",
            years=year,
            categories=("public", "government"),
            language="id",
            expand=False,
        )
        _NATIONAL[year] = found
    return found


def national_holiday_name(d: dt.date) -> str | None:
    """Name of the national holiday or cuti bersama on `d`, or None."""
    return _national(d.year).get(d)


def holiday_name(d: dt.date) -> str | None:
    """What makes `d` a holiday (national, cuti bersama or DayOff), or None. Weekends are None."""
    names = [n for n in (national_holiday_name(d), _day_off_name(d)) if n]
    return "; ".join(names) or None


def _day_off_name(d: dt.date) -> str | None:
    return DayOff.objects.filter(date=d).values_list("name", flat=True).first()


def _is_weekday_not_national(d: dt.date) -> bool:
    return d.weekday() < 5 and d not in _national(d.year)


def is_working_day(d: dt.date) -> bool:
    """Monday–Friday that is not a national holiday, cuti bersama or DayOff."""
    # The DayOff query only runs for days the static calendar leaves open.
    return _is_weekday_not_national(d) and not DayOff.objects.filter(date=d).exists()


class WorkingCalendar:
    """Working days for one computation: DayOff rows are read once per date window.

    Not cached across computations because DayOff rows change (admin, tests).
    """

    def __init__(self, window_days: int = 60):
        self.window_days = window_days
        self._days_off: set[dt.date] = set()
        self._loaded: list[tuple[dt.date, dt.date]] = []

    def _ensure_loaded(self, d: dt.date) -> None:
        if any(lo <= d <= hi for lo, hi in self._loaded):
            return
        hi = d + dt.timedelta(days=self.window_days)
        self._days_off.update(
            DayOff.objects.filter(date__gte=d, date__lte=hi).values_list("date", flat=True)
        )
        self._loaded.append((d, hi))

    def is_working_day(self, d: dt.date) -> bool:
        if not _is_weekday_not_national(d):
            return False
        self._ensure_loaded(d)
        return d not in self._days_off

    def next_working_day(self, d: dt.date) -> dt.date:
        """The first working day strictly after `d`."""
        for _ in range(_MAX_DAYS_OFF_IN_A_ROW):
            d += dt.timedelta(days=1)
            if self.is_working_day(d):
                return d
        raise ValueError(f"no working day within {_MAX_DAYS_OFF_IN_A_ROW} days after {d}")

    def add_working_days(self, moment: dt.datetime, n: int) -> dt.datetime:
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError("add_working_days needs an aware datetime")
        if n < 0:
            raise ValueError("n must be >= 0")
        local = moment.astimezone(WITA)
        day, clock = local.date(), local.time()
        if not self.is_working_day(day):
            day, clock = self.next_working_day(day), DAY_START
        for _ in range(n):
            day = self.next_working_day(day)
        # WITA has no DST, so every local time exists exactly once.
        return dt.datetime.combine(day, clock, tzinfo=WITA)


def add_working_days(moment: dt.datetime, n: int) -> dt.datetime:
    """The moment `n` working days after `moment`, as an aware datetime in WITA.

    On a working day the result keeps the WITA clock time, whatever it is (23:00 stays 23:00,
    03:00 stays 03:00; office hours are not modelled). From a non-working day counting starts
    at 08:00 WITA of the next working day, so n=0 then gives that 08:00, and n=0 on a working
    day gives `moment` itself. Reads DayOff rows with one query for normal spans.
    """
    return WorkingCalendar(window_days=max(60, 2 * n + 31)).add_working_days(moment, n)
