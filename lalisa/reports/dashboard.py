"""The leadership's dashboard (/dasbor/): the figures of a period, each linked to the
complaints behind it in the staff inbox."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from lalisa import access
from lalisa.complaints.models import OPEN_STATUSES, Complaint
from lalisa.monthly import numbers
from lalisa.reports import dayrange, figures
from lalisa.reports.links import NO_KECAMATAN, inbox_url
from lalisa.timefmt import DAYS, WITA, format_wita

OVERDUE_SHOWN = 50

# ?periode= quick choices: (label, first and last day from today).
QUICK = {
    "bulan-ini": ("Bulan ini", lambda d: (d.replace(day=1), d)),
    "bulan-lalu": ("Bulan lalu", lambda d: _last_month(d)),
    "7-hari": ("7 hari terakhir", lambda d: (d - timedelta(days=6), d)),
    "30-hari": ("30 hari terakhir", lambda d: (d - timedelta(days=29), d)),
    "tahun-ini": ("Tahun ini", lambda d: (d.replace(month=1, day=1), d)),
}
DEFAULT = "bulan-ini"


def _last_month(day: date) -> tuple[date, date]:
    last = day.replace(day=1) - timedelta(days=1)
    return last.replace(day=1), last


@dataclass(frozen=True)
class Period:
    first: date
    last: date
    choice: str  # a QUICK key, or "" for dari/sampai
    error: str = ""

    @property
    def label(self) -> str:
        return dayrange.DayRange(self.first, self.last).label


def choose_period(params, today: date) -> Period:
    """A quick choice (?periode=), else dari/sampai, else this month so far."""
    choice = params.get("periode", "").strip()
    if choice in QUICK:
        first, last = QUICK[choice][1](today)
        return Period(first, last, choice)
    if params.get("dari", "").strip() or params.get("sampai", "").strip():
        chosen = dayrange.from_params(params, default=lambda _: QUICK[DEFAULT][1](today))
        return Period(chosen.first, chosen.last, "", chosen.error)
    first, last = QUICK[DEFAULT][1](today)
    error = f"Periode «{choice[:30]}» tidak dikenal. {dayrange.DEFAULT_SHOWN}" if choice else ""
    return Period(first, last, DEFAULT, error)


@dataclass(frozen=True)
class Cell:
    """One number on the page and the inbox link to what it counts."""

    label: str
    n: int
    url: str
    text: str = ""  # the number as shown, when not just n

    @property
    def shown(self) -> str:
        return self.text or numbers.integer(self.n)


@login_required
def dashboard(request):
    user = request.user
    if not access.has_perm(user, "view_reports"):
        return render(
            request,
            "web/forbidden.html",
            {"message": "Dasbor hanya untuk admin, Kabid, dan pimpinan."},
            status=403,
        )
    today = timezone.now().astimezone(WITA).date()
    period = choose_period(request.GET, today)
    s = figures.summary(period.first, period.last)
    return render(request, "reports/dashboard.html", context_for(s, period, today))


def context_for(s: figures.Summary, period: Period, today: date) -> dict:
    home = reverse("web:home")
    period_filters = {"dari": s.start.isoformat(), "sampai": s.end.isoformat()}

    def link(**filters) -> str:
        return inbox_url(base=home, **period_filters, **filters)

    prev_first, prev_last = s.previous
    change_share = s.change_share
    trend = {
        "previous": Cell(
            "Periode sebelumnya",
            s.previous_received,
            inbox_url(dari=prev_first.isoformat(), sampai=prev_last.isoformat()),
        ),
        "label": dayrange.DayRange(prev_first, prev_last).label,
        "change": f"{'+' if s.change > 0 else ''}{numbers.integer(s.change)}",
        "share": (
            f"{'+' if change_share > 0 else ''}{numbers.percent(change_share)}"
            if change_share is not None
            else ""
        ),
        "direction": "up" if s.change > 0 else "down" if s.change < 0 else "same",
    }
    statuses = [Cell(r.label, r.n, link(status=r.code)) for r in s.by_status]
    categories = [Cell(r.label, r.n, link(category=r.code)) for r in s.by_category]
    places = [Cell(r.label, r.n, link(kecamatan=r.code or NO_KECAMATAN)) for r in s.by_kecamatan]
    outcomes = [Cell(r.label, r.n, link(hasil=r.code)) for r in s.by_outcome]
    peak = max((n for row in s.by_weekday_hour for n in row), default=0)
    hours = [
        {
            "label": f"{hour:02d}.00",
            "cells": [
                {
                    "n": s.by_weekday_hour[day][hour],
                    "url": link(hari=day + 1, jam=hour),
                    "level": _level(s.by_weekday_hour[day][hour], peak),
                    "title": f"{DAYS[day]}, pukul {hour:02d}.00–{hour:02d}.59",
                }
                for day in range(7)
            ],
        }
        for hour in range(24)
    ]
    stages = []
    for code, label in figures.STAGE_LABELS.items():
        d, sla = s.durations[code], s.sla[code]
        stages.append(
            {
                "label": label,
                "reached": Cell(label, d.count, link(tercapai=code)),
                "median": numbers.duration(d.median_minutes),
                "p90": numbers.duration(d.p90_minutes),
                "measured": sla.measured,
                "within": Cell("Tepat waktu", sla.within, link(sla=f"{code}-ok")),
                "late": Cell("Terlambat", sla.late, link(sla=f"{code}-late")),
                "share": numbers.percent(sla.share),
            }
        )
    r = s.ratings
    ratings = {
        "count": Cell("Penilaian", r.count, link(rating="ada")),
        "average": numbers.decimal(r.average) if r.average is not None else "-",
        "satisfied": Cell(
            "Puas", r.satisfied, link(rating="puas"), numbers.percent(r.satisfied_share)
        ),
        "scores": [
            Cell(f"Nilai {score}", n, link(rating=score))
            for score, n in zip(range(5, 0, -1), reversed(r.distribution), strict=True)
        ],
    }
    now = timezone.now()
    overdue_all = Complaint.objects.filter(status__in=OPEN_STATUSES, due_at__lt=now)
    overdue = [
        {
            "complaint": c,
            "due": format_wita(c.due_at),
            "late": numbers.duration((now - c.due_at).total_seconds() / 60),
        }
        for c in figures.open_overdue(limit=OVERDUE_SHOWN)
    ]
    charts = {
        "status": _chart(statuses),
        "category": _chart(categories),
        "kecamatan": _chart(places),
        "rating": _chart(list(reversed(ratings["scores"]))),
    }
    return {
        "s": s,
        "period": period,
        "quick": [(key, label) for key, (label, _) in QUICK.items()],
        "received": Cell("Aduan masuk", s.received, link()),
        "handled": Cell("Sudah ditangani", s.handled, link(selesai=1)),
        "overdue_count": Cell("Terlambat sekarang", overdue_all.count(), inbox_url(overdue=1)),
        "trend": trend,
        "statuses": statuses,
        "categories": categories,
        "places": places,
        "outcomes": outcomes,
        "days": DAYS,
        "hours": hours,
        "stages": stages,
        "ratings": ratings,
        "overdue": overdue,
        "overdue_shown": OVERDUE_SHOWN,
        "charts": charts,
        "computed": format_wita(s.computed_at),
        "today": today,
    }


def _level(n: int, peak: int) -> int:
    """Shade 0..5 of a heat-map cell (0 only for none)."""
    if not n or not peak:
        return 0
    return max(1, min(5, -(-5 * n // peak)))


def _chart(cells: list[Cell]) -> dict:
    return {
        "labels": [c.label for c in cells],
        "values": [c.n for c in cells],
        "urls": [c.url for c in cells],
    }
