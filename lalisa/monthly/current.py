"""Which monthly report file is current, and keeping the last full month's files ready.

A file stays current while nothing it shows can have changed:
- the month in the summary tables (lalisa.reports.summary.month_version: a complaint
  received, dispatched or completed in the month changed, or one of the month before, whose
  count the report compares with);
- the names it prints: the service profile, categories, outcomes, teams, kecamatan, desa;
- the WITA day: the cover and the signature block carry the date it was made, and a
  reporter's name edited by staff (which moves no complaint) shows by the next day;
- no open complaint of the month has passed a due time since (its SLA figure turns then):
  `valid_until`.
The worker makes the last full month's three files as soon as they are not current, so the
page and the API hand them out at once, however large the month.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta

from django.db.models import Min, Q
from django.utils import timezone

from lalisa.complaints.models import OPEN_STATUSES, Category, Complaint, Outcome
from lalisa.monthly.data import month_range
from lalisa.monthly.formats import Format
from lalisa.monthly.models import MonthlyReportFile
from lalisa.monthly.period import default_month
from lalisa.regions.models import Desa, Kecamatan
from lalisa.reports.figures import STAGES
from lalisa.reports.summary import month_version
from lalisa.service.models import ServiceProfile
from lalisa.teams.models import TrcTeam
from lalisa.timefmt import to_wita

Status = MonthlyReportFile.Status
NAMED = (Category, Outcome, TrcTeam, Kecamatan, Desa)
RETRY_AFTER = timedelta(hours=1)  # a file the worker failed to make


def stamp(year: int, month: int, now: datetime | None = None) -> str:
    """What a file of the month made now is made from, as a short word."""
    now = now or timezone.now()
    digest = hashlib.sha256()
    digest.update(f"{month_version(date(year, month, 1))}|{to_wita(now).date()}".encode())
    profile = ServiceProfile.get()
    values = [getattr(profile, f.attname) for f in ServiceProfile._meta.concrete_fields]
    digest.update(repr(values).encode())
    for model in NAMED:
        digest.update(repr(list(model.objects.order_by("pk").values_list("pk", "name"))).encode())
    return digest.hexdigest()[:32]


def valid_until(year: int, month: int, now: datetime | None = None) -> datetime | None:
    """The next due time an open complaint of the month passes; None when there is none."""
    now = now or timezone.now()
    start, end = month_range(year, month)
    open_ones = Complaint.objects.filter(
        received_at__gte=start, received_at__lt=end, status__in=OPEN_STATUSES
    )
    dues = open_ones.aggregate(
        **{
            stage: Min(due, filter=Q(**{f"{due}__gt": now, f"{reached}__isnull": True}))
            for stage, (reached, due) in STAGES.items()
        }
    )
    return min((d for d in dues.values() if d is not None), default=None)


def find_all(year: int, month: int, now: datetime | None = None) -> dict[str, MonthlyReportFile]:
    """The newest current file of the month in each format that has one."""
    now = now or timezone.now()
    rows = (
        MonthlyReportFile.objects.filter(
            year=year, month=month, status=Status.DONE, stamp=stamp(year, month, now)
        )
        .exclude(file="")
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gt=now))
        .order_by("finished_at", "pk")
    )
    return {row.format: row for row in rows}  # the newest last, so it stays


def find(year: int, month: int, fmt: str, now: datetime | None = None):
    """The newest current file of the month in that format, or None."""
    return find_all(year, month, now).get(fmt)


def keep() -> dict[str, str]:
    """Make each file of the last full month that is not current (none is being made);
    what became of each format."""
    from lalisa.monthly import jobs

    year, month = default_month()
    made = find_all(year, month)
    out = {}
    for fmt in Format.values:
        if fmt in made or jobs.being_made(year, month, fmt).exists():
            out[fmt] = "current"
            continue
        failed = MonthlyReportFile.objects.filter(
            year=year,
            month=month,
            format=fmt,
            requested_by__isnull=True,
            status=Status.FAILED,
            finished_at__gt=timezone.now() - RETRY_AFTER,
        )
        if failed.exists():  # the log has why; a person asking tries again at once
            out[fmt] = "failed recently"
            continue
        row = MonthlyReportFile.objects.create(year=year, month=month, format=fmt)
        try:
            out[fmt] = jobs.build(row.pk)
        except Exception:  # logged and the row marked failed by build(); the next format
            out[fmt] = "failed"
            continue
        if out[fmt] == "done":
            jobs.drop_superseded(row)
    return out
