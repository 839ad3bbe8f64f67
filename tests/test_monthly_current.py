"""The last full month's report files kept ready: made once, handed out at once while
current, made again once what they show may have changed — and not before."""

import datetime as dt
from unittest import mock

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from lalisa.accounts.models import ApiToken
from lalisa.complaints import seed as seeding
from lalisa.complaints.demo import ensure_staff
from lalisa.complaints.models import OPEN_STATUSES, Category, Complaint
from lalisa.monthly import current
from lalisa.monthly.data import month_range
from lalisa.monthly.models import MonthlyReportFile
from lalisa.monthly.period import default_month, this_month
from lalisa.reports.figures import STAGES
from lalisa.service.models import ServiceProfile
from lalisa.timefmt import to_wita

pytestmark = pytest.mark.django_db
Status = MonthlyReportFile.Status


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Three months of complaints up to now, rolled back at the module's end."""
    with django_db_blocker.unblock(), transaction.atomic():
        ensure_staff("sandi-uji-laporan-123")
        seeding.seed(240, months=3, seed=23, now=timezone.now())
        yield
        transaction.set_rollback(True)


@pytest.fixture
def kept(seeded, media):
    """The worker's first run: the last full month's three files."""
    assert current.keep() == {"pdf": "done", "xlsx": "done", "csv": "done"}
    year, month = default_month()
    return {row.format: row for row in MonthlyReportFile.objects.filter(year=year, month=month)}


def found(fmt="pdf"):
    return current.find(*default_month(), fmt)


def in_months(qs, year_months):
    for c in qs:
        local = to_wita(c.received_at)
        if (local.year, local.month) in year_months:
            yield c


def test_kept_files_are_current_and_not_made_twice(kept):
    assert set(kept) == {"pdf", "xlsx", "csv"}
    for fmt, row in kept.items():
        assert row.status == Status.DONE and row.file and row.stamp
        assert row.requested_by is None
        assert found(fmt) == row
    assert current.keep() == {"pdf": "current", "xlsx": "current", "csv": "current"}
    assert MonthlyReportFile.objects.count() == 3


def test_the_api_hands_out_the_kept_file_without_making_it(client, kept, pimpinan):
    year, month = default_month()
    with mock.patch("lalisa.monthly.export.write", side_effect=AssertionError("made again")):
        response = client.get(
            "/api/v1/reports/monthly",
            {"year": year, "month": month, "format": "xlsx"},
            headers={"Authorization": f"Bearer {ApiToken.issue(pimpinan)}"},
        )
    assert response.status_code == 200
    with kept["xlsx"].file.open("rb") as handle:
        assert b"".join(response.streaming_content) == handle.read()


def test_the_page_offers_the_kept_file_instead_of_a_new_job(client, kept, kabid):
    year, month = default_month()
    client.force_login(kabid)
    jobs_before = DBTaskResult.objects.count()
    choice = {"year": year, "month": month, "format": "csv"}
    response = client.post(reverse("monthly:page"), choice)
    assert response.status_code == 302
    assert response["Location"].endswith(f"?berkas={kept['csv'].pk}")
    assert DBTaskResult.objects.count() == jobs_before
    page = client.get(reverse("monthly:page")).content.decode()
    assert reverse("monthly:download", args=[kept["pdf"].pk]) in page


def test_a_change_in_the_month_makes_the_files_again(kept):
    year, month = default_month()
    start, end = month_range(year, month)
    complaint = Complaint.objects.filter(received_at__gte=start, received_at__lt=end).first()
    complaint.address = "Jl. Ahmad Yani km 3, depan pasar"
    complaint.save()
    assert found("csv") is None
    assert current.keep() == {"pdf": "done", "xlsx": "done", "csv": "done"}
    remade = found("csv")
    assert remade is not None and remade.pk != kept["csv"].pk
    # The one made before is gone with its file; the new one says what changed.
    assert not MonthlyReportFile.objects.filter(pk=kept["csv"].pk).exists()
    with remade.file.open("rb") as handle:
        text = handle.read().decode("utf-8-sig")
    if complaint.confidentiality == "rahasia":
        assert "Jl. Ahmad Yani km 3" not in text
    else:
        assert "Jl. Ahmad Yani km 3, depan pasar" in text


def test_a_change_outside_the_month_leaves_the_files_current(kept):
    # A complaint received this month (two months after the last full month's previous one).
    others = list(in_months(Complaint.objects.all(), {this_month()}))
    if not others:
        pytest.skip("no complaint received yet this month")
    others[0].address = "Jl. lain"
    others[0].save()
    assert found("pdf") == kept["pdf"]


def test_a_complaint_completed_in_the_month_counts_for_it(kept):
    """The month lists what was completed in it, whenever it was received: a complaint of
    this month given a completion time in the last full one (a correction) changes it."""
    others = list(in_months(Complaint.objects.all(), {this_month()}))
    if not others:
        pytest.skip("no complaint received yet this month")
    year, month = default_month()
    start, _ = month_range(year, month)
    others[0].done_at = start + dt.timedelta(days=3)
    others[0].save()
    assert found("pdf") is None


def test_names_and_the_profile_are_part_of_the_file(kept):
    category = Category.objects.first()
    category.name += " (baru)"
    category.save()
    assert found("pdf") is None
    current.keep()
    assert found("pdf") is not None
    profile = ServiceProfile.get()
    profile.head_name = "Drs. Kepala Baru"
    profile.save()
    assert found("pdf") is None


def test_a_file_is_current_only_until_the_next_due_time(kept):
    row = kept["pdf"]
    soon = timezone.now() + dt.timedelta(minutes=1)
    MonthlyReportFile.objects.filter(pk=row.pk).update(valid_until=soon)
    assert found("pdf") == row
    assert current.find(*default_month(), "pdf", now=soon + dt.timedelta(seconds=1)) is None


def test_valid_until_is_the_next_due_time_of_an_open_complaint(seeded):
    year, month = default_month()
    start, end = month_range(year, month)
    now = timezone.now()
    open_ones = Complaint.objects.filter(
        received_at__gte=start, received_at__lt=end, status__in=OPEN_STATUSES
    )
    dues = [
        getattr(c, due)
        for c in open_ones
        for reached, due in STAGES.values()
        if getattr(c, due) is not None and getattr(c, due) > now and getattr(c, reached) is None
    ]
    assert current.valid_until(year, month, now) == min(dues, default=None)
    # An open complaint of the month whose verification falls due in an hour.
    c = Complaint.objects.filter(received_at__gte=start, received_at__lt=end).first()
    Complaint.objects.filter(pk=c.pk).update(
        status="received", verified_at=None, due_verify_at=now + dt.timedelta(hours=1)
    )
    assert current.valid_until(year, month, now) == now + dt.timedelta(hours=1)


def test_a_failing_file_is_not_tried_every_minute(seeded, media):
    with mock.patch("lalisa.monthly.export.write", side_effect=RuntimeError("disk full")):
        assert current.keep() == {"pdf": "failed", "xlsx": "failed", "csv": "failed"}
        assert set(current.keep().values()) == {"failed recently"}
    assert MonthlyReportFile.objects.filter(status=Status.FAILED).count() == 3


def test_a_kept_file_gone_from_the_disk_is_made_again_for_the_api(client, kept, admin):
    year, month = default_month()
    kept["pdf"].file.storage.delete(kept["pdf"].file.name)
    response = client.get(
        "/api/v1/reports/monthly",
        {"year": year, "month": month, "format": "pdf"},
        headers={"Authorization": f"Bearer {ApiToken.issue(admin)}"},
    )
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    made = MonthlyReportFile.objects.filter(format="pdf", requested_by=admin).get()
    assert made.status == Status.DONE and made.stamp == kept["pdf"].stamp
