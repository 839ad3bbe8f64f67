"""The second factor (LALISA_2FA): the admin, the Kabid and the superadmin give a TOTP code
after the password, at /masuk/ and /admin/login/, before any page; wrong codes count in the
login throttle; the TRC, the pimpinan and the API are not asked; off, nothing changes."""

import time

import pytest
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from lalisa.accounts.models import ApiToken, LoginAttempt, Role
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

PASSWORD = "rahasia-uji-123"
LOCKED = "Terlalu banyak percobaan masuk yang gagal"
WRONG = "Kode salah atau sudah lewat"
CODE_PAGE = "/masuk/kode/"
# Every kind of page a session reaches: staff pages, JSON of the pages, reports, the setup.
PAGES = [
    "/",
    "/aduan/baru.json",
    "/aduan/LL-2612-0001/",
    "/tinjau/",
    "/dasbor/",
    "/peta/titik.json",
    "/laporan/",
    "/sandi/",
    "/admin/",
    "/admin/accounts/user/",
    "/admin/login/",
    "/masuk/",
]


@pytest.fixture
def on(settings):
    settings.LALISA_2FA = True


def code_for(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The code the user's app shows now (or `steps_ahead` periods later)."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def enrolled(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Aplikasi autentikator", confirmed=True)


def password_login(client, user, path="/masuk/", ip="10.0.0.1"):
    response = client.post(path, {"username": user.username, "password": PASSWORD}, REMOTE_ADDR=ip)
    assert response.status_code == 302, response.content.decode()
    return response


def give_code(client, code, next_url="", ip="10.0.0.1"):
    return client.post(CODE_PAGE, {"code": code, "next": next_url}, REMOTE_ADDR=ip)


def asks_for_code(response) -> bool:
    return response.status_code == 302 and response.url.startswith(CODE_PAGE)


# --- asked, and nothing opens without it ----------------------------------------------------


@pytest.mark.parametrize("who", ["admin", "kabid", "superadmin"])
def test_the_roles_that_need_it_reach_nothing_without_the_code(request, on, who):
    user = request.getfixturevalue(who)
    device = enrolled(user)
    client = Client()
    response = password_login(client, user)
    assert client.get(response.url).status_code == 302
    for path in PAGES:
        response = client.get(path)
        assert asks_for_code(response), path
    page = client.get(CODE_PAGE).content.decode()
    assert "Kode masuk" in page and "Kode 6 angka" in page
    assert "otpauth://" not in page  # an enrolled user's secret is never shown again
    assert device.key not in page
    # POSTs too: a step, a reply, a password change.
    for path in ("/aduan/LL-2612-0001/balas/", "/sandi/", "/admin/accounts/user/add/"):
        assert asks_for_code(client.post(path, {})), path
    # Only the login succeeded so far: no success is logged until the code.
    assert not LoginAttempt.objects.filter(result=LoginAttempt.Result.SUCCESS).exists()


def test_the_right_code_lets_the_admin_in(on, admin):
    device = enrolled(admin)
    client = Client()
    password_login(client, admin)
    first = client.get("/aduan/baru.json")
    assert asks_for_code(first) and "next=/aduan/baru.json" in first.url
    before = client.session.session_key
    response = give_code(client, code_for(device), next_url="/dasbor/")
    assert response.status_code == 302 and response.url == "/dasbor/"
    assert client.session.session_key != before  # a new key for the verified session
    for path in ("/", "/dasbor/", "/peta/", "/sandi/"):
        assert client.get(path).status_code == 200, path
    assert client.get("/admin/").status_code == 302  # the admin's own rule: setup only
    assert LoginAttempt.objects.get(result=LoginAttempt.Result.SUCCESS).username == "alya"
    # Spaces as apps show them are fine; the next login needs the next code (no replay).
    client.post("/keluar/")
    password_login(client, admin)
    assert WRONG in give_code(client, code_for(device)).content.decode()
    spaced = code_for(device, steps_ahead=1)
    response = give_code(client, f"{spaced[:3]} {spaced[3:]}")
    assert response.status_code == 302 and client.get("/").status_code == 200


def test_a_new_password_keeps_the_verified_session_verified(on, admin):
    device = enrolled(admin)
    client, elsewhere = Client(), Client()
    for c, ahead in ((client, 0), (elsewhere, 1)):
        password_login(c, admin)
        give_code(c, code_for(device, steps_ahead=ahead))
    response = client.post(
        "/sandi/",
        {
            "old_password": PASSWORD,
            "new_password1": "kopi-pagi-di-paringin-7",
            "new_password2": "kopi-pagi-di-paringin-7",
        },
    )
    assert response.url == "/"
    assert client.get("/").status_code == 200  # not asked for the code again
    assert elsewhere.get("/").status_code == 302 and "_auth_user_id" not in elsewhere.session


def test_the_superadmin_gives_it_at_the_setup_login(on, superadmin):
    device = enrolled(superadmin)
    client = Client()
    response = password_login(client, superadmin, path="/admin/login/?next=/admin/")
    assert response.url == "/admin/"
    response = client.get("/admin/")
    assert asks_for_code(response) and "next=/admin/" in response.url
    response = give_code(client, code_for(device), next_url="/admin/")
    assert response.url == "/admin/"
    assert "Penyiapan layanan" in client.get("/admin/").content.decode()


@pytest.mark.parametrize(
    "target", ["https://jahat.example/", "//jahat.example/", "http://testserver.jahat.example/"]
)
def test_the_code_page_sends_nowhere_else(on, admin, target):
    device = enrolled(admin)
    client = Client()
    password_login(client, admin)
    response = give_code(client, code_for(device), next_url=target)
    assert response.status_code == 302 and response.url == "/"


# --- wrong codes ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "bad, counts",
    [
        ("000000", True),
        ("123456", True),
        ("12345", False),
        ("1234567", False),
        ("abcdef", False),
        ("١٢٣٤٥٦", False),  # Arabic-Indic digits: int() would take them, the form does not
        ("+12345", False),
        ("", False),
    ],
)
def test_a_wrong_code_is_refused(on, admin, bad, counts):
    device = enrolled(admin)
    if bad == code_for(device):
        pytest.skip("the clock made this the right code")
    client = Client()
    password_login(client, admin)
    response = give_code(client, bad)
    assert response.status_code == 200
    html = response.content.decode()
    assert (WRONG in html) is counts
    assert asks_for_code(client.get("/"))
    failures = LoginAttempt.objects.filter(result=LoginAttempt.Result.FAILED).count()
    assert failures == (1 if counts else 0)


def test_five_wrong_codes_lock_like_five_wrong_passwords(on, admin):
    device = enrolled(admin)
    client = Client()
    password_login(client, admin)
    for _ in range(4):
        assert WRONG in give_code(client, "000001").content.decode()
    response = give_code(client, "000002")
    # The fifth locks: the session ends, the login says why.
    assert response.status_code == 302 and response.url == "/masuk/"
    assert "_auth_user_id" not in client.session
    assert LOCKED in client.get("/masuk/").content.decode()
    # The right password is refused now, and so would be the right code.
    html = client.post("/masuk/", {"username": "alya", "password": PASSWORD}).content.decode()
    assert LOCKED in html
    assert client.get("/").status_code == 302
    rows = list(LoginAttempt.objects.order_by("created_at", "id"))
    assert [r.result for r in rows] == ["failed"] * 5 + ["refused"]
    assert rows[4].locks_username
    assert device.key  # the device stays: the lock passes after 15 minutes


def test_logging_in_again_does_not_buy_more_guesses(on, admin):
    enrolled(admin)
    client = Client()
    for _ in range(2):
        password_login(client, admin)
        for _ in range(2):
            assert WRONG in give_code(client, "000003").content.decode()
        client.post("/keluar/")
    password_login(client, admin)
    response = give_code(client, "000004")  # the fifth failure since the last full login
    assert response.url == "/masuk/"
    assert LOCKED in client.get("/masuk/").content.decode()


def test_a_locked_account_is_refused_even_the_right_code(on, admin):
    device = enrolled(admin)
    client = Client()
    password_login(client, admin)
    for _ in range(4):
        give_code(client, "000005")
    # Locked from elsewhere meanwhile (another address guesses the password).
    Client().post("/masuk/", {"username": "alya", "password": "salah"}, REMOTE_ADDR="10.0.0.7")
    response = give_code(client, code_for(device))
    assert response.url == "/masuk/"
    assert client.get("/").status_code == 302


def test_wrong_codes_from_one_address_lock_it(on):
    """The address limit counts codes too: 20 failures over any usernames."""
    users = [make_user(f"admin{i}", Role.ADMIN) for i in range(4)]
    for user in users:
        enrolled(user)
        client = Client()
        password_login(client, user, ip="10.0.0.3")
        for _ in range(5):  # the fifth locks the username and ends the session
            give_code(client, "000006", ip="10.0.0.3")
    assert LoginAttempt.objects.filter(locks_ip=True, ip="10.0.0.3").count() == 1
    fresh = make_user("admin9", Role.ADMIN)
    html = Client().post(
        "/masuk/", {"username": fresh.username, "password": PASSWORD}, REMOTE_ADDR="10.0.0.3"
    )
    assert LOCKED in html.content.decode()


# --- enrolling ------------------------------------------------------------------------------


def test_a_user_without_an_app_enrols_with_a_qr_code_or_the_secret(on, kabid):
    client = Client()
    password_login(client, kabid)
    page = client.get(CODE_PAGE).content.decode()
    device = TOTPDevice.objects.get(user=kabid)
    assert not device.confirmed
    assert "Pasang aplikasi autentikator" in page
    assert 'src="data:image/svg+xml' in page  # the QR code, allowed by the CSP's img-src
    assert "otpauth://totp/LA-LISA%3Abudi?secret=" in page and "issuer=LA-LISA" in page
    from base64 import b32encode

    secret = b32encode(device.bin_key).decode()
    assert " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)) in page
    # The same secret on every visit until confirmed.
    client.get(CODE_PAGE)
    assert TOTPDevice.objects.filter(user=kabid).count() == 1
    # Not enrolled yet: still nothing opens.
    assert asks_for_code(client.get("/tinjau/"))
    assert WRONG in give_code(client, "000007").content.decode()
    response = give_code(client, code_for(device), next_url="/tinjau/")
    assert response.url == "/tinjau/"
    assert TOTPDevice.objects.get(user=kabid).confirmed
    assert client.get("/tinjau/").status_code == 200


def test_a_lost_phone_is_removed_in_the_setup_admin_and_enrolled_again(on, superadmin, admin):
    device = enrolled(admin)
    client = Client()
    password_login(client, admin)
    give_code(client, code_for(device))
    assert client.get("/").status_code == 200

    setup = Client()
    setup.force_login(superadmin)
    enrolled(superadmin)  # the superadmin too passes the code
    setup_device = TOTPDevice.objects.get(user=superadmin)
    password_login(setup, superadmin, path="/admin/login/")
    give_code(setup, code_for(setup_device))
    listing = setup.get("/admin/accounts/authenticatorapp/").content.decode()
    assert "Aplikasi autentikator" in listing and "Alya" in listing
    detail = setup.get(f"/admin/accounts/authenticatorapp/{device.pk}/change/").content.decode()
    assert device.key not in detail and "otpauth" not in detail and "qrcode" not in detail
    assert setup.get(f"/admin/otp_totp/totpdevice/{device.pk}/config/").status_code == 404
    response = setup.post(f"/admin/accounts/authenticatorapp/{device.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
    # The open session is asked again, and enrols a new app.
    response = client.get("/")
    assert asks_for_code(response)
    assert "Pasang aplikasi autentikator" in client.get(CODE_PAGE).content.decode()


# --- not asked ------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["trc", "pimpinan"])
def test_the_trc_and_the_pimpinan_are_not_asked(request, on, who):
    user = request.getfixturevalue(who)
    client = Client()
    password_login(client, user)
    assert client.get("/").status_code == 200
    assert client.get(CODE_PAGE).url == "/"
    assert not TOTPDevice.objects.exists()
    assert LoginAttempt.objects.get().result == LoginAttempt.Result.SUCCESS


def test_the_api_is_not_asked_its_token_is_its_factor(on, admin):
    enrolled(admin)
    key = ApiToken.issue(admin)
    response = Client().get("/api/v1/complaints", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200
    # A half-logged-in browser's cookie gives the API nothing either way.
    client = Client()
    password_login(client, admin)
    assert client.get("/api/v1/complaints").status_code == 401


@pytest.mark.parametrize("who", ["admin", "kabid", "superadmin"])
def test_off_nothing_changes(request, who):
    user = request.getfixturevalue(who)
    enrolled(user)  # even with an app enrolled
    client = Client()
    response = password_login(client, user)
    assert client.get(response.url).status_code == 200
    assert client.get("/sandi/").status_code == 200
    assert client.get(CODE_PAGE).url == "/"
    assert LoginAttempt.objects.get().result == LoginAttempt.Result.SUCCESS
    admin_client = Client()
    response = admin_client.post(
        "/admin/login/?next=/admin/", {"username": user.username, "password": PASSWORD}
    )
    if who == "superadmin":
        assert response.url == "/admin/" and admin_client.get("/admin/").status_code == 200
