"""Login throttling, idle logout and the security headers of every page."""

import re
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from lalisa.accounts.models import LoginAttempt
from lalisa.web import forms as login
from lalisa.web.middleware import LAST_SEEN, LOGGED_IN_AT

pytestmark = pytest.mark.django_db

PASSWORD = "rahasia-uji-123"
LOCKED = "Terlalu banyak percobaan masuk yang gagal"
WRONG = "sandi yang benar"  # Django's own invalid-login message, translated


def try_login(client, username, password, ip="10.0.0.1", path="/masuk/", **extra):
    return client.post(path, {"username": username, "password": password}, REMOTE_ADDR=ip, **extra)


def fail(client, username, times, ip="10.0.0.1"):
    for _ in range(times):
        response = try_login(client, username, "salah-sekali", ip=ip)
        assert response.status_code == 200


def age_attempts(minutes):
    """Move every logged attempt back in time (the lock is counted from these rows)."""
    for row in LoginAttempt.objects.all():
        LoginAttempt.objects.filter(pk=row.pk).update(
            created_at=row.created_at - timedelta(minutes=minutes)
        )


# --- login throttling ---------------------------------------------------------------------


def test_five_failures_lock_the_username_even_for_the_right_password(client, admin):
    fail(client, "alya", 3)
    assert WRONG in try_login(client, "alya", "salah").content.decode()
    assert LOCKED in try_login(client, "alya", "salah").content.decode()  # the 5th locks
    html = try_login(client, "alya", PASSWORD).content.decode()
    assert LOCKED in html and WRONG not in html
    assert "_auth_user_id" not in client.session
    # Case does not help, and another address does not either.
    assert LOCKED in try_login(client, "ALYA", PASSWORD, ip="10.0.0.9").content.decode()
    assert client.get("/").status_code == 302


def test_fifth_failure_is_the_lockout_row_and_everything_is_logged(client, admin):
    fail(client, "Alya", 5)
    try_login(client, "alya", PASSWORD)
    rows = list(LoginAttempt.objects.order_by("created_at", "id"))
    assert [r.result for r in rows] == ["failed"] * 5 + ["refused"]
    assert [r.locks_username for r in rows] == [False] * 4 + [True, False]
    assert {r.username for r in rows} == {"alya"}
    assert {r.ip for r in rows} == {"10.0.0.1"}
    assert rows[4].caused_lockout and not rows[3].caused_lockout


def test_the_message_does_not_tell_whether_the_user_exists(client, admin):
    fail(client, "alya", 5)
    fail(client, "tidak-ada", 5)
    known = try_login(client, "alya", "x").content.decode()
    unknown = try_login(client, "tidak-ada", "x").content.decode()
    assert LOCKED in known and LOCKED in unknown
    token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')
    assert token.sub("", known.replace("alya", "")) == token.sub(
        "", unknown.replace("tidak-ada", "")
    )


def test_unlocked_after_15_minutes(client, admin):
    fail(client, "alya", 5)
    age_attempts(14)
    assert LOCKED in try_login(client, "alya", PASSWORD).content.decode()
    age_attempts(2)
    response = try_login(client, "alya", PASSWORD)
    assert response.status_code == 302
    # The old failures no longer count: one more failure does not lock again.
    client.post("/keluar/")
    fail(client, "alya", 1)
    assert try_login(client, "alya", PASSWORD).status_code == 302


def test_success_clears_the_usernames_failures(client, admin):
    fail(client, "alya", 4)
    assert try_login(client, "alya", PASSWORD).status_code == 302
    client.post("/keluar/")
    fail(client, "alya", 4)
    assert try_login(client, "alya", PASSWORD).status_code == 302
    assert list(LoginAttempt.objects.filter(result="success").values_list("username", flat=True))
    assert not LoginAttempt.objects.filter(locks_username=True).exists()


def test_twenty_failures_from_one_address_lock_it(client, admin):
    for n in range(20):
        try_login(client, f"orang{n % 4}", "salah", ip="10.0.0.7")  # 4 names, 5 tries each
    # The 20th failure locks the address: a name never tried from it is refused there.
    assert LoginAttempt.objects.filter(locks_ip=True, ip="10.0.0.7").count() == 1
    assert LOCKED in try_login(client, "alya", PASSWORD, ip="10.0.0.7").content.decode()
    assert try_login(client, "alya", PASSWORD, ip="10.0.0.8").status_code == 302


def test_address_lock_counts_across_usernames(client, admin):
    for n in range(19):
        try_login(client, f"orang{n}", "salah", ip="10.0.0.7")  # one try each
    assert not LoginAttempt.objects.filter(locks_ip=True).exists()
    try_login(client, "orang-20", "salah", ip="10.0.0.7")
    assert LoginAttempt.objects.filter(locks_ip=True).count() == 1
    assert LOCKED in try_login(client, "alya", PASSWORD, ip="10.0.0.7").content.decode()


def test_forwarded_for_is_trusted_only_from_the_proxy(client, admin, settings):
    forged = {"HTTP_X_FORWARDED_FOR": "1.2.3.4, 10.9.9.9"}
    settings.LALISA_TRUSTED_PROXIES = ["127.0.0.1"]
    try_login(client, "x", "y", ip="10.0.0.1", **forged)  # a client, not the proxy
    try_login(client, "x", "y", ip="127.0.0.1", **forged)
    assert list(LoginAttempt.objects.order_by("id").values_list("ip", flat=True)) == [
        "10.0.0.1",
        "10.9.9.9",  # the entry the proxy added, not the one the client wrote
    ]


def test_admin_login_is_throttled_too(client, superadmin):
    for _ in range(5):
        try_login(client, "fajar", "salah", path="/admin/login/")
    html = try_login(client, "fajar", PASSWORD, path="/admin/login/").content.decode()
    assert LOCKED in html
    assert client.get("/admin/").status_code == 302


def test_login_log_is_read_only_for_the_superadmin(client, superadmin, admin):
    fail(client, "alya", 5)
    client.force_login(superadmin)
    listing = client.get("/admin/accounts/loginattempt/")
    assert listing.status_code == 200
    assert "alya" in listing.content.decode()
    row = LoginAttempt.objects.filter(locks_username=True).get()
    assert client.get(f"/admin/accounts/loginattempt/{row.pk}/change/").status_code == 200
    assert client.get("/admin/accounts/loginattempt/add/").status_code == 403
    assert client.post(f"/admin/accounts/loginattempt/{row.pk}/delete/").status_code == 403
    client.force_login(admin)  # staff, not superadmin: no setup pages
    assert client.get("/admin/accounts/loginattempt/").status_code == 302


def test_lock_window_is_15_minutes(admin):
    now = timezone.now()
    for _ in range(5):
        login.record_failure("alya", "10.0.0.1", now - timedelta(minutes=16))
    assert not login.is_locked("alya", "10.0.0.1", now)
    assert login.is_locked("alya", "10.0.0.1", now - timedelta(minutes=2))


# --- idle logout --------------------------------------------------------------------------


def idle(client, minutes):
    session = client.session
    session[LAST_SEEN] = int(time.time()) - minutes * 60
    session.save()


def test_idle_session_is_logged_out(client, admin):
    assert try_login(client, "alya", PASSWORD).status_code == 302
    assert client.get("/").status_code == 200
    idle(client, 119)
    assert client.get("/").status_code == 200  # still within two hours
    idle(client, 121)
    response = client.get("/aduan/LL-2601-0001/")
    assert response.status_code == 302
    assert response["Location"] == "/masuk/?next=/aduan/LL-2601-0001/"
    assert "_auth_user_id" not in client.session
    html = client.get(response["Location"]).content.decode()
    assert "tidak aktif selama 120 menit" in html
    assert client.get("/").status_code == 302


def test_idle_limit_is_a_setting(client, admin, settings):
    settings.LALISA_IDLE_LOGOUT_MINUTES = 10
    client.force_login(admin)
    client.get("/")
    idle(client, 11)
    assert client.get("/").status_code == 302
    settings.LALISA_IDLE_LOGOUT_MINUTES = 0  # never
    client.force_login(admin)
    client.get("/")
    idle(client, 10_000)
    assert client.get("/").status_code == 200


def logged_in_ago(client, minutes):
    session = client.session
    session[LOGGED_IN_AT] = int(time.time()) - minutes * 60
    session[LAST_SEEN] = int(time.time())  # busy until now
    session.save()


def test_a_busy_session_still_ends_12_hours_after_its_login(client, admin):
    # Every touch of the session moves Django's own expiry: the end is counted from the login.
    assert try_login(client, "alya", PASSWORD).status_code == 302
    logged_in_ago(client, 12 * 60 - 1)
    assert client.get("/").status_code == 200
    logged_in_ago(client, 12 * 60 + 1)
    response = client.get("/")
    assert response.status_code == 302 and "_auth_user_id" not in client.session
    assert "sudah 12 jam sejak masuk" in client.get(response["Location"]).content.decode()
    # A background poll is told the same, as JSON.
    assert try_login(client, "alya", PASSWORD).status_code == 302
    logged_in_ago(client, 13 * 60)
    poll = client.get("/aduan/baru.json")
    assert poll.status_code == 401 and "12 jam" in poll.json()["error"]
    # Logging in again starts a new 12 hours, whatever the idle setting.
    assert try_login(client, "alya", PASSWORD).status_code == 302
    assert client.get("/").status_code == 200


def test_the_lifetime_holds_when_idle_logout_is_off(client, admin, settings):
    settings.LALISA_IDLE_LOGOUT_MINUTES = 0
    client.force_login(admin)
    logged_in_ago(client, 12 * 60 + 1)
    assert client.get("/").status_code == 302


# --- headers ------------------------------------------------------------------------------

STRICT = (
    "default-src 'self'; img-src 'self' data: blob: https://*.tile.openstreetmap.org; "
    "style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; "
    "base-uri 'self'; form-action 'self'; object-src 'none'"
)


def directives(response) -> dict[str, str]:
    policy = response["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in policy.split(";"))


def common_headers(response):
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_staff_and_login_pages_have_the_strict_policy(client, admin):
    login_page = client.get("/masuk/")
    assert login_page["Content-Security-Policy"] == STRICT
    common_headers(login_page)
    client.force_login(admin)
    home = client.get("/")
    assert home.status_code == 200
    assert home["Content-Security-Policy"] == STRICT
    common_headers(home)
    # Nothing inline on those pages, so nothing needs 'unsafe-inline'.
    for html in (login_page.content.decode(), home.content.decode()):
        assert "style=" not in html
        assert "<script>" not in html


def test_admin_allows_inline_styles_only(client, superadmin):
    client.force_login(superadmin)
    response = client.get("/admin/")
    assert response.status_code == 200
    policy = directives(response)
    assert policy["style-src"] == "'self' 'unsafe-inline'"
    assert policy["script-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    common_headers(response)


def test_simulator_page_allows_what_it_uses(client, settings):
    settings.LALISA_SIMULATOR = True
    response = client.get("/simulator/")
    assert response.status_code == 200
    html = response.content.decode()
    policy = directives(response)
    assert 'style="' in html  # the SVG sprite is hidden inline
    assert policy["style-src"] == "'self' 'unsafe-inline'"
    # Its script is a file, and its photos are previewed from blob: URLs.
    assert "<script>" not in html and '<script src="' in html
    assert policy["script-src"] == "'self'"
    assert "blob:" in policy["img-src"]


def test_a_response_redirect_has_the_policy_too(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Content-Security-Policy"] == STRICT
