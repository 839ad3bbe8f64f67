"""Idle logout holds while a page polls: what a page asks for by itself (the inbox's badge,
a monthly report's progress) neither counts as activity nor extends the session, yet it
learns that the session ended (401 JSON) so the page can go to the login."""

from pathlib import Path

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse

import lalisa
from lalisa.monthly.models import MonthlyReportFile
from lalisa.web.middleware import BACKGROUND_HEADER, LAST_SEEN

pytestmark = pytest.mark.django_db

PASSWORD = "rahasia-uji-123"
SINCE = "2026-01-01T00:00:00+08:00"
STATIC = Path(lalisa.__file__).parent
HEADER = {"HTTP_" + BACKGROUND_HEADER.upper().replace("-", "_"): "1"}


@pytest.fixture
def staff(client, admin):
    """The admin, logged in through the login page, with the inbox open once."""
    response = client.post("/masuk/", {"username": "alya", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    return client


@pytest.fixture
def report_file(admin):
    return MonthlyReportFile.objects.create(year=2026, month=10, format="csv", requested_by=admin)


def polls(report_file):
    return [
        reverse("web:new_items") + f"?since={SINCE}",
        reverse("monthly:status", args=[report_file.pk]),
    ]


def minutes_pass(client, minutes):
    """Time passes: what the session last recorded is that much older."""
    session = client.session
    session[LAST_SEEN] -= minutes * 60
    session.save()


def last_seen(client):
    return client.session[LAST_SEEN]


def expiry(client):
    return Session.objects.get(session_key=client.session.session_key).expire_date


@pytest.mark.parametrize("which", [0, 1], ids=["inbox badge", "report progress"])
def test_polling_past_the_idle_limit_does_not_keep_the_session(staff, report_file, which):
    url = polls(report_file)[which]
    # Every 19 minutes for 114 minutes: still within the two hours, so answered.
    for _ in range(6):
        minutes_pass(staff, 19)
        before = last_seen(staff)
        response = staff.get(url)
        assert response.status_code == 200, response.content
        assert last_seen(staff) == before  # the poll is no activity
    minutes_pass(staff, 19)  # 133 minutes since the last real request
    ended = staff.get(url)
    assert ended.status_code == 401
    assert ended["Content-Type"] == "application/json"
    assert ended.json() == {
        "error": "Sesi Anda berakhir karena tidak aktif selama 120 menit. Silakan masuk lagi.",
        "login_url": "/masuk/",
    }
    assert "_auth_user_id" not in staff.session
    page = staff.get("/aduan/LL-2601-0001/")
    assert page.status_code == 302
    assert page["Location"] == "/masuk/?next=/aduan/LL-2601-0001/"
    assert "tidak aktif selama 120 menit" in staff.get(page["Location"]).content.decode()


def test_a_poll_does_not_move_the_sessions_own_expiry(staff, report_file):
    for url in polls(report_file):
        minutes_pass(staff, 5)
        stored = expiry(staff)
        assert staff.get(url).status_code == 200
        assert expiry(staff) == stored
    minutes_pass(staff, 5)
    stored = expiry(staff)
    assert staff.get("/").status_code == 200  # a page visit does
    assert expiry(staff) > stored


def test_a_page_visit_is_activity(staff, report_file):
    minutes_pass(staff, 100)
    assert staff.get("/").status_code == 200
    minutes_pass(staff, 100)  # 200 minutes since login, 100 since the visit
    for url in polls(report_file):
        assert staff.get(url).status_code == 200
    assert staff.get("/").status_code == 200
    assert "_auth_user_id" in staff.session


@pytest.mark.parametrize("url", ["/", "/aduan/catat/", "/laporan/"])
def test_a_request_marked_background_is_no_activity_on_any_page(staff, url):
    minutes_pass(staff, 110)
    before = last_seen(staff)
    assert staff.get(url, **HEADER).status_code == 200
    assert last_seen(staff) == before
    minutes_pass(staff, 11)
    response = staff.get(url, **HEADER)
    assert response.status_code == 401  # a page's own request learns the session ended
    assert staff.get("/").status_code == 302


@pytest.mark.parametrize("which", [0, 1], ids=["inbox badge", "report progress"])
def test_without_a_session_a_poll_gets_401_json_not_the_login_page(client, report_file, which):
    for extra in ({}, HEADER):
        response = client.get(polls(report_file)[which], **extra)
        assert response.status_code == 401
        assert response.json()["login_url"] == "/masuk/"
        assert "Silakan masuk lagi" in response.json()["error"]


def test_a_poll_of_a_role_that_may_not_see_it_is_still_refused(client, superadmin, report_file):
    client.force_login(superadmin)
    for url in polls(report_file):
        assert client.get(url).status_code == 403


def test_a_poll_within_the_limit_still_answers(staff, report_file):
    new_items, status = polls(report_file)
    assert set(staff.get(new_items).json()) == {"complaints", "messages", "total", "now"}
    assert staff.get(status).json()["status"] == "queued"


def test_the_pages_scripts_mark_their_polls():
    """Both polls go through the one helper that sends the header and follows a 401."""
    staff_js = (STATIC / "web" / "static" / "web" / "lalisa.js").read_text()
    progress_js = (STATIC / "monthly" / "static" / "monthly" / "progress.js").read_text()
    assert f'"{BACKGROUND_HEADER}": "1"' in staff_js
    assert "response.status !== 401" in staff_js and "window.location.assign(" in staff_js
    assert "background(url" in staff_js and "fetch(" not in progress_js
    assert "window.LaLisa.background(url)" in progress_js
