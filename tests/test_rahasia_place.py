"""Where a *rahasia* complaint happened (its street address and its pin) can point to whoever
reported it: admin, the Kabid and the team sent there see it; the pimpinan does not, in the
pages, the inbox search, the API and the map (lalisa.access.PLACE_ROLES, one rule), as the
monthly report leaves it out. Kecamatan and desa stay for everyone."""

import datetime as dt
import json
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from lalisa import access
from lalisa.accounts.models import ApiToken
from lalisa.complaints import workflow
from lalisa.complaints.models import Complaint, Confidentiality
from lalisa.timefmt import WITA
from tests import test_access as shared

drive = shared.drive
inactive_admin = shared.inactive_admin
inactive_trc = shared.inactive_trc
no_role = shared.no_role
odd_role = shared.odd_role

pytestmark = pytest.mark.django_db

STREET = "Jl. Mawar Gg. Kenanga No. 7, samping rumah Pak RT"
LAT, LNG = Decimal("-2.327654"), Decimal("115.471234")
# What must not reach the pimpinan: the street and the pin in every spelling a page uses.
SECRETS = ["Mawar", "Kenanga", "-2.327654", "115.471234", "-2.32765", "115.47123"]
PERSONAS = ["admin", "kabid", "trc", "trc_b", "pimpinan", "superadmin"]


@pytest.fixture
def place(drive):
    """complaint(confidentiality, status="accepted", team=None) with the street and pin."""

    def _complaint(confidentiality, status="accepted", team=None):
        return drive(
            status, team, confidentiality=confidentiality, address=STREET, lat=LAT, lng=LNG
        )

    return _complaint


def api_get(client, user, path):
    header = {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(user)}"}
    return client.get(f"/api/v1/{path}", **header)


def page_of(client, user, complaint) -> str:
    client.force_login(user)
    response = client.get(f"/aduan/{complaint.code}/")
    assert response.status_code == 200
    return response.content.decode()


# --- the rule -----------------------------------------------------------------------------

SEES = {
    # confidentiality: who sees the place of a complaint dispatched to team A
    "biasa": {"admin", "kabid", "trc", "pimpinan"},
    "anonim": {"admin", "kabid", "trc", "pimpinan"},
    "rahasia": {"admin", "kabid", "trc"},
}


@pytest.mark.parametrize("confidentiality", list(SEES))
@pytest.mark.parametrize("who", [*PERSONAS, "inactive_admin", "no_role", "odd_role"])
def test_who_sees_the_place_role_by_role(request, place, confidentiality, who):
    complaint = place(confidentiality)
    user = request.getfixturevalue(who)
    expected = who in SEES[confidentiality]
    assert access.can_see_place(user, complaint) is expected
    # The filter the searches and the map use says the same.
    shown = access.visible_complaints(user).filter(access.place_visible(user), pk=complaint.pk)
    assert shown.exists() is expected


def test_of_a_rahasia_complaint_only_the_team_sent_there_now_sees_the_place(
    place, kabid, trc, trc_b, team_b
):
    secret, plain = place("rahasia"), place("biasa")
    for complaint in (secret, plain):
        workflow.dispatch(complaint, actor=kabid, team=team_b)
    assert access.can_see_place(trc_b, secret) and access.can_see_place(trc_b, plain)
    # Team A was replaced: it keeps the history, not a rahasia complaint's street.
    assert not access.can_see_place(trc, secret)
    assert access.can_see_place(trc, plain)


def test_every_confidentiality_has_its_row():
    assert set(access.PLACE_ROLES) == set(Confidentiality.values)
    # What the admin corrects, beyond kecamatan and desa (which stay), is all place.
    assert set(workflow.CORRECTABLE) - {"category", "priority", "kecamatan", "desa"} == set(
        access.PLACE_FIELDS
    )


# --- the complaint page ---------------------------------------------------------------------


@pytest.mark.parametrize("confidentiality", ["rahasia", "biasa"])
def test_the_page_shows_the_place_only_to_those_who_may_see_it(
    request, client, place, confidentiality
):
    complaint = place(confidentiality)
    for who in ["admin", "kabid", "trc", "pimpinan"]:
        html = page_of(client, request.getfixturevalue(who), complaint)
        assert "Paringin" in html  # the kecamatan stays
        if who in SEES[confidentiality]:
            assert STREET in html and "-2.327654, 115.471234" in html, who
            assert "google.com/maps" in html and "openstreetmap.org/?mlat" in html
        else:
            for secret in SECRETS:
                assert secret not in html, (who, secret)
            assert "google.com/maps" not in html and "openstreetmap.org/?mlat" not in html
            assert "(dirahasiakan)" in html


def test_a_corrected_place_is_not_read_back_from_the_timeline(client, place, admin, pimpinan):
    complaint = place("rahasia")
    workflow.correct(
        complaint,
        actor=admin,
        reason="Warga meralat",
        address="Jl. Melati No. 9, depan rumah saya",
        lat=Decimal("-2.330001"),
        priority="urgent",
    )
    html = page_of(client, pimpinan, complaint)
    for secret in [*SECRETS, "Melati", "-2.330001"]:
        assert secret not in html, secret
    assert "alamat/tempat: diubah (dirahasiakan)" in html
    assert "lintang: diubah (dirahasiakan)" in html
    assert "Mendesak" in html  # what is not a place is still told
    admin_html = page_of(client, admin, complaint)
    assert "Jl. Melati No. 9" in admin_html and STREET in admin_html


# --- the inbox search -------------------------------------------------------------------------


def test_the_inbox_search_does_not_probe_a_rahasia_street(client, place, kabid, pimpinan, trc):
    secret = place("rahasia")
    plain = place("biasa")
    plain_street = "Jl. Mawar Gg. Anggrek"
    Complaint.objects.filter(pk=plain.pk).update(address=plain_street)
    for q in ["Mawar", "mawar", "MAWAR", "Gg. Kenanga", "rumah Pak RT", "Kenanga No. 7"]:
        found = {}
        for user in (kabid, pimpinan, trc):
            client.force_login(user)
            html = client.get("/", {"q": q}).content.decode()
            found[user.username] = set(re.findall(r'href="/aduan/([A-Z0-9-]+)/"', html))
        assert secret.code in found[kabid.username], q
        assert secret.code in found[trc.username], q  # team A was sent there
        assert secret.code not in found[pimpinan.username], q
        if "mawar" in q.lower():  # the search itself still works for the pimpinan
            assert plain.code in found[pimpinan.username], q


# --- the API --------------------------------------------------------------------------------


def test_the_api_withholds_the_place_and_its_corrections(client, place, admin, kabid, pimpinan):
    complaint = place("rahasia")
    workflow.correct(complaint, actor=admin, address="Jl. Melati No. 9", lng=Decimal("115.4"))
    answer = api_get(client, pimpinan, f"complaints/{complaint.code}")
    assert answer.status_code == 200
    location = answer.json()["location"]
    assert (location["lat"], location["lng"], location["address"]) == (None, None, None)
    assert location["withheld"] is True
    assert location["kecamatan"]["name"] == "Paringin"
    text = json.dumps(answer.json(), ensure_ascii=False)
    for secret in [*SECRETS, "Melati", "115.4"]:
        assert secret not in text, secret
    (correction,) = [e for e in answer.json()["timeline"] if e["kind"] == "correct"]
    assert correction["data"]["changes"] == {
        "address": ["(dirahasiakan)", "(dirahasiakan)"],
        "lng": ["(dirahasiakan)", "(dirahasiakan)"],
    }

    seen = api_get(client, kabid, f"complaints/{complaint.code}").json()
    assert seen["location"]["address"] == "Jl. Melati No. 9"
    assert seen["location"]["lat"] == float(LAT) and seen["location"]["withheld"] is False
    (correction,) = [e for e in seen["timeline"] if e["kind"] == "correct"]
    assert correction["data"]["changes"]["address"] == [STREET, "Jl. Melati No. 9"]


def test_the_api_gives_a_biasa_place_to_the_pimpinan(client, place, pimpinan):
    complaint = place("biasa")
    location = api_get(client, pimpinan, f"complaints/{complaint.code}").json()["location"]
    assert location["address"] == STREET and location["lat"] == float(LAT)
    assert location["withheld"] is False


def test_the_api_withholds_it_from_a_replaced_team(client, place, kabid, trc, trc_b, team_b):
    complaint = place("rahasia")
    workflow.dispatch(complaint, actor=kabid, team=team_b)
    old = api_get(client, trc, f"complaints/{complaint.code}").json()["location"]
    new = api_get(client, trc_b, f"complaints/{complaint.code}").json()["location"]
    assert old["withheld"] is True and old["address"] is None
    assert new["withheld"] is False and new["address"] == STREET


# --- the map --------------------------------------------------------------------------------


def test_the_map_leaves_off_a_rahasia_pin_for_the_pimpinan(client, place, kabid, pimpinan):
    secret, plain = place("rahasia"), place("biasa")
    day = timezone.now().astimezone(WITA).date()
    period = {"dari": (day - dt.timedelta(days=1)).isoformat(), "sampai": day.isoformat()}
    client.force_login(pimpinan)
    data = client.get("/peta/titik.json", period).json()
    assert {row[0] for row in data["rows"]} == {plain.code}
    assert data["total"] == 2  # still counted, in its kecamatan too
    paringin = next(k for k in data["kecamatan"] if k["name"] == "Paringin")
    assert paringin["total"] == 2
    html = client.get("/peta/", period).content.decode()
    assert "1 aduan rahasia tampil hanya dalam jumlah per kecamatan" in html

    client.force_login(kabid)
    data = client.get("/peta/titik.json", period).json()
    assert {row[0] for row in data["rows"]} == {plain.code, secret.code}
    assert "aduan rahasia tampil hanya" not in client.get("/peta/", period).content.decode()
