"""Monthly report files made in the background: ask for one, make it, keep the list tidy."""

from __future__ import annotations

import logging
import tempfile
import time
from datetime import timedelta

from django.core.files import File
from django.db import transaction
from django.utils import timezone

from lalisa.monthly import current, export
from lalisa.monthly.data import month_report
from lalisa.monthly.models import MonthlyReportFile

log = logging.getLogger(__name__)
Status = MonthlyReportFile.Status

# A running job that has not moved for this long died with its worker.
STALE_AFTER = timedelta(minutes=15)
KEEP_FILES = timedelta(days=90)
PROGRESS_EVERY = 1.0  # seconds between progress writes


def request_report(year: int, month: int, fmt: str, user) -> MonthlyReportFile:
    """A file for (year, month, format): a current one already made, the one waiting or
    running, or a new one queued for the worker (its row and its job written together)."""
    from lalisa.monthly.tasks import generate_monthly_report

    made = current.find(year, month, fmt)
    if made is not None:
        return made
    with transaction.atomic():
        pending = being_made(year, month, fmt).first()
        if pending is not None:
            return pending
        row = MonthlyReportFile.objects.create(
            year=year, month=month, format=fmt, requested_by=user
        )
        generate_monthly_report.enqueue(row.pk)
    return row


def being_made(year: int, month: int, fmt: str):
    """The month's files in that format waiting for the worker or being made."""
    return MonthlyReportFile.objects.filter(
        year=year, month=month, format=fmt, status__in=[Status.QUEUED, Status.RUNNING]
    )


def _progress(row_id: int):
    last = [0.0, -1]

    def report(percent: int) -> None:
        now = time.monotonic()
        if percent != last[1] and now - last[0] >= PROGRESS_EVERY:
            last[:] = [now, percent]
            MonthlyReportFile.objects.filter(pk=row_id).update(
                progress=max(1, min(percent, 99)), updated_at=timezone.now()
            )

    return report


def build(row_id: int) -> str:
    """Make the file of row `row_id`; what came of it (done, skipped, failed)."""
    claimed = MonthlyReportFile.objects.filter(pk=row_id, status=Status.QUEUED).update(
        status=Status.RUNNING, started_at=timezone.now(), progress=1, updated_at=timezone.now()
    )
    if not claimed:
        return "skipped"  # gone, or taken by another worker
    row = MonthlyReportFile.objects.get(pk=row_id)
    try:
        # Before the data is read: a change while the file is made leaves it not current.
        started = timezone.now()
        stamp = current.stamp(row.year, row.month, started)
        until = current.valid_until(row.year, row.month, started)
        report = month_report(row.year, row.month)
        with tempfile.TemporaryFile() as out:
            export.write(report, row.format, out, _progress(row_id))
            out.seek(0)
            row.file.save(row.download_name, File(out), save=False)
        row.size = row.file.size
    except Exception:
        log.exception("monthly report %s failed", row_id)
        MonthlyReportFile.objects.filter(pk=row_id).update(
            status=Status.FAILED,
            error="Laporan gagal dibuat. Silakan coba lagi; bila tetap gagal, hubungi "
            "pengelola sistem.",
            finished_at=timezone.now(),
            updated_at=timezone.now(),
        )
        raise
    MonthlyReportFile.objects.filter(pk=row_id).update(
        status=Status.DONE,
        progress=100,
        file=row.file.name,
        size=row.size,
        stamp=stamp,
        valid_until=until,
        finished_at=timezone.now(),
        updated_at=timezone.now(),
    )
    return "done"


def drop_superseded(row: MonthlyReportFile) -> int:
    """Delete the files made without a request before `row` for its month and format: the
    worker makes one a day or more, the list keeps the latest; how many."""
    older = MonthlyReportFile.objects.filter(
        year=row.year, month=row.month, format=row.format, requested_by__isnull=True
    ).exclude(pk=row.pk)
    return _delete(older.exclude(status__in=[Status.QUEUED, Status.RUNNING]))


def _delete(rows) -> int:
    count = 0
    for row in rows:
        if row.file:
            row.file.delete(save=False)
        row.delete()
        count += 1
    return count


def fail_stale(now=None) -> int:
    """Mark running jobs that stopped moving as failed; how many."""
    now = now or timezone.now()
    return MonthlyReportFile.objects.filter(
        status=Status.RUNNING, updated_at__lt=now - STALE_AFTER
    ).update(
        status=Status.FAILED,
        error="Pembuatan laporan terhenti. Silakan buat ulang.",
        finished_at=now,
        updated_at=now,
    )


def prune(now=None) -> int:
    """Delete files older than KEEP_FILES (they can be made again); how many."""
    now = now or timezone.now()
    old = MonthlyReportFile.objects.filter(created_at__lt=now - KEEP_FILES).exclude(
        status__in=[Status.QUEUED, Status.RUNNING]
    )
    return _delete(old)
