"""The monthly report: its PDF, Excel and CSV read back and checked against counts made here
independently, the month's WITA edges, and the /laporan/ page with its background job."""

import csv
import datetime as dt
import io
import re
from collections import Counter
from unittest import mock

import openpyxl
import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from pypdf import PdfReader

from lalisa.complaints import seed as seeding
from lalisa.complaints import workflow
from lalisa.complaints.demo import ensure_staff
from lalisa.complaints.models import Category, Complaint, Confidentiality, Dispatch
from lalisa.monthly import export, jobs, numbers
from lalisa.monthly.data import WITHHELD_ADDRESS, month_report
from lalisa.monthly.models import MonthlyReportFile
from lalisa.monthly.tasks import generate_monthly_report
from lalisa.timefmt import WITA, format_date, to_wita
from lalisa.worker.management.commands import db_worker

pytestmark = pytest.mark.django_db

# Complaints from August to 10 November 2026; the report is October's.
NOW = dt.datetime(2026, 11, 10, 10, 0, tzinfo=WITA)
YEAR, MONTH = 2026, 10
Status = MonthlyReportFile.Status


def in_month(moment) -> bool:
    if moment is None:
        return False
    local = moment.astimezone(WITA)
    return (local.year, local.month) == (YEAR, MONTH)


@pytest.fixture(scope="module")
def month(django_db_setup, django_db_blocker):
    """Seeded once for the module, inside a transaction rolled back at its end; the three
    files made once, and what they must say, counted here without the report's code."""
    with django_db_blocker.unblock(), transaction.atomic():
        ensure_staff("sandi-uji-laporan-123")
        seeding.seed(400, months=3, seed=11, now=NOW)
        complaints = list(
            Complaint.objects.select_related("reporter", "outcome", "category", "kecamatan")
        )
        received = [c for c in complaints if in_month(c.received_at)]
        dispatches = Dispatch.objects.select_related("team")
        report = month_report(YEAR, MONTH)
        files = {}
        for fmt in ("pdf", "xlsx", "csv"):
            out = io.BytesIO()
            export.write(report, fmt, out)
            files[fmt] = out.getvalue()
        yield {
            "report": report,
            "received": received,
            "codes": {c.code for c in received},
            "completed": {c.code for c in complaints if in_month(c.done_at)},
            "by_category": Counter(c.category.name for c in received),
            "by_kecamatan": Counter(c.kecamatan.name for c in received if c.kecamatan_id),
            "by_outcome": Counter(c.outcome.name for c in received if c.outcome_id),
            "by_team": Counter(d.team.name for d in dispatches if in_month(d.dispatched_at)),
            "hidden": [c for c in received if c.confidentiality != Confidentiality.BIASA],
            "shown": [c for c in received if c.confidentiality == Confidentiality.BIASA],
            "files": files,
        }
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def pdf_text(month):
    reader = PdfReader(io.BytesIO(month["files"]["pdf"]))
    return [page.extract_text() for page in reader.pages]


def test_the_seed_gives_the_report_something_to_show(month):
    assert len(month["received"]) > 80
    assert len(month["completed"]) > 40
    assert len(month["hidden"]) > 5 and len(month["shown"]) > 5
    # The report's figures are the shared summary's, and they match the count made here.
    assert month["report"].summary.received == len(month["received"])


# --- PDF ----------------------------------------------------------------------------------


def test_pdf_cover_and_summary(month, pdf_text):
    cover, summary = pdf_text[0], pdf_text[1]
    assert "Laporan Bulanan La-Lisa" in cover
    assert "Oktober 2026" in cover
    assert "Satpol PP Kabupaten Balangan" in cover
    assert "1 Oktober 2026 – 31 Oktober 2026" in cover
    count = len(month["received"])
    september = sum(
        1
        for c in Complaint.objects.only("received_at")
        if (to_wita(c.received_at).year, to_wita(c.received_at).month) == (2026, 9)
    )
    flat = " ".join(summary.split())
    assert f"menerima {numbers.integer(count)} aduan" in flat
    assert f"bulan sebelumnya {numbers.integer(september)};" in flat
    assert f"Aduan diterima\n{numbers.integer(count)}\n" in summary


def test_pdf_pages_are_numbered_in_indonesian(pdf_text):
    total = len(pdf_text)
    assert total > 4
    assert "Halaman" not in pdf_text[0]  # the cover
    for number, text in enumerate(pdf_text[1:], 2):
        assert f"Halaman {number} dari {total}" in text


def test_pdf_tables_show_the_months_counts(month, pdf_text):
    text = "\n".join(pdf_text)
    for what in ("by_category", "by_kecamatan", "by_team", "by_outcome"):
        assert month[what], what
        for label, n in month[what].items():
            assert f"\n{label}\n{numbers.integer(n)}\n" in text, (what, label, n)


def test_pdf_uses_indonesian_number_and_date_formats(pdf_text):
    text = "\n".join(pdf_text)
    assert re.search(r"\b\d{1,3},\d%", text)  # 12,5%
    assert not re.search(r"\b\d+\.\d%", text)
    english = "January|February|March|May|June|July|August|October|December"
    assert not re.search(rf"\b({english})\b", text)
    today = to_wita(timezone.now()).date()
    assert f"Paringin, {format_date(today)}" in text
    assert "Kepala Satuan Polisi Pamong Praja" in text
    assert "NIP." in text


def test_pdf_lists_every_completed_complaint(month, pdf_text):
    text = "\n".join(pdf_text[2:])
    missing = [code for code in month["completed"] if code not in text]
    assert not missing
    assert f"Jumlah: {numbers.integer(len(month['completed']))} aduan selesai" in text


def test_pdf_names_no_reporter_of_an_anonim_or_rahasia_complaint(month, pdf_text):
    text = "\n".join(pdf_text)
    for c in month["hidden"]:
        if c.reporter is None:
            continue
        for value in (c.reporter.name, c.reporter.profile_name, c.reporter.phone):
            if value:
                assert value not in text, c.code


# --- Excel --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def workbook(month):
    return openpyxl.load_workbook(io.BytesIO(month["files"]["xlsx"]), read_only=True)


def sheet_rows(workbook, name) -> tuple[list, list[list]]:
    rows = [list(r) for r in workbook[name].iter_rows(values_only=True)]
    return rows[0], rows[1:]


def test_xlsx_has_a_row_per_complaint_received_with_typed_cells(month, workbook):
    header, rows = sheet_rows(workbook, "Aduan")
    assert len(rows) == len(month["received"])
    col = {name: i for i, name in enumerate(header)}
    assert {r[col["Kode tiket"]] for r in rows} == month["codes"]
    by_code = {c.code: c for c in month["received"]}
    for row in rows:
        c = by_code[row[col["Kode tiket"]]]
        # A real Excel date-time, in WITA (Excel keeps milliseconds).
        local = to_wita(c.received_at).replace(tzinfo=None)
        assert abs(row[col["Diterima (WITA)"]] - local) < dt.timedelta(milliseconds=2)
        assert row[col["Kategori"]] == c.category.name
        if c.verified_at:
            minutes = int((c.verified_at - c.received_at).total_seconds() // 60)
            assert row[col["Menit sampai verifikasi"]] == minutes
        else:
            assert row[col["Menit sampai verifikasi"]] is None


def test_xlsx_shows_identity_only_for_biasa(month, workbook):
    header, rows = sheet_rows(workbook, "Aduan")
    col = {name: i for i, name in enumerate(header)}
    by_code = {r[col["Kode tiket"]]: r for r in rows}
    for c in month["hidden"]:
        row = by_code[c.code]
        label = "Anonim" if c.confidentiality == Confidentiality.ANONIM else "Rahasia"
        assert row[col["Nama pelapor"]] == label
        assert row[col["Nomor pelapor"]] is None
        if c.confidentiality == Confidentiality.RAHASIA and c.address:
            assert row[col["Alamat/tempat"]] == WITHHELD_ADDRESS
        if c.reporter is not None:
            for value in (c.reporter.name, c.reporter.profile_name, c.reporter.phone):
                assert not value or all(value not in str(cell) for cell in row)
    named = [c for c in month["shown"] if c.reporter is not None]
    assert named
    for c in named:
        row = by_code[c.code]
        assert row[col["Nama pelapor"]] == c.reporter.display_name
        assert row[col["Nomor pelapor"]] == (c.reporter.phone or None)
        assert row[col["Alamat/tempat"]] == (c.address or None)


def test_xlsx_has_a_sheet_per_team_and_the_summary(month, workbook):
    assert workbook.sheetnames[:3] == ["Ringkasan", "Aduan", "Selesai"]
    for team, count in month["by_team"].items():
        header, rows = sheet_rows(workbook, team)
        assert header[0] == "Kode tiket"
        assert len(rows) == count, team
    _, completed = sheet_rows(workbook, "Selesai")
    assert {r[0] for r in completed} == month["completed"]
    summary = {r[0]: r[1] for r in workbook["Ringkasan"].iter_rows(values_only=True) if r[0]}
    assert summary["Aduan diterima"] == len(month["received"])
    for name, n in month["by_category"].items():
        assert summary[name] == n


# --- CSV ----------------------------------------------------------------------------------


def test_csv_reads_back_in_excel_conventions(month):
    raw = month["files"]["csv"]
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads it as UTF-8
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    header, body = rows[0], rows[1:]
    assert len(body) == len(month["received"])
    col = {name: i for i, name in enumerate(header)}
    assert {r[col["Kode tiket"]] for r in body} == month["codes"]
    assert all(re.fullmatch(r"2026-10-\d\d \d\d:\d\d", r[col["Diterima (WITA)"]]) for r in body)
    ratings = [r[col["Penilaian (1-5)"]] for r in body if r[col["Penilaian (1-5)"]]]
    assert ratings and all(re.fullmatch(r"[1-5](,\d+)?", v) for v in ratings)
    hidden = {c.code: c.confidentiality for c in month["hidden"]}
    for r in body:
        if r[col["Kode tiket"]] in hidden:
            assert r[col["Nama pelapor"]] in ("Anonim", "Rahasia")
            assert r[col["Nomor pelapor"]] == ""
    # A phone number (+62…) is kept as text, not read by a spreadsheet as a formula.
    phones = {c.code: c.reporter.phone for c in month["shown"] if c.reporter and c.reporter.phone}
    assert phones
    for r in body:
        if r[col["Kode tiket"]] in phones:
            assert r[col["Nomor pelapor"]] == "'" + phones[r[col["Kode tiket"]]]


def test_csv_never_carries_a_formula(month, citizen, admin):
    filed = workflow.file_complaint(
        actor=admin,
        source="walk_in",
        reporter=citizen,
        category=Category.objects.get(code="pkl"),
        description="PKL",
        address='=HYPERLINK("http://contoh.invalid","klik")',
        received_at=dt.datetime(2026, 10, 15, 9, 0, tzinfo=WITA),
    )
    out = io.BytesIO()
    export.write(month_report(YEAR, MONTH), "csv", out)
    rows = list(csv.reader(io.StringIO(out.getvalue().decode("utf-8-sig")), delimiter=";"))
    col = {name: i for i, name in enumerate(rows[0])}
    row = next(r for r in rows if r[col["Kode tiket"]] == filed.code)
    assert row[col["Alamat/tempat"]] == "'" + filed.address


# --- the month's edges, in WITA -----------------------------------------------------------


def test_the_month_ends_at_midnight_wita(month, citizen):
    category = Category.objects.get(code="pkl")
    last_minute = workflow.file_complaint(
        actor=citizen,
        category=category,
        description="PKL di trotoar",
        received_at=dt.datetime(2026, 10, 31, 23, 59, 59, tzinfo=WITA),
    )
    next_month = workflow.file_complaint(
        actor=citizen,
        category=category,
        description="PKL di trotoar",
        received_at=dt.datetime(2026, 11, 1, 0, 0, tzinfo=WITA),
    )
    report = month_report(YEAR, MONTH)
    codes = [r.code for r in report.complaint_rows()]
    assert last_minute.code in codes and next_month.code not in codes
    assert report.summary.received == len(codes) == len(month["received"]) + 1
    november = [r.code for r in month_report(2026, 11).complaint_rows()]
    assert next_month.code in november and last_minute.code not in november
    # 23:59:59 WITA is 15:59:59 UTC: the edge is WITA's, not the server's.
    assert last_minute.received_at.astimezone(dt.UTC).hour == 15


def test_numbers_read_the_indonesian_way():
    assert numbers.integer(1234567) == "1.234.567"
    assert numbers.decimal(1234.56) == "1.234,6"
    assert numbers.percent(0.125) == "12,5%"
    assert numbers.change(110, 100) == "naik 10,0%"
    assert numbers.change(90, 100) == "turun 10,0%"
    assert numbers.duration(45) == "45 menit"
    assert numbers.duration(125) == "2 jam 5 menit"
    assert numbers.duration(60 * 27) == "1 hari 3 jam"
    assert numbers.month_label(2026, 11) == "November 2026"


# --- the page and its background job ------------------------------------------------------


PAGE = "/laporan/"


def test_page_needs_login(client):
    for url in (PAGE, "/laporan/berkas/1/unduh"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("web:login"))
    # The page's own poll: the page goes to the login itself.
    response = client.get("/laporan/berkas/1/status.json")
    assert response.status_code == 401
    assert response.json()["login_url"] == reverse("web:login")


@pytest.mark.parametrize("who", ["trc", "superadmin"])
def test_page_refuses_roles_without_reports(client, request, who):
    client.force_login(request.getfixturevalue(who))
    response = client.get(PAGE)
    assert response.status_code == 403
    assert "hanya untuk admin, Kabid dan pimpinan" in response.content.decode()
    response = client.post(PAGE, {"year": "2026", "month": "10", "format": "pdf"})
    assert response.status_code == 403
    assert not MonthlyReportFile.objects.exists()


@pytest.mark.parametrize("who", ["admin", "kabid", "pimpinan"])
def test_page_offers_the_last_full_month(client, request, who):
    client.force_login(request.getfixturevalue(who))
    with mock.patch("lalisa.monthly.period.timezone.now", return_value=NOW):
        response = client.get(PAGE)
    html = response.content.decode()
    assert response.status_code == 200
    assert '<option value="10" selected>Oktober</option>' in html
    assert '<option value="2026" selected>2026</option>' in html
    assert 'value="pdf" checked' in html
    assert "Buat laporan" in html
    assert "monthly/progress.js" in html and "<script>" not in html


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"year": "2026", "month": "13", "format": "pdf"}, "Bulan «13» harus berupa angka 1"),
        ({"year": "dua", "month": "10", "format": "pdf"}, "Tahun «dua» harus berupa angka"),
        ({"year": "2026", "month": "10", "format": "doc"}, "Pilih format"),
        ({"year": "2099", "month": "1", "format": "pdf"}, "Tahun harus antara 2000"),
    ],
)
def test_page_refuses_bad_choices(client, pimpinan, data, message):
    client.force_login(pimpinan)
    response = client.post(PAGE, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not MonthlyReportFile.objects.exists()


def test_page_refuses_a_month_not_begun(client, pimpinan):
    client.force_login(pimpinan)
    with mock.patch("lalisa.monthly.period.timezone.now", return_value=NOW):
        response = client.post(PAGE, {"year": "2026", "month": "12", "format": "csv"})
    assert response.status_code == 400
    assert "Desember 2026 belum dimulai" in response.content.decode()


def run_worker():
    """`lalisa db_worker --batch`, kept from closing the test's connection."""
    with mock.patch.object(db_worker, "close_old_connections", lambda: None):
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


def test_making_a_report_in_the_background(month, client, pimpinan, kabid, trc, media):
    client.force_login(pimpinan)
    response = client.post(PAGE, {"year": "2026", "month": "10", "format": "xlsx"})
    row = MonthlyReportFile.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{PAGE}?berkas={row.pk}"
    assert (row.year, row.month, row.format, row.status) == (2026, 10, "xlsx", Status.QUEUED)
    assert row.requested_by == pimpinan
    job = DBTaskResult.objects.get(task_path=generate_monthly_report.module_path)
    assert job.args_kwargs["args"] == [row.pk]
    # Asking again while it waits gives the same file, not a second job.
    client.post(PAGE, {"year": "2026", "month": "10", "format": "xlsx"})
    assert MonthlyReportFile.objects.count() == 1

    status_url = reverse("monthly:status", args=[row.pk])
    queued = client.get(status_url).json()
    assert queued["status"] == "queued" and queued["pending"] and not queued["download_url"]
    page = client.get(f"{PAGE}?berkas={row.pk}").content.decode()
    assert f'data-status-url="{status_url}"' in page and "data-pending" in page

    run_worker()
    done = client.get(status_url).json()
    assert done["status"] == "done" and done["progress"] == 100 and not done["pending"]
    assert done["download_url"] == reverse("monthly:download", args=[row.pk])

    client.force_login(kabid)  # the other reporting roles share the files
    response = client.get(done["download_url"])
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="laporan-bulanan-2026-10.xlsx"' in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book["Aduan"].max_row - 1 == len(month["received"])

    client.force_login(trc)
    assert client.get(done["download_url"]).status_code == 403
    assert client.get(status_url).status_code == 403
    client.logout()
    assert client.get(done["download_url"]).status_code == 302


def test_status_follows_the_progress(month, client, admin, media, monkeypatch):
    client.force_login(admin)
    row = jobs.request_report(2026, 10, "csv", admin)
    status_url = reverse("monthly:status", args=[row.pk])
    seen = []

    def slow_write(report, fmt, out, progress):
        for percent in (20, 60):
            progress(percent)
            seen.append(client.get(status_url).json())
        out.write(b"kode;status\r\n")

    monkeypatch.setattr(jobs, "PROGRESS_EVERY", 0)
    monkeypatch.setattr(export, "write", slow_write)
    assert generate_monthly_report.call(row.pk) == "done"
    assert [(s["status"], s["progress"]) for s in seen] == [("running", 20), ("running", 60)]
    assert all(s["status_label"] == "Sedang dibuat" for s in seen)
    final = client.get(status_url).json()
    assert (final["status"], final["progress"]) == ("done", 100)
    # A second run of the same job (a worker retried it) changes nothing.
    assert generate_monthly_report.call(row.pk) == "skipped"


def test_a_failed_report_says_so(client, admin, media, monkeypatch):
    client.force_login(admin)
    row = jobs.request_report(2026, 10, "pdf", admin)

    def broken(*args):
        raise RuntimeError("disk full")

    monkeypatch.setattr(export, "write", broken)
    with pytest.raises(RuntimeError):
        generate_monthly_report.call(row.pk)
    state = client.get(reverse("monthly:status", args=[row.pk])).json()
    assert state["status"] == "failed" and "gagal dibuat" in state["error"]
    assert client.get(reverse("monthly:download", args=[row.pk])).status_code == 404
    # A failed month can be asked for again.
    assert jobs.request_report(2026, 10, "pdf", admin).pk != row.pk


def test_a_job_whose_worker_died_is_failed(client, admin):
    client.force_login(admin)
    row = MonthlyReportFile.objects.create(
        year=2026, month=10, format="pdf", status=Status.RUNNING, progress=40
    )
    MonthlyReportFile.objects.filter(pk=row.pk).update(
        updated_at=timezone.now() - jobs.STALE_AFTER - dt.timedelta(minutes=1)
    )
    state = client.get(reverse("monthly:status", args=[row.pk])).json()
    assert state["status"] == "failed" and "terhenti" in state["error"]


def test_team_sheet_names_are_valid_and_unique():
    from lalisa.monthly.xlsx import RESERVED, sheet_name

    taken = set(RESERVED)
    assert sheet_name("TRC [Pos] Paringin/Kota", taken) == "TRC -Pos- Paringin-Kota"
    assert sheet_name("Aduan", taken) == "Aduan (2)"
    long = "Tim Reaksi Cepat Pos Perbatasan Kecamatan Halong"
    first, second = sheet_name(long, taken), sheet_name(long, taken)
    assert len(first) == len(second) == 31 and first != second


def test_pdf_takes_the_service_profile_as_text(month):
    from lalisa.service.models import ServiceProfile

    profile = ServiceProfile.get()
    profile.agency_name = "Satpol PP & Damkar <Kabupaten> Balangan"
    profile.head_name = "Drs. H. Ahmad Fauzi, M.Si."
    profile.head_nip = "19700101 199503 1 001"
    profile.signing_place = "Batu Piring"
    profile.save()
    out = io.BytesIO()
    export.write(month_report(YEAR, MONTH), "pdf", out)
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(out.getvalue())).pages)
    assert "Satpol PP & Damkar <Kabupaten> Balangan" in text
    assert "Damkar <Kabupaten> Balangan," in text  # the signature block's regency line
    # The Kasat signs by name and NIP, at the place set in the profile.
    assert "Drs. H. Ahmad Fauzi, M.Si." in text and "NIP. 19700101 199503 1 001" in text
    assert "Batu Piring, " in text
