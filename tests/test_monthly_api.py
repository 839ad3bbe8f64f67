"""GET /api/v1/reports/monthly: who may fetch the monthly report, in which order refusals
come, and the files it returns."""

import csv
import datetime as dt
import io
from unittest import mock

import openpyxl
import pytest
from django.db import transaction
from pypdf import PdfReader

from lalisa.accounts.models import ApiToken
from lalisa.complaints import seed as seeding
from lalisa.complaints.demo import ensure_staff
from lalisa.complaints.models import Complaint
from lalisa.timefmt import WITA

pytestmark = pytest.mark.django_db

URL = "/api/v1/reports/monthly"
NOW = dt.datetime(2026, 11, 10, 10, 0, tzinfo=WITA)


@pytest.fixture(scope="module")
def received(django_db_setup, django_db_blocker):
    """Seeded once, rolled back at the module's end: how many were received in October."""
    with django_db_blocker.unblock(), transaction.atomic():
        ensure_staff("sandi-uji-laporan-123")
        seeding.seed(150, months=2, seed=5, now=NOW)
        october = [
            c.code
            for c in Complaint.objects.only("code", "received_at")
            if (c.received_at.astimezone(WITA).year, c.received_at.astimezone(WITA).month)
            == (2026, 10)
        ]
        yield october
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _files(media):
    """The files the API makes and keeps go under the test's own directory."""


def get(client, user=None, token=None, **params):
    headers = {}
    if user is not None:
        headers["Authorization"] = f"Bearer {ApiToken.issue(user)}"
    if token is not None:
        headers["Authorization"] = token
    return client.get(URL, params, headers=headers)


def test_without_a_good_token_401(client, received):
    for token in (None, "Bearer ll_not-a-real-token", "Basic abc"):
        response = get(client, token=token, year="2026", month="10")
        assert response.status_code == 401
        assert response.json()["error"] == "Token API tidak ada atau tidak berlaku."
        assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("who", ["trc", "superadmin"])
def test_roles_without_reports_403_even_with_bad_params(client, request, who):
    user = request.getfixturevalue(who)
    for params in ({"year": "2026", "month": "10"}, {"year": "x", "month": "99"}):
        response = get(client, user, **params)
        assert response.status_code == 403
        assert response.json()["error"] == "Peran Anda tidak dapat melihat laporan bulanan."


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, "Tahun dan bulan wajib diisi"),
        ({"year": "2026"}, "Tahun dan bulan wajib diisi"),
        ({"year": "2026", "month": "13"}, "Bulan «13» harus berupa angka 1 sampai 12."),
        ({"year": "2026", "month": "0"}, "Bulan «0» harus berupa angka 1 sampai 12."),
        ({"year": "duaribu", "month": "10"}, "Tahun «duaribu» harus berupa angka"),
        ({"year": "1999", "month": "10"}, "Tahun harus antara 2000"),
        ({"year": "²⁰²⁶", "month": "10"}, "Tahun «²⁰²⁶» harus berupa angka"),
        ({"year": "2026", "month": "١٠"}, "Bulan «١٠» harus berupa angka 1 sampai 12."),
        ({"year": "9" * 5000, "month": "10"}, "harus berupa angka"),
        ({"year": "2026", "month": "10", "format": "docx"}, "Format «docx» tidak dikenal"),
        ({"year": "2026", "month": "10", "bulan": "10"}, "Parameter tidak dikenal: bulan."),
    ],
)
def test_bad_params_400_with_a_clear_message(client, pimpinan, params, message):
    with mock.patch("lalisa.monthly.period.timezone.now", return_value=NOW):
        response = get(client, pimpinan, **params)
    assert response.status_code == 400
    assert message in response.json()["error"]


def test_a_month_not_begun_is_404(client, pimpinan):
    """The document allows this year's months; one still to come has no report yet, as a
    page past the last is none (404, not 400)."""
    with mock.patch("lalisa.monthly.period.timezone.now", return_value=NOW):
        response = get(client, pimpinan, year="2026", month="12")
    assert response.status_code == 404
    assert response.json()["error"] == "Bulan Desember 2026 belum dimulai."


def test_only_get(client, pimpinan):
    response = client.post(
        URL, {}, headers={"Authorization": f"Bearer {ApiToken.issue(pimpinan)}"}
    )
    assert response.status_code == 405
    assert response["Allow"] == "GET"


@pytest.mark.parametrize("who", ["admin", "kabid", "pimpinan"])
def test_pdf_for_every_reporting_role(client, request, received, who):
    response = get(client, request.getfixturevalue(who), year="2026", month="10")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="laporan-bulanan-2026-10.pdf"'
    )
    body = b"".join(response.streaming_content)
    assert body.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(body))
    assert "Oktober 2026" in reader.pages[0].extract_text()
    summary = " ".join(reader.pages[1].extract_text().split())
    assert f"menerima {len(received)} aduan" in summary


def test_excel(client, kabid, received):
    response = get(client, kabid, year="2026", month="10", format="xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert 'filename="laporan-bulanan-2026-10.xlsx"' in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    codes = [row[0] for row in book["Aduan"].iter_rows(min_row=2, values_only=True)]
    assert sorted(codes) == sorted(received)


def test_csv(client, admin, received):
    response = get(client, admin, year="2026", month="10", format="CSV")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="laporan-bulanan-2026-10.csv"' in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][:2] == ["Kode tiket", "Diterima (WITA)"]
    assert sorted(r[0] for r in rows[1:]) == sorted(received)


def test_a_month_without_complaints_is_an_empty_report(client, pimpinan, received):
    response = get(client, pimpinan, year="2020", month="2", format="csv")
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert len(rows) == 1  # the header only
    response = get(client, pimpinan, year="2020", month="2")
    text = PdfReader(io.BytesIO(b"".join(response.streaming_content))).pages[1].extract_text()
    assert "menerima 0 aduan" in " ".join(text.split())


def test_documented_in_openapi(client):
    doc = client.get("/api/v1/openapi.json").json()
    operation = doc["paths"]["/reports/monthly"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"year", "month", "format"}
    assert set(operation["responses"]) == {"200", "400", "401", "403", "404", "414"}
