"""Credentials: API tokens end with a new password, at their lifetime and when revoked, note
their last use and may only read; staff change their own password; the superadmin resets
one in the setup admin."""

import io
import json
from datetime import timedelta

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lalisa.accounts.models import ApiToken, LoginAttempt, User
from lalisa.complaints.models import Complaint, Status

pytestmark = pytest.mark.django_db

PASSWORD = "rahasia-uji-123"
NEW_PASSWORD = "kopi-pagi-di-paringin-7"
LOCKED = "Terlalu banyak percobaan masuk yang gagal"


def api_get(client, key, path="complaints"):
    return client.get("/api/v1/" + path, HTTP_AUTHORIZATION=f"Bearer {key}")


def api_send(client, key, method, path, body):
    return client.generic(
        method,
        "/api/v1/" + path,
        json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )


def token_of(key) -> ApiToken:
    return ApiToken.objects.get(key_hash=ApiToken.hash(key))


def logged_in(user) -> Client:
    client = Client()
    response = client.post("/masuk/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content
    return client


def change_password(client, old, new1, new2=None):
    return client.post(
        "/sandi/",
        {"old_password": old, "new_password1": new1, "new_password2": new2 or new1},
    )


# --- a token ends with its user's password --------------------------------------------------


def test_token_refused_after_the_user_changes_the_password_on_the_page(admin):
    key = ApiToken.issue(admin)
    assert api_get(Client(), key).status_code == 200
    here, elsewhere = logged_in(admin), logged_in(admin)

    response = change_password(here, PASSWORD, NEW_PASSWORD)
    assert response.status_code == 302 and response.url == "/"

    assert api_get(Client(), key).status_code == 401
    assert ApiToken.authenticate(key) is None
    assert token_of(key).ended_because() == "sandi diubah"
    # This session stays logged in (update_session_auth_hash); the other one ends.
    page = here.get("/")
    assert page.status_code == 200 and "Sandi Anda sudah diubah" in page.content.decode()
    assert elsewhere.get("/").status_code == 302
    assert "_auth_user_id" not in elsewhere.session
    # The new password logs in, the old one does not; a token issued now works.
    assert Client().login(username="alya", password=NEW_PASSWORD)
    assert not Client().login(username="alya", password=PASSWORD)
    assert api_get(Client(), ApiToken.issue(admin)).status_code == 200


@pytest.mark.parametrize("how", ["set_password", "set_unusable_password"])
def test_token_refused_after_any_new_password(admin, how):
    """The shell, `changepassword`, a form: every way to a new password (or none) ends it."""
    key = ApiToken.issue(admin)
    user = User.objects.get(pk=admin.pk)
    if how == "set_password":
        user.set_password(NEW_PASSWORD)
    else:
        user.set_unusable_password()
    user.save()
    assert ApiToken.authenticate(key) is None
    assert api_get(Client(), key).status_code == 401


def test_only_the_users_own_tokens_end(admin, kabid):
    mine, theirs = ApiToken.issue(admin), ApiToken.issue(kabid)
    admin.set_password(NEW_PASSWORD)
    admin.save()
    assert ApiToken.authenticate(mine) is None
    assert ApiToken.authenticate(theirs) == kabid


def test_saving_the_user_otherwise_keeps_the_token(admin):
    key = ApiToken.issue(admin)
    user = User.objects.get(pk=admin.pk)
    user.first_name = "Alya Baru"
    user.save()
    user.save(update_fields=["last_login"])
    Client().post("/masuk/", {"username": "alya", "password": PASSWORD})
    assert ApiToken.authenticate(key) == admin


class UpgradedMD5(MD5PasswordHasher):
    algorithm = "md5b"


def test_a_hash_upgrade_at_login_is_no_new_password(admin, settings):
    """Django re-hashes a password at login when its hasher changes: same password, no end."""
    key = ApiToken.issue(admin)
    settings.PASSWORD_HASHERS = [
        "tests.test_credentials.UpgradedMD5",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    assert Client().login(username="alya", password=PASSWORD)
    assert User.objects.get(pk=admin.pk).password.startswith("md5b$")  # it was re-hashed
    assert ApiToken.authenticate(key) == admin


# --- lifetime -------------------------------------------------------------------------------


def test_token_lives_the_configured_days_and_not_after(admin, settings):
    settings.LALISA_API_TOKEN_DAYS = 7
    key = ApiToken.issue(admin)
    token = token_of(key)
    assert token.expires_at - token.created_at == timedelta(days=7)
    assert ApiToken.authenticate(key) == admin

    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() + timedelta(seconds=5))
    assert api_get(Client(), key).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now())
    response = api_get(Client(), key)
    assert response.status_code == 401
    assert response.json()["error"] == "Token API tidak ada atau tidak berlaku."
    assert token_of(key).ended_because() == "kedaluwarsa"


def test_default_lifetime_is_90_days(admin):
    token = token_of(ApiToken.issue(admin))
    assert token.expires_at - token.created_at == timedelta(days=90)


@pytest.mark.parametrize("days", [0, -1, 91])
def test_a_lifetime_outside_the_setting_is_refused(admin, days):
    with pytest.raises(ValueError):
        ApiToken.issue(admin, days=days)
    with pytest.raises(CommandError, match="1 sampai 90 hari"):
        call_command("apitoken", "alya", f"--days={days}")
    assert not ApiToken.objects.exists()


def test_command_prints_the_token_alone_and_the_expiry_aside(admin):
    out, err = io.StringIO(), io.StringIO()
    call_command("apitoken", "alya", "--days", "30", "--scope", "read", stdout=out, stderr=err)
    key = out.getvalue().strip()
    token = token_of(key)
    assert token.expires_at - token.created_at == timedelta(days=30)
    assert token.scope == ApiToken.Scope.READ
    # The expiry in WITA, the days, the scope, and when it ends early.
    assert "Berlaku sampai" in err.getvalue() and "WITA (30 hari)" in err.getvalue()
    assert "hanya membaca" in err.getvalue() and "sandi alya diubah" in err.getvalue()
    assert key not in err.getvalue()


def test_command_refuses_an_unknown_scope(admin):
    with pytest.raises(CommandError):
        call_command("apitoken", "alya", "--scope", "admin")
    assert not ApiToken.objects.exists()


# --- last use -------------------------------------------------------------------------------


def test_last_use_is_noted_at_most_once_a_minute(admin):
    key = ApiToken.issue(admin)
    token = token_of(key)
    assert token.last_used_at is None
    api_get(Client(), key)
    first = token_of(key).last_used_at
    assert first is not None and timezone.now() - first < timedelta(seconds=5)

    with CaptureQueriesContext(connection) as queries:
        assert api_get(Client(), key).status_code == 200
    writes = [q["sql"] for q in queries if "last_used_at" in q["sql"] and "UPDATE" in q["sql"]]
    assert writes == []
    assert token_of(key).last_used_at == first

    # A minute later the next request notes it again.
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - timedelta(seconds=61))
    api_get(Client(), key)
    assert token_of(key).last_used_at > first


def test_a_refused_token_notes_no_use(admin):
    key = ApiToken.issue(admin)
    ApiToken.objects.filter(key_hash=ApiToken.hash(key)).update(revoked_at=timezone.now())
    assert api_get(Client(), key).status_code == 401
    assert token_of(key).last_used_at is None


def test_setup_admin_lists_scope_expiry_last_use_and_state(client, superadmin, admin, kabid):
    live = ApiToken.issue(admin, scope=ApiToken.Scope.READ)
    api_get(Client(), live)
    old = ApiToken.issue(kabid)
    kabid.set_password(NEW_PASSWORD)
    kabid.save()
    client.force_login(superadmin)
    html = client.get("/admin/accounts/apitoken/").content.decode()
    for text in ("Cakupan", "Berlaku sampai", "Terakhir dipakai", "Keadaan"):
        assert text in html
    assert "Hanya membaca" in html and "berlaku" in html and "sandi diubah" in html
    assert token_of(old).prefix in html and token_of(live).prefix in html


# --- scope ----------------------------------------------------------------------------------


@pytest.fixture
def complaint(file):
    return file()


@pytest.mark.parametrize(
    "method, path, body",
    [
        ("POST", "complaints/{code}/actions", {"action": "verify"}),
        ("POST", "complaints/{code}/actions", {"action": "reject", "reason": "x"}),
        ("PATCH", "complaints/{code}", {"priority": "urgent", "reason": "x"}),
        ("PATCH", "complaints/{code}", {}),
    ],
)
def test_a_read_token_may_not_write(admin, complaint, method, path, body):
    key = ApiToken.issue(admin, scope=ApiToken.Scope.READ)
    before = Complaint.objects.get(pk=complaint.pk)
    response = api_send(Client(), key, method, path.format(code=complaint.code), body)
    assert response.status_code == 403
    assert response.json()["error"] == "Token API ini hanya untuk membaca."
    after = Complaint.objects.get(pk=complaint.pk)
    assert (after.status, after.priority, after.updated_at) == (
        before.status,
        before.priority,
        before.updated_at,
    )
    assert after.events.count() == 1
    # It still reads.
    assert api_get(Client(), key, f"complaints/{complaint.code}").status_code == 200
    assert api_get(Client(), key, "teams").status_code == 200


def test_a_read_token_asked_to_write_somewhere_it_cannot_see_learns_nothing(admin, trc):
    key = ApiToken.issue(trc, scope=ApiToken.Scope.READ)
    for code in ("LL-0000-0000", "tidak-ada"):
        response = api_send(Client(), key, "POST", f"complaints/{code}/actions", {})
        assert response.status_code == 403


def test_a_write_token_writes(admin, complaint):
    key = ApiToken.issue(admin)
    response = api_send(
        Client(), key, "POST", f"complaints/{complaint.code}/actions", {"action": "verify"}
    )
    assert response.status_code == 200
    assert Complaint.objects.get(pk=complaint.pk).status == Status.VERIFIED


@pytest.mark.parametrize("scope", ["", "READ", "admin"])
def test_an_unknown_scope_only_reads(admin, complaint, scope):
    key = ApiToken.issue(admin)
    ApiToken.objects.filter(key_hash=ApiToken.hash(key)).update(scope=scope)
    response = api_send(
        Client(), key, "POST", f"complaints/{complaint.code}/actions", {"action": "verify"}
    )
    assert response.status_code == 403
    assert Complaint.objects.get(pk=complaint.pk).status == Status.RECEIVED


# --- changing one's own password ------------------------------------------------------------


@pytest.mark.parametrize("who", ["admin", "kabid", "trc", "pimpinan", "superadmin"])
def test_every_role_has_the_page_linked_in_the_header(request, who):
    user = request.getfixturevalue(who)
    client = logged_in(user)
    home = client.get("/").content.decode()
    assert 'href="/sandi/">Ubah sandi</a>' in home
    page = client.get("/sandi/").content.decode()
    for label in ("Sandi lama", "Sandi baru", "Konfirmasi sandi baru", "Simpan sandi baru"):
        assert label in page
    assert "setidaknya 8 karakter" in page  # the validators' help, in Indonesian


def test_the_page_needs_a_login(client):
    response = client.get("/sandi/")
    assert response.status_code == 302 and response.url.startswith("/masuk/")
    response = client.post("/sandi/", {"old_password": "x", "new_password1": "y"})
    assert response.status_code == 302 and response.url.startswith("/masuk/")


def test_a_wrong_old_password_is_refused(admin):
    client = logged_in(admin)
    html = change_password(client, "bukan-sandinya", NEW_PASSWORD).content.decode()
    assert "Sandi lama Anda yang dimasukkan salah" in html
    assert User.objects.get(pk=admin.pk).check_password(PASSWORD)
    assert client.get("/").status_code == 200


@pytest.mark.parametrize(
    "new1, new2, error",
    [
        ("pendek1", None, "setidaknya 8 karakter"),
        ("12345678901", None, "sepenuhnya numerik"),
        ("password123", None, "umum"),
        ("qwertyuiop", None, "umum"),
        (NEW_PASSWORD, NEW_PASSWORD + "x", "tidak cocok"),
        ("", None, "tidak boleh kosong"),
    ],
)
def test_a_weak_or_mismatched_new_password_is_refused(admin, new1, new2, error):
    client = logged_in(admin)
    key = ApiToken.issue(admin)
    html = change_password(client, PASSWORD, new1, new2).content.decode()
    assert error in html
    assert User.objects.get(pk=admin.pk).check_password(PASSWORD)
    assert ApiToken.authenticate(key) == admin


def test_guessing_the_old_password_through_a_session_locks_like_a_login(admin):
    client = logged_in(admin)
    for _ in range(4):
        html = change_password(client, "tebakan", NEW_PASSWORD).content.decode()
        assert "Sandi lama Anda yang dimasukkan salah" in html
    response = change_password(client, "tebakan", NEW_PASSWORD)
    # The fifth locks: the session ends, and the right password does not log in for now.
    assert response.status_code == 302 and response.url == "/masuk/"
    assert "_auth_user_id" not in client.session
    assert LOCKED in client.get("/masuk/").content.decode()
    html = client.post("/masuk/", {"username": "alya", "password": PASSWORD}).content.decode()
    assert LOCKED in html
    assert User.objects.get(pk=admin.pk).check_password(PASSWORD)
    rows = LoginAttempt.objects.filter(username="alya").order_by("created_at", "id")
    assert [r.result for r in rows][-6:] == ["failed"] * 5 + ["refused"]


def test_the_admins_own_password_link_leads_to_the_same_page(client, superadmin):
    client.force_login(superadmin)
    response = client.get("/admin/password_change/")
    assert response.status_code == 302 and response.url == "/sandi/"


# --- the superadmin resets a password -------------------------------------------------------


def reset(client, user, **data):
    return client.post(f"/admin/accounts/user/{user.pk}/password/", data)


def test_the_user_page_offers_the_reset_in_indonesian(client, superadmin, admin):
    client.force_login(superadmin)
    change = client.get(f"/admin/accounts/user/{admin.pk}/change/").content.decode()
    assert 'href="../password/">Setel kembali sandi</a>' in change
    assert "Sandi terakhir diubah" in change
    page = client.get(f"/admin/accounts/user/{admin.pk}/password/").content.decode()
    for text in ("Masuk dengan sandi", "Konfirmasi sandi", "setidaknya 8 karakter"):
        assert text in page
    assert "If disabled" not in page and "Password" not in page


def test_reset_ends_the_users_tokens_and_sessions(client, superadmin, admin, kabid):
    key, other = ApiToken.issue(admin), ApiToken.issue(kabid)
    theirs, bystander = logged_in(admin), logged_in(kabid)
    client.force_login(superadmin)
    response = reset(
        client, admin, usable_password="true", password1=NEW_PASSWORD, password2=NEW_PASSWORD
    )
    assert response.status_code == 302
    notice = client.get(response.url).content.decode()
    assert "Sandi berhasil diubah" in notice and "token API-nya tidak berlaku lagi" in notice

    assert api_get(Client(), key).status_code == 401
    assert theirs.get("/").status_code == 302 and "_auth_user_id" not in theirs.session
    assert Client().login(username="alya", password=NEW_PASSWORD)
    # Nobody else's.
    assert api_get(Client(), other).status_code == 200
    assert bystander.get("/").status_code == 200
    assert client.get("/admin/").status_code == 200


def test_reset_to_no_password_ends_them_too(client, superadmin, admin):
    key = ApiToken.issue(admin)
    theirs = logged_in(admin)
    client.force_login(superadmin)
    response = reset(client, admin, usable_password="false", **{"unset-password": "1"})
    assert response.status_code == 302
    assert "token API-nya tidak berlaku lagi" in client.get(response.url).content.decode()
    assert not User.objects.get(pk=admin.pk).has_usable_password()
    assert api_get(Client(), key).status_code == 401
    assert theirs.get("/").status_code == 302
    assert not Client().login(username="alya", password=PASSWORD)


@pytest.mark.parametrize(
    "password1, password2, error",
    [
        ("pendek1", "pendek1", "setidaknya 8 karakter"),
        ("12345678901", "12345678901", "sepenuhnya numerik"),
        (NEW_PASSWORD, "lain-lagi-123", "tidak cocok"),
    ],
)
def test_reset_checks_the_validators(client, superadmin, admin, password1, password2, error):
    key = ApiToken.issue(admin)
    client.force_login(superadmin)
    response = reset(
        client, admin, usable_password="true", password1=password1, password2=password2
    )
    assert response.status_code == 200 and error in response.content.decode()
    assert User.objects.get(pk=admin.pk).check_password(PASSWORD)
    assert ApiToken.authenticate(key) == admin


def test_a_conflicting_reset_changes_nothing_and_claims_nothing(client, superadmin, admin):
    key = ApiToken.issue(admin)
    client.force_login(superadmin)
    response = reset(client, admin, usable_password="false")  # no "unset-password" button
    assert response.status_code == 302
    assert "token API-nya" not in client.get(response.url).content.decode()
    assert ApiToken.authenticate(key) == admin


@pytest.mark.parametrize("who", ["admin", "kabid", "trc", "pimpinan"])
def test_only_the_superadmin_resets(request, admin, who):
    user = request.getfixturevalue(who)
    client = Client()
    client.force_login(user)
    response = reset(client, admin, usable_password="true", password1=NEW_PASSWORD)
    assert response.status_code == 302 and "/admin/login/" in response.url
    assert User.objects.get(pk=admin.pk).check_password(PASSWORD)
