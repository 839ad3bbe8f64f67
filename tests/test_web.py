"""Staff pages and the setup admin: who gets in, what each role's pages show and hide."""

import re

import pytest
from django.contrib import admin as django_admin
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lalisa.accounts.models import ApiToken, Role, User
from lalisa.complaints import workflow
from lalisa.complaints.models import (
    Category,
    Complaint,
    Dispatch,
    Event,
    Media,
    Rating,
    Reporter,
    Supporter,
)
from lalisa.notifications import texts
from lalisa.notifications.models import MessageText, Notification
from lalisa.regions.models import Kecamatan
from lalisa.service.models import ServiceProfile
from tests import test_access as shared
from tests.test_access import ALL, SITI_PHONE, codes

# The complaint fixtures of the access tests, shared (conftest.py belongs to everyone).
drive = shared.drive
world = shared.world
no_role = shared.no_role

PASSWORD = "rahasia-uji-123"

# Personas are often fetched by name (getfixturevalue): mark the database up front so these
# run with the other database tests, before transactional ones flush the reference data.
pytestmark = pytest.mark.django_db


@pytest.fixture
def client_for(client):
    def _login(user):
        client.force_login(user)
        return client

    return _login


def page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def listed(html: str) -> set[str]:
    """The ticket codes a page links to."""
    return set(re.findall(r'href="/aduan/([A-Z0-9-]+)/"', html))


# --- login and logout -------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/aduan/LL-2601-0001/"])
def test_anonymous_is_sent_to_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == f"/masuk/?next={path}"


def test_login_page_is_indonesian(client):
    html = page(client.get("/masuk/"))
    assert 'lang="id"' in html
    for text in ["Masuk petugas", "Nama pengguna", "Kata sandi", "web/lalisa.css"]:
        assert text in html


def test_login_and_logout(client, admin):
    wrong = page(client.post("/masuk/", {"username": "alya", "password": "salah"}))
    assert "sandi yang benar" in wrong  # Django's own message, translated
    response = client.post("/masuk/", {"username": "alya", "password": PASSWORD, "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/masuk/").status_code == 302  # already in
    assert client.get("/keluar/").status_code == 405  # a link cannot log out
    response = client.post("/keluar/")
    assert response.status_code == 302 and response["Location"] == "/masuk/"
    assert client.get("/").status_code == 302


def test_inactive_user_cannot_log_in(client, admin):
    admin.is_active = False
    admin.save()
    html = page(client.post("/masuk/", {"username": "alya", "password": PASSWORD}))
    assert "Masuk petugas" in html
    assert client.get("/").status_code == 302


# --- home -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who, expected",
    [
        ("admin", ALL),
        ("kabid", ALL),
        ("pimpinan", ALL),
        ("trc", ["at_a", "accepted_a", "done_a", "closed_a", "moved"]),
        ("trc_b", ["at_b", "moved"]),
    ],
)
def test_home_lists_exactly_the_visible_complaints(request, client_for, world, who, expected):
    html = page(client_for(request.getfixturevalue(who)).get("/"))
    assert listed(html) == codes(world, *expected)
    for name in set(ALL) - set(expected):
        assert getattr(world, name).code not in html, name


def test_home_marks_what_went_to_another_team(client_for, world, trc, trc_b):
    html = page(client_for(trc).get("/"))
    row = html[html.index(f"/aduan/{world.moved.code}/") :].split("</tr>")[0]
    assert "dialihkan ke tim lain" in row
    row = html[html.index(f"/aduan/{world.at_a.code}/") :].split("</tr>")[0]
    assert "dialihkan ke tim lain" not in row
    assert "dialihkan ke tim lain" not in page(client_for(trc_b).get("/"))


def test_superadmin_is_told_politely_and_sent_to_setup(client_for, world, superadmin):
    html = page(client_for(superadmin).get("/"))
    assert "tidak memiliki akses ke daftar aduan" in html
    assert 'href="/admin/"' in html
    assert not listed(html)


def test_user_without_role_is_told_politely(client_for, world, no_role):
    html = page(client_for(no_role).get("/"))
    assert "belum diberi peran" in html
    assert 'href="/admin/"' not in html
    assert not listed(html)


def test_home_shows_row_details(client_for, drive, admin):
    urgent = drive("received", priority="urgent")
    Complaint.objects.filter(pk=urgent.pk).update(due_at="2020-01-01T00:00:00Z")
    html = page(client_for(admin).get("/"))
    row = html[html.index(f"/aduan/{urgent.code}/") :].split("</tr>")[0]
    for text in ["PKL di tempat terlarang", "Paringin", "Diterima", "Mendesak", "WITA"]:
        assert text in row
    assert "Terlambat" in row
    assert 'class="overdue"' in html


def test_home_filters_by_status(client_for, world, admin):
    html = page(client_for(admin).get("/?status=verified"))
    assert listed(html) == codes(world, "verified")
    assert '<option value="verified" selected>Diverifikasi (1)</option>' in html
    html = page(client_for(admin).get("/?status=done"))
    assert listed(html) == codes(world, "done_a")
    # An unknown status shows everything rather than nothing.
    assert listed(page(client_for(admin).get("/?status=bogus"))) == codes(world, *ALL)
    assert "Tidak ada aduan berstatus Ditolak" not in html
    empty = page(client_for(admin).get("/?status=duplicate"))
    assert "Tidak ada aduan berstatus Digabung." in empty


def test_home_filter_stays_inside_what_the_user_may_see(client_for, world, trc):
    html = page(client_for(trc).get("/?status=dispatched"))
    assert listed(html) == codes(world, "at_a", "moved")  # not at_b


def test_home_is_paginated_by_50(client_for, file, admin):
    made = [file().code for _ in range(51)]
    client = client_for(admin)
    first = page(client.get("/"))
    second = page(client.get("/?page=2"))
    assert len(listed(first)) == 50 and len(listed(second)) == 1
    assert listed(first) | listed(second) == set(made)
    assert listed(second) == {made[0]}  # the oldest comes last
    assert "Halaman 1 dari 2" in first and 'href="?page=2"' in first
    assert listed(page(client.get("/?page=99"))) == listed(second)
    html = page(client.get("/?status=received&page=2"))
    assert 'href="?status=received&amp;page=1"' in html


@pytest.mark.parametrize("who", ["admin", "trc"])
def test_home_queries_do_not_grow_with_the_list(request, client_for, drive, who):
    client = client_for(request.getfixturevalue(who))
    drive("dispatched")
    with CaptureQueriesContext(connection) as few:
        page(client.get("/"))
    for _ in range(5):
        drive("dispatched")
    with CaptureQueriesContext(connection) as many:
        assert len(listed(page(client.get("/")))) == 6
    assert len(many) == len(few)


# --- complaint page ---------------------------------------------------------------------


def test_complaint_page_for_those_who_may_see_it(client_for, world, admin, trc, trc_b):
    assert client_for(trc_b).get(f"/aduan/{world.at_a.code}/").status_code == 404
    assert client_for(trc).get(f"/aduan/{world.at_b.code}/").status_code == 404
    assert client_for(trc).get(f"/aduan/{world.received.code}/").status_code == 404
    assert client_for(admin).get("/aduan/LL-0001-0001/").status_code == 404
    assert client_for(trc).get(f"/aduan/{world.at_a.code}/").status_code == 200


def test_complaint_page_404_for_superadmin(client_for, world, superadmin):
    assert client_for(superadmin).get(f"/aduan/{world.received.code}/").status_code == 404


def test_complaint_page_shows_details_timeline_and_dues(client_for, world, kabid):
    html = page(client_for(kabid).get(f"/aduan/{world.moved.code}/"))
    for text in [
        world.moved.code,
        "PKL di tempat terlarang",
        "PKL berjualan di trotoar depan Pasar Paringin",
        "Ditugaskan",  # status label
        "-2.332100, 115.465400",
        "https://www.google.com/maps/search/?api=1&amp;query=-2.332100,115.465400",
        # timeline: step labels, actors, WITA times, reasons and team changes
        "Aduan masuk lewat WhatsApp",  # filed by the citizen
        "Verifikasi",
        "Tugaskan tim",
        "Terima tugas",
        "Diterima → Diverifikasi",
        "Alya (Admin La-Lisa)",
        "Budi (Kabid Trantibum &amp; Perda)",
        "Tim Halong lebih dekat",
        "Tim: TRC Halong · menggantikan tim TRC Paringin",
        "WITA",
        # dispatches
        "TRC Paringin",
        "diganti",
        # due times
        "Batas berikutnya",
        "Tim tiba di lokasi",
    ]:
        assert text in html, text


def test_complaint_page_tells_the_old_team(client_for, world, trc, trc_b):
    html = page(client_for(trc).get(f"/aduan/{world.moved.code}/"))
    assert "dialihkan kepada tim lain" in html
    assert "dialihkan kepada tim lain" not in page(
        client_for(trc_b).get(f"/aduan/{world.moved.code}/")
    )


@pytest.mark.parametrize(
    "who, status, steps",
    [
        (
            "kabid",
            "verified",
            [
                "Minta keterangan",
                "Alihkan ke instansi lain",
                "Tugaskan tim",
                "Tolak tindak lanjut",
            ],
        ),
        ("admin", "received", ["Verifikasi", "Tolak", "Gabungkan (duplikat)", "Koreksi data"]),
        ("trc", "dispatched", ["Terima tugas"]),
        ("trc", "on_site", ["Laporkan hasil"]),
        ("kabid", "accepted", ["Kirim tim lain"]),
        ("pimpinan", "verified", []),
        ("admin", "closed", []),
    ],
)
def test_complaint_page_lists_the_users_steps(request, client_for, drive, who, status, steps):
    complaint = drive(status)
    html = page(client_for(request.getfixturevalue(who)).get(f"/aduan/{complaint.code}/"))
    section = html[html.index("Langkah yang dapat Anda ambil") :]
    # Each step once, by the same name as on its form's button or heading.
    labels = re.findall(r"<(?:summary|button[^>]*)>([^<]+)</(?:summary|button)>", section)
    assert list(dict.fromkeys(label for label in labels if label in steps)) == steps
    if not steps:
        assert "langkah" in section.lower() and "<summary>" not in section
    # Each step has its form now (tests/test_web_actions.py); no steps, no step forms.
    assert (f'action="/aduan/{complaint.code}/langkah/' in section) == bool(steps)


@pytest.mark.parametrize(
    "confidentiality, shown_to",
    [
        ("biasa", {"admin", "kabid", "pimpinan", "trc"}),
        ("anonim", {"admin"}),
        ("rahasia", {"admin"}),
    ],
)
def test_reporter_on_the_page_follows_confidentiality(
    request,
    client_for,
    drive,
    citizen,
    confidentiality,
    shown_to,
):
    complaint = drive("accepted", confidentiality=confidentiality)
    # A citizen's own event in the timeline must not name them either.
    Event.objects.create(
        complaint=complaint, kind="answer_info", actor_kind="citizen", actor_reporter=citizen
    )
    for who in ["admin", "kabid", "pimpinan", "trc"]:
        html = page(client_for(request.getfixturevalue(who)).get(f"/aduan/{complaint.code}/"))
        if who in shown_to:
            assert SITI_PHONE in html and "Siti" in html, who
        else:
            assert SITI_PHONE not in html, who
            assert "6281311112222" not in html and "Siti" not in html, who
            assert ("Dirahasiakan" if confidentiality == "rahasia" else "Anonim") in html
        assert "Pelapor" in html


def test_old_team_no_longer_sees_the_reporter(client_for, drive, kabid, trc, team_b):
    complaint = drive("accepted")
    assert SITI_PHONE in page(client_for(trc).get(f"/aduan/{complaint.code}/"))
    workflow.dispatch(complaint, actor=kabid, team=team_b)
    html = page(client_for(trc).get(f"/aduan/{complaint.code}/"))
    assert SITI_PHONE not in html and "Siti" not in html


# --- setup admin ------------------------------------------------------------------------

SETUP_PAGES = [
    "/admin/",
    "/admin/accounts/user/",
    "/admin/accounts/user/add/",
    "/admin/accounts/apitoken/",
    "/admin/regions/kecamatan/",
    "/admin/regions/desa/",
    "/admin/regions/desa/?q=paringin",
    "/admin/teams/trcteam/",
    "/admin/teams/trcteam/add/",
    "/admin/complaints/category/",
    "/admin/complaints/category/add/",
    "/admin/complaints/outcome/",
    "/admin/service/emergencynumber/",
    "/admin/notifications/messagetext/",
    "/admin/sla/slatarget/",
]


def test_setup_admin_open_to_superadmin(client_for, superadmin, team_a, trc):
    client = client_for(superadmin)
    for url in SETUP_PAGES:
        assert client.get(url).status_code == 200, url
    kecamatan = Kecamatan.objects.get(name="Paringin")
    for url in [
        f"/admin/regions/kecamatan/{kecamatan.pk}/change/",
        f"/admin/teams/trcteam/{team_a.pk}/change/",
        f"/admin/accounts/user/{trc.pk}/change/",
        f"/admin/complaints/category/{Category.objects.first().pk}/change/",
    ]:
        assert client.get(url).status_code == 200, url
    team_page = page(client.get(f"/admin/teams/trcteam/{team_a.pk}/change/"))
    assert "Candra" in team_page  # the members, read-only
    assert "Candra" in page(client.get("/admin/teams/trcteam/"))


@pytest.mark.parametrize("who", ["admin", "kabid", "pimpinan", "trc"])
def test_setup_admin_refused_to_other_roles(request, client_for, who):
    user = request.getfixturevalue(who)
    assert not user.is_staff and not user.is_superuser
    client = client_for(user)
    for url in ["/admin/", "/admin/accounts/user/", "/admin/complaints/category/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/admin/login/"), url


@pytest.mark.parametrize("who", ["admin", "kabid"])
def test_admin_login_refuses_other_roles(request, client, who):
    user = request.getfixturevalue(who)
    html = page(client.post("/admin/login/", {"username": user.username, "password": PASSWORD}))
    assert "akun staf" in html  # Django's refusal, translated
    assert client.get("/admin/").status_code == 302


def test_admin_login_lets_the_superadmin_in(client, superadmin):
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": superadmin.username, "password": PASSWORD, "next": "/admin/"},
    )
    assert response.status_code == 302
    assert "Penyiapan layanan" in page(client.get("/admin/"))


def test_workflow_models_are_not_in_the_setup_admin(client_for, superadmin, world):
    for model in [Complaint, Reporter, Event, Dispatch, Rating, Notification, Supporter, Media]:
        assert not django_admin.site.is_registered(model), model
    client = client_for(superadmin)
    assert client.get("/admin/complaints/complaint/").status_code == 404
    index = page(client.get("/admin/"))
    assert "/admin/complaints/complaint/" not in index
    assert "/admin/auth/group/" not in index


def test_roles_decide_admin_rights(superadmin, admin):
    assert superadmin.is_staff and superadmin.is_superuser
    superadmin.role = Role.ADMIN
    superadmin.save()
    assert not superadmin.is_staff and not superadmin.is_superuser
    # createsuperuser makes a superadmin, so the role always says who sets up.
    boss = User.objects.create_superuser("boss", password=PASSWORD)
    assert boss.role == Role.SUPERADMIN and boss.is_staff
    assert not admin.is_staff


def _new_user(**fields):
    data = {
        "username": "lina",
        "usable_password": "true",
        "password1": "Kuat-sekali-2026",
        "password2": "Kuat-sekali-2026",
        "first_name": "Lina",
        "last_name": "",
        "email": "",
        "role": "trc",
        "team": "",
        "whatsapp": "",
        "whatsapp_user_id": "",
    }
    data.update(fields)
    return data


def test_superadmin_adds_a_trc_member(client_for, superadmin, team_a):
    client = client_for(superadmin)
    response = client.post(
        "/admin/accounts/user/add/", _new_user(team=team_a.pk, whatsapp="0812-9999-0001")
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    lina = User.objects.get(username="lina")
    assert lina.role == Role.TRC and lina.team == team_a
    assert lina.whatsapp == "+6281299990001"
    assert not lina.is_staff and not lina.is_superuser
    assert lina.check_password("Kuat-sekali-2026")


@pytest.mark.parametrize(
    "fields, error",
    [
        ({"role": "trc"}, "Anggota TRC harus tergabung dalam satu tim."),
        ({"role": "admin", "team": "TEAM"}, "Hanya anggota TRC yang tergabung dalam tim."),
        ({"team": "TEAM", "whatsapp": "12"}, "Nomor telepon tidak valid"),
        # The same number written another way is the same number.
        ({"team": "TEAM", "whatsapp": "+62 812-0000-0001"}, "telah ada"),
    ],
)
def test_user_form_validates_team_and_number(client_for, superadmin, admin, team_a, fields, error):
    fields = {k: (team_a.pk if v == "TEAM" else v) for k, v in fields.items()}
    html = page(client_for(superadmin).post("/admin/accounts/user/add/", _new_user(**fields)))
    assert error in html
    assert not User.objects.filter(username="lina").exists()


def test_message_text_edit_changes_what_is_sent(client_for, superadmin):
    row = MessageText.objects.get(key="complaint_received")
    url = f"/admin/notifications/messagetext/{row.pk}/change/"
    client = client_for(superadmin)
    html = page(client.get(url))
    for name in ["{code}", "{category}", "{due}"]:
        assert name in html
    assert "Warga: aduan tercatat" in html  # what the text is for

    new = "Aduan {code} ({category}) kami terima. Batas pemeriksaan: {due}."
    response = client.post(url, {"text": new})
    assert response.status_code == 302
    assert texts.render(
        "complaint_received", code="LL-2611-0042", category="PKL", due="besok"
    ) == ("Aduan LL-2611-0042 (PKL) kami terima. Batas pemeriksaan: besok.")

    refused = page(client.post(url, {"text": "Halo {nama}, aduan {code}."}))
    assert "Isian tidak dikenal: {nama}" in refused
    refused = page(client.post(url, {"text": "Aduan {code"}))
    assert "Kurung kurawal tidak berpasangan" in refused
    assert MessageText.objects.get(pk=row.pk).text == new

    client.post(
        "/admin/notifications/messagetext/",
        {"action": "reset_to_default", "_selected_action": [row.pk]},
    )
    assert MessageText.objects.get(pk=row.pk).text == texts.DEFAULTS["complaint_received"][0]
    assert client.get("/admin/notifications/messagetext/add/").status_code == 403


def test_service_profile_is_a_single_row(client_for, superadmin):
    client = client_for(superadmin)
    profile = ServiceProfile.get()
    response = client.get("/admin/service/serviceprofile/")
    assert response.status_code == 302
    assert response["Location"] == f"/admin/service/serviceprofile/{profile.pk}/change/"
    assert client.get("/admin/service/serviceprofile/add/").status_code == 403
    assert client.get(f"/admin/service/serviceprofile/{profile.pk}/delete/").status_code == 403


def test_kecamatan_centre_is_editable_code_is_not(client_for, superadmin):
    kecamatan = Kecamatan.objects.get(name="Paringin")
    url = f"/admin/regions/kecamatan/{kecamatan.pk}/change/"
    client = client_for(superadmin)
    html = page(client.get(url))
    assert kecamatan.desa.first().name in html  # its desa, read-only
    total = kecamatan.desa.count()
    response = client.post(
        url,
        {
            "code": "99.99",
            "name": "Lain",
            "lat": "-2.340000",
            "lng": "115.470000",
            "desa-TOTAL_FORMS": total,
            "desa-INITIAL_FORMS": total,
            "desa-MIN_NUM_FORMS": 0,
            "desa-MAX_NUM_FORMS": 1000,
            **{f"desa-{i}-id": d.pk for i, d in enumerate(kecamatan.desa.all())},
            **{f"desa-{i}-kecamatan": kecamatan.pk for i in range(total)},
        },
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    kecamatan.refresh_from_db()
    assert str(kecamatan.lat) == "-2.340000" and str(kecamatan.lng) == "115.470000"
    assert kecamatan.code != "99.99" and kecamatan.name == "Paringin"
    assert client.get("/admin/regions/kecamatan/add/").status_code == 403


def test_api_token_is_revoked_from_the_list(client_for, superadmin, admin):
    key = ApiToken.issue(admin)
    token = ApiToken.objects.get(user=admin)
    client = client_for(superadmin)
    assert token.prefix in page(client.get("/admin/accounts/apitoken/"))
    client.post("/admin/accounts/apitoken/", {"action": "revoke", "_selected_action": [token.pk]})
    assert ApiToken.authenticate(key) is None
    assert client.get(f"/admin/accounts/apitoken/{token.pk}/delete/").status_code == 403


def test_new_category_through_the_admin(client_for, superadmin):
    client = client_for(superadmin)
    response = client.post(
        "/admin/complaints/category/add/",
        {
            "code": "parkir-liar",
            "name": "Parkir liar",
            "description": "",
            "default_priority": "normal",
            "order": 20,
            "active": "on",
        },
    )
    assert response.status_code == 302
    category = Category.objects.get(code="parkir-liar")
    html = page(client.get(f"/admin/complaints/category/{category.pk}/change/"))
    assert 'name="code"' not in html  # the code is fixed once saved
