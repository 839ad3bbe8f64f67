"""The JSON API: who may see and do what, in which order refusals come, filters, media."""

import json
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern
from django.utils import timezone

from lalisa.accounts.models import ApiToken
from lalisa.api import urls as api_urls
from lalisa.api.views import ACTIONS
from lalisa.complaints import workflow
from lalisa.complaints.models import (
    Category,
    Complaint,
    Confidentiality,
    Event,
    Media,
)
from lalisa.complaints.models import Status as S
from lalisa.regions.models import Desa, Kecamatan
from lalisa.whatsapp.models import InboundMessage, OutboundMessage
from tests import files

pytestmark = pytest.mark.django_db

STAFF = ["admin", "kabid", "trc", "trc_b", "pimpinan", "superadmin"]


@pytest.fixture
def people(admin, kabid, trc, trc_b, pimpinan, superadmin):
    return {
        "admin": admin,
        "kabid": kabid,
        "trc": trc,
        "trc_b": trc_b,
        "pimpinan": pimpinan,
        "superadmin": superadmin,
    }


@pytest.fixture
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path, "base_url": None},
        },
    }


class Api:
    def __init__(self, client, keys):
        self.client = client
        self.keys = keys

    def _auth(self, who):
        if who is None:
            return {}
        key = self.keys.get(who, who)  # a persona's key, or a raw header value
        return {"HTTP_AUTHORIZATION": f"Bearer {key}"}

    def get(self, who, path, **params):
        return self.client.get("/api/v1/" + path, params, **self._auth(who))

    def send(self, who, method, path, body):
        raw = body if isinstance(body, (str, bytes)) else json.dumps(body)
        return self.client.generic(
            method, "/api/v1/" + path, raw, content_type="application/json", **self._auth(who)
        )

    def act(self, who, complaint, body):
        return self.send(who, "POST", f"complaints/{complaint.code}/actions", body)

    def patch(self, who, complaint, body):
        return self.send(who, "PATCH", f"complaints/{complaint.code}", body)


@pytest.fixture
def api(client, people):
    return Api(client, {name: ApiToken.issue(user) for name, user in people.items()})


@pytest.fixture
def drive(file, people, team_a):
    """A fresh complaint brought to `state` through the workflow (team A dispatched)."""

    def _drive(state, **fields):
        p = people
        c = file(**fields)
        if state == S.RECEIVED:
            return c
        c = workflow.verify(c, actor=p["admin"])
        if state == S.VERIFIED:
            return c
        c = workflow.dispatch(c, actor=p["kabid"], team=team_a)
        if state == S.DISPATCHED:
            return c
        c = workflow.accept(c, actor=p["trc"])
        if state == S.ACCEPTED:
            return c
        c = workflow.arrive(c, actor=p["trc"])
        if state == S.ON_SITE:
            return c
        c = workflow.complete(c, actor=p["trc"], note="Ditegur", outcome="teguran_lisan")
        if state == S.DONE:
            return c
        assert state == S.CLOSED
        return workflow.close(c, actor=p["kabid"])

    return _drive


def state_of(complaint):
    row = Complaint.objects.get(pk=complaint.pk)
    return row.status, row.events.count(), row.updated_at


def codes(response):
    assert response.status_code == 200, response.content
    return [r["code"] for r in response.json()["results"]]


# --- authentication and methods -----------------------------------------------------------


def test_no_or_bad_token_is_401_everywhere(api, drive, admin):
    c = drive(S.RECEIVED)
    revoked = ApiToken.issue(admin)
    ApiToken.objects.filter(prefix=revoked[:8]).update(revoked_at=timezone.now())
    calls = [
        lambda who: api.get(who, "complaints"),
        lambda who: api.get(who, f"complaints/{c.code}"),
        lambda who: api.get(who, "teams"),
        lambda who: api.get(who, "media/1"),
        lambda who: api.act(who, c, {"action": "verify"}),
        lambda who: api.patch(who, c, {"priority": "urgent"}),
    ]
    for call in calls:
        for who in (None, "ll_not-a-real-key", revoked, ""):
            response = call(who)
            assert response.status_code == 401, (who, response.content)
            assert "Token" in response.json()["error"]
    # Another scheme than Bearer is no token either.
    key = api.keys["admin"]
    response = api.client.get("/api/v1/complaints", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 401
    assert state_of(c)[0] == S.RECEIVED


def test_an_inactive_users_token_stops_working(api, admin):
    assert api.get("admin", "complaints").status_code == 200
    admin.is_active = False
    admin.save()
    assert api.get("admin", "complaints").status_code == 401


def test_wrong_method_is_405(api, drive):
    c = drive(S.RECEIVED)
    cases = [
        ("DELETE", f"complaints/{c.code}", "GET, PATCH"),
        ("GET", f"complaints/{c.code}/actions", "POST"),
        ("POST", "complaints", "GET"),
        ("POST", "teams", "GET"),
        ("PUT", "openapi.json", "GET"),
    ]
    for method, path, allow in cases:
        response = api.send("admin", method, path, {})
        assert response.status_code == 405, (method, path)
        assert response["Allow"] == allow
    assert state_of(c)[0] == S.RECEIVED


# --- the list -----------------------------------------------------------------------------


def test_list_shows_each_role_what_it_may_see(api, drive):
    mine = drive(S.DISPATCHED)  # team A
    other = drive(S.RECEIVED)
    both = sorted([mine.code, other.code])
    for who in ("admin", "kabid", "pimpinan"):
        assert sorted(codes(api.get(who, "complaints"))) == both, who
    assert codes(api.get("trc", "complaints")) == [mine.code]
    assert codes(api.get("trc_b", "complaints")) == []
    response = api.get("superadmin", "complaints")
    assert response.status_code == 403
    assert "aduan" in response.json()["error"]


def test_list_is_newest_first_and_paginated(api, file):
    start = timezone.now() - timedelta(days=10)
    made = [file(received_at=start + timedelta(minutes=i)) for i in range(51)]
    newest_first = [c.code for c in reversed(made)]
    first = api.get("admin", "complaints").json()
    assert (first["count"], first["page"], first["pages"]) == (51, 1, 2)
    assert [r["code"] for r in first["results"]] == newest_first[:50]
    second = api.get("admin", "complaints", page=2).json()
    assert [r["code"] for r in second["results"]] == newest_first[50:]
    assert second["page"] == 2
    assert api.get("admin", "complaints", page=3).status_code == 404
    assert api.get("admin", "complaints", page=0).status_code == 404
    bad = api.get("admin", "complaints", page="dua")
    assert bad.status_code == 400 and "angka" in bad.json()["error"]


def test_list_item_fields(api, file):
    c = file()
    item = api.get("kabid", "complaints").json()["results"][0]
    assert item["code"] == c.code
    assert item["status"] == "received" and item["status_label"] == "Diterima"
    assert item["category"]["code"] == "pkl"
    assert item["kecamatan"]["name"] == "Paringin"
    assert item["received_at"].endswith("Z")
    assert item["url"] == f"/api/v1/complaints/{c.code}"


def test_filter_by_status_category_kecamatan_team(api, drive, file, team_b, kabid):
    received = file()
    verified = drive(S.VERIFIED)
    halong = Kecamatan.objects.get(name="Halong")
    noise = file(
        category=Category.objects.get(code="kebisingan"), kecamatan=halong, description="Musik"
    )
    on_a = drive(S.DISPATCHED)
    moved = drive(S.DISPATCHED)
    workflow.dispatch(moved, actor=kabid, team=team_b)

    def query(**params):
        return sorted(codes(api.get("admin", "complaints", **params)))

    assert query(status="received") == sorted([received.code, noise.code])
    assert query(status="verified") == [verified.code]
    assert query(category="kebisingan") == [noise.code]
    assert query(kecamatan=str(halong.pk)) == [noise.code]
    assert query(kecamatan="halong") == [noise.code]
    assert query(status="received", kecamatan="Paringin") == [received.code]
    # The team sent now: a complaint moved to team B no longer counts for team A.
    assert query(team=on_a.active_dispatch.team_id) == [on_a.code]
    assert query(team=team_b.pk) == [moved.code]


def test_filter_overdue(api, file):
    late, on_time, nothing_due = file(), file(), file()
    now = timezone.now()
    Complaint.objects.filter(pk=late.pk).update(due_at=now - timedelta(minutes=1))
    Complaint.objects.filter(pk=on_time.pk).update(due_at=now + timedelta(hours=1))
    Complaint.objects.filter(pk=nothing_due.pk).update(due_at=None)
    assert codes(api.get("admin", "complaints", overdue="1")) == [late.code]
    assert sorted(codes(api.get("admin", "complaints", overdue="false"))) == sorted(
        [on_time.code, nothing_due.code]
    )
    detail = api.get("admin", f"complaints/{late.code}").json()
    assert detail["overdue"] is True


def test_search_on_code_description_and_phone(api, file, other_citizen):
    mine = file(description="Ada balap liar di jalan Ahmad Yani")
    theirs = file(actor=other_citizen, description="PKL di taman kota")
    assert codes(api.get("admin", "complaints", q="balap LIAR")) == [mine.code]
    assert codes(api.get("admin", "complaints", q=theirs.code)) == [theirs.code]
    # The citizen's number, in the form people type it.
    assert codes(api.get("admin", "complaints", q="0813-1111-2222")) == [mine.code]
    assert codes(api.get("kabid", "complaints", q="+6281311112222")) == [mine.code]


def test_search_by_phone_keeps_anonymous_reporters_hidden(api, file):
    hidden = file(confidentiality=Confidentiality.ANONIM)
    assert codes(api.get("admin", "complaints", q="081311112222")) == [hidden.code]
    for who in ("kabid", "pimpinan"):
        assert codes(api.get(who, "complaints", q="081311112222")) == [], who
    # The code still finds it: the complaint is theirs to see, the reporter is not.
    assert codes(api.get("kabid", "complaints", q=hidden.code)) == [hidden.code]


def test_unknown_filter_values_are_400(api, file):
    file()
    cases = {
        "status": "selesai",
        "category": "tidak-ada",
        "kecamatan": "Banjarmasin",
        "team": "99999",
        "overdue": "mungkin",
    }
    for name, value in cases.items():
        response = api.get("admin", "complaints", **{name: value})
        assert response.status_code == 400, name
        assert value in response.json()["error"] or "overdue" in response.json()["error"]
    assert api.get("admin", "complaints", team="satu").status_code == 400


# --- the detail ---------------------------------------------------------------------------


def test_detail_fields(api, file, paringin, private_media):
    desa = Desa.objects.filter(kecamatan=paringin).first()
    c = file(address="Depan Pasar", desa=desa)
    photo = Media.objects.create(
        complaint=c, kind=Media.Kind.IMAGE, mime_type="image/jpeg", size=3, caption="lapak"
    )
    body = api.get("admin", f"complaints/{c.code}").json()
    assert body["code"] == c.code
    assert (body["status"], body["status_label"]) == ("received", "Diterima")
    assert body["priority"] == "normal" and body["confidentiality"] == "biasa"
    assert body["description"].startswith("PKL berjualan")
    assert body["location"] == {
        "lat": -2.3321,
        "lng": 115.4654,
        "address": "Depan Pasar",
        "withheld": False,
        "kecamatan": {"id": paringin.pk, "name": "Paringin"},
        "desa": {"id": desa.pk, "name": desa.name},
    }
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", body["received_at"])
    assert body["due_at"].endswith("Z")
    assert body["overdue"] is False
    assert body["reporter"] == {"name": "Siti", "phone": "+6281311112222"}
    [event] = body["timeline"]
    assert event["kind"] == "file" and event["actor"] == "Pelapor"
    assert event["from_status"] is None and event["to_status"] == "received"
    assert event["created_at"].endswith("Z")
    assert body["media"] == [
        {
            "id": photo.pk,
            "kind": "image",
            "caption": "lapak",
            "mime_type": "image/jpeg",
            "size": 3,
            "created_at": body["media"][0]["created_at"],
            "url": f"/api/v1/media/{photo.pk}",
        }
    ]
    admin_steps = ["verify", "request_info", "reject", "refer", "mark_duplicate", "correct"]
    assert body["available_steps"] == admin_steps
    assert api.get("pimpinan", f"complaints/{c.code}").json()["available_steps"] == []
    assert api.get("kabid", f"complaints/{c.code}").json()["available_steps"] == []


def test_detail_timeline_after_steps(api, drive, team_a):
    c = drive(S.DISPATCHED)
    body = api.get("trc", f"complaints/{c.code}").json()
    assert [e["kind"] for e in body["timeline"]] == ["file", "verify", "dispatch"]
    dispatch = body["timeline"][-1]
    assert dispatch["label"] == "tugaskan tim"
    assert dispatch["actor"] == "Budi (Kabid Trantibum & Perda)"
    assert (dispatch["from_status"], dispatch["to_status"]) == ("verified", "dispatched")
    assert body["team"] == {"id": team_a.pk, "name": team_a.name}
    assert body["available_steps"] == ["accept"]


def test_detail_404_for_those_who_may_not_see_it(api, drive):
    received = drive(S.RECEIVED)
    dispatched = drive(S.DISPATCHED)
    for who, c in [
        ("trc", received),
        ("trc_b", dispatched),
        ("superadmin", received),
        ("admin", Complaint(code="LL-0001-9999")),
    ]:
        response = api.get(who, f"complaints/{c.code}")
        assert response.status_code == 404, who
        assert response.json()["error"] == "Aduan tidak ditemukan."
    assert api.get("trc", f"complaints/{dispatched.code}").status_code == 200


@pytest.mark.parametrize(
    "confidentiality, sees",
    [
        (Confidentiality.BIASA, {"admin", "kabid", "pimpinan", "trc"}),
        (Confidentiality.ANONIM, {"admin"}),
        (Confidentiality.RAHASIA, {"admin"}),
    ],
)
def test_reporter_only_for_those_who_may_see_it(api, drive, confidentiality, sees):
    c = drive(S.DISPATCHED, confidentiality=confidentiality)
    InboundMessage.objects.create(
        wamid="wamid.1", type="text", text="Tolong cepat", sent_at=timezone.now(), complaint=c
    )
    OutboundMessage.objects.create(
        kind="staff_reply",
        payload={"type": "text", "text": {"body": "Halo Siti, tim menuju lokasi"}},
        complaint=c,
    )
    labels = {
        Confidentiality.BIASA: "Identitas tidak ditampilkan",
        Confidentiality.ANONIM: "Anonim",
        Confidentiality.RAHASIA: "Dirahasiakan",
    }
    for who in ("admin", "kabid", "pimpinan", "trc"):
        body = api.get(who, f"complaints/{c.code}").json()
        if who in sees:
            assert body["reporter"]["phone"] == "+6281311112222", who
            assert "Siti" in body["reporter_label"]
            texts = [(m["direction"], m["text"]) for m in body["messages"]]
            assert ("in", "Tolong cepat") in texts
            assert ("out", "Halo Siti, tim menuju lokasi") in texts
        else:
            assert body["reporter"] is None, who
            assert body["reporter_label"] == labels[confidentiality]
            assert body["messages"] == [], who
            assert "Siti" not in json.dumps(body)


# --- actions ------------------------------------------------------------------------------


def _photo(complaint):
    return Media.objects.create(complaint=complaint, kind=Media.Kind.IMAGE).pk


# (action, state, body, roles allowed, state after). A callable body gets the complaint.
ACTION_CASES = [
    ("verify", S.RECEIVED, {}, {"admin"}, S.VERIFIED),
    ("request_info", S.RECEIVED, {"question": "Di mana?"}, {"admin"}, S.NEEDS_INFO),
    ("request_info", S.VERIFIED, {"question": "Kapan?"}, {"admin", "kabid"}, S.NEEDS_INFO),
    ("reject", S.RECEIVED, {"reason": "Spam", "reason_code": "spam"}, {"admin"}, S.REJECTED),
    ("refer", S.RECEIVED, {"agency": "Polres Balangan"}, {"admin"}, S.REFERRED),
    ("refer", S.VERIFIED, {"agency": "Dishub"}, {"admin", "kabid"}, S.REFERRED),
    ("mark_duplicate", S.RECEIVED, "duplicate", {"admin"}, S.DUPLICATE),
    ("dispatch", S.VERIFIED, "team_a", {"kabid"}, S.DISPATCHED),
    ("decline", S.VERIFIED, {"reason": "Sudah tertib"}, {"kabid"}, S.REJECTED),
    ("accept", S.DISPATCHED, {}, {"trc"}, S.ACCEPTED),
    ("arrive", S.ACCEPTED, {}, {"trc"}, S.ON_SITE),
    ("complete", S.ON_SITE, "photos", {"trc"}, S.DONE),
    ("close", S.DONE, {}, {"admin", "kabid"}, S.CLOSED),
    ("reply", S.RECEIVED, {"text": "Mohon tunggu"}, {"admin", "kabid"}, S.RECEIVED),
]


@pytest.mark.parametrize(
    "action, state, body, allowed, after",
    ACTION_CASES,
    ids=[f"{a[0]}-{a[1]}" for a in ACTION_CASES],
)
def test_action_per_role(api, drive, file, team_a, action, state, body, allowed, after):
    for who in STAFF:
        c = drive(state)
        payload = {"action": action}
        if body == "duplicate":
            payload["of"] = file().code
        elif body == "team_a":
            payload["team"] = team_a.pk
        elif body == "photos":
            photo = _photo(c)
            payload.update(note="Lapak ditertibkan", outcome="penertiban", photos=[photo])
        else:
            payload.update(body)
        visible = who in ("admin", "kabid", "pimpinan") or (who == "trc" and c.dispatches.exists())
        before = state_of(c)
        response = api.act(who, c, payload)
        if who in allowed:
            assert response.status_code == 200, (who, response.content)
            detail = response.json()
            assert detail["code"] == c.code and detail["status"] == after
            assert Complaint.objects.get(pk=c.pk).status == after
            last = Event.objects.filter(complaint=c).order_by("-id").first()
            assert last.kind == action and last.actor_user.username == api_user(api, who)
            if action == "complete":
                assert Media.objects.get(pk=photo).dispatch_id == c.active_dispatch.pk
        else:
            expected = 403 if visible else 404
            assert response.status_code == expected, (who, response.content)
            assert response.json()["error"]
            assert state_of(c) == before, who


def api_user(api, who):
    return ApiToken.authenticate(api.keys[who]).username


def test_refusal_order_401_404_403_409(api, drive, kabid, team_b):
    received = drive(S.RECEIVED)
    dispatched = drive(S.DISPATCHED)
    verified = drive(S.VERIFIED)
    # 401 before anything: a bad token learns nothing about the complaint.
    assert api.act("ll_nope", dispatched, {"action": "accept"}).status_code == 401
    # 404 before 403: the other team cannot see the complaint, so it does not hear "role".
    assert api.act("trc_b", dispatched, {"action": "verify"}).status_code == 404
    assert api.act("trc_b", dispatched, {"action": "accept"}).status_code == 404
    assert api.act("trc", received, {"action": "verify"}).status_code == 404
    # 403 before 409 and before the input: pimpinan may not reject, with or without reason.
    response = api.act("pimpinan", verified, {"action": "reject"})
    assert response.status_code == 403
    assert response.json()["error"].startswith("Langkah «tolak» ditolak")
    # A team that handled it keeps seeing it, but may not act once another team is sent.
    workflow.dispatch(dispatched, actor=kabid, team=team_b)
    response = api.act("trc", dispatched, {"action": "accept"})
    assert response.status_code == 403
    assert "tim yang ditugaskan" in response.json()["error"]
    # 409 before 400: the step is wrong in this state, whatever the input.
    response = api.act("admin", verified, {"action": "reject"})
    assert response.status_code == 409
    body = response.json()
    assert "Diverifikasi" in body["error"] and body["status"] == "verified"
    response = api.act("kabid", received, {"action": "dispatch", "team": 99999})
    assert response.status_code == 409
    assert api.act("admin", verified, {"action": "verify"}).status_code == 409
    assert Complaint.objects.get(pk=received.pk).status == S.RECEIVED


def test_bad_input_is_400_and_changes_nothing(api, drive, file, people, private_media):
    received = drive(S.RECEIVED)
    verified = drive(S.VERIFIED)
    on_site = drive(S.ON_SITE)
    elsewhere = _photo(received)
    on_site_photo = _photo(on_site)
    cases = [
        ("admin", received, "{not json", "JSON"),
        ("admin", received, "[1, 2]", "objek"),
        ("admin", received, {}, "Aksi tidak dikenal"),
        ("admin", received, {"action": "hapus"}, "Aksi tidak dikenal"),
        ("admin", received, {"action": "request_info"}, "Pertanyaan untuk pelapor wajib"),
        ("admin", received, {"action": "reject", "reason": "  "}, "Alasan penolakan wajib"),
        ("admin", received, {"action": "reject", "reason": 5}, "teks"),
        ("admin", received, {"action": "refer"}, "Instansi tujuan wajib"),
        ("admin", received, {"action": "mark_duplicate"}, "«of» wajib"),
        ("admin", received, {"action": "mark_duplicate", "of": "LL-0001-0001"}, "tidak ditemukan"),
        ("admin", received, {"action": "mark_duplicate", "of": received.code}, "dirinya"),
        ("admin", received, {"action": "reply"}, "Isi balasan wajib"),
        ("kabid", verified, {"action": "dispatch"}, "«team» wajib"),
        ("kabid", verified, {"action": "dispatch", "team": 99999}, "Tim 99999 tidak dikenal"),
        ("kabid", verified, {"action": "dispatch", "team": "satu"}, "angka"),
        ("kabid", verified, {"action": "decline"}, "Alasan wajib"),
        ("trc", on_site, {"action": "complete", "outcome": "pembinaan"}, "Catatan tim wajib"),
        ("trc", on_site, {"action": "complete", "note": "ok"}, "«outcome» wajib"),
        ("trc", on_site, {"action": "complete", "note": "ok", "outcome": "dibakar"}, "dibakar"),
        (
            "trc",
            on_site,
            {"action": "complete", "note": "ok", "outcome": "pembinaan", "photos": [elsewhere]},
            "foto tidak ditemukan",
        ),
        (
            "trc",
            on_site,
            {"action": "complete", "note": "ok", "outcome": "pembinaan", "photos": "1"},
            "daftar",
        ),
        (
            "trc",
            on_site,
            {"action": "complete", "note": "ok", "outcome": "pembinaan", "citizen_photo": "x"},
            "angka",
        ),
        (
            "trc",
            on_site,
            {
                "action": "complete",
                "note": "ok",
                "outcome": "pembinaan",
                "photos": [],
                "citizen_photo": on_site_photo,
            },
            "salah satu foto laporan",
        ),
    ]
    for who, c, body, message in cases:
        before = state_of(c)
        response = api.act(who, c, body)
        assert response.status_code == 400, (body, response.content)
        assert message in response.json()["error"], (body, response.json())
        assert state_of(c) == before, body


def test_complete_sends_the_chosen_photo_to_the_citizen(api, drive):
    c = drive(S.ON_SITE)
    first, chosen = (Media.objects.get(pk=_photo(c)) for _ in range(2))
    body = {
        "action": "complete",
        "note": "Ditertibkan",
        "outcome": "penertiban",
        "photos": [first.pk, chosen.pk],
        "citizen_photo": chosen.pk,
    }
    response = api.act("trc", c, body)
    assert response.status_code == 200, response.content
    chosen.refresh_from_db()
    first.refresh_from_db()
    assert (chosen.for_citizen, first.for_citizen) == (True, False)
    assert response.json()["timeline"][-1]["kind"] == "complete"


def test_reply_reaches_the_reporter_without_changing_state(api, drive):
    from lalisa.notifications.models import Notification

    c = drive(S.VERIFIED)
    response = api.act("kabid", c, {"action": "reply", "text": "Tim segera ditugaskan"})
    assert response.status_code == 200
    assert response.json()["status"] == "verified"
    note = Notification.objects.filter(complaint=c, kind="staff_reply").get()
    assert note.to_reporter_id == c.reporter_id
    assert response.json()["timeline"][-1]["reason"] == "Tim segera ditugaskan"


# --- teams --------------------------------------------------------------------------------


def test_teams_for_staff_with_numbers_per_role(api, team_a, team_b, people):
    for who in ("admin", "kabid", "pimpinan", "trc", "trc_b"):
        response = api.get(who, "teams")
        assert response.status_code == 200, who
        teams = {t["name"]: t for t in response.json()["results"]}
        a, b = teams["TRC Paringin"], teams["TRC Halong"]
        assert a["id"] == team_a.pk
        assert a["post"] == {"name": "Pos Pasar Paringin", "lat": -2.333, "lng": 115.466}
        assert [k["name"] for k in a["kecamatan"]] == ["Paringin"]
        assert [m["username"] for m in a["members"]] == ["candra"]
        numbers = {
            "TRC Paringin": a["members"][0]["whatsapp"],
            "TRC Halong": b["members"][0]["whatsapp"],
        }
        if who == "trc":
            assert numbers == {"TRC Paringin": "+6281200000003", "TRC Halong": None}
        elif who == "trc_b":
            assert numbers == {"TRC Paringin": None, "TRC Halong": "+6281200000004"}
        else:
            assert numbers == {"TRC Paringin": "+6281200000003", "TRC Halong": "+6281200000004"}
    response = api.get("superadmin", "teams")
    assert response.status_code == 403
    assert "tim" in response.json()["error"]


# --- corrections (PATCH) ------------------------------------------------------------------


def test_admin_corrects_category_priority_location(api, drive, paringin):
    c = drive(S.VERIFIED)
    halong = Kecamatan.objects.get(name="Halong")
    desa = Desa.objects.filter(kecamatan=halong).first()
    response = api.patch(
        "admin",
        c,
        {
            "category": "miras",
            "priority": "urgent",
            "reason": "Ternyata pesta miras",
            "location": {"lat": -2.1, "lng": 115.58, "address": "Lapangan", "desa": desa.pk},
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["category"]["code"] == "miras" and body["priority"] == "urgent"
    assert body["location"] == {
        "lat": -2.1,
        "lng": 115.58,
        "address": "Lapangan",
        "withheld": False,
        "kecamatan": {"id": halong.pk, "name": "Halong"},
        "desa": {"id": desa.pk, "name": desa.name},
    }
    row = Complaint.objects.get(pk=c.pk)
    assert row.lat == Decimal("-2.100000") and row.kecamatan == halong
    event = row.events.order_by("-id").first()
    assert event.kind == "correct" and event.reason == "Ternyata pesta miras"
    assert set(event.data["changes"]) >= {"category", "priority", "kecamatan", "desa", "lat"}


def test_only_admin_corrects(api, drive):
    c = drive(S.DISPATCHED)
    for who, expected in [
        ("kabid", 403),
        ("pimpinan", 403),
        ("trc", 403),
        ("trc_b", 404),
        ("superadmin", 404),
    ]:
        before = state_of(c)
        response = api.patch(who, c, {"priority": "urgent"})
        assert response.status_code == expected, who
        assert state_of(c) == before
    assert Complaint.objects.get(pk=c.pk).priority == "normal"


def test_bad_corrections_are_400_and_closed_ones_409(api, drive, paringin):
    c = drive(S.RECEIVED)
    halong_desa = Desa.objects.filter(kecamatan__name="Halong").first()
    cases = [
        ({"category": "tidak-ada"}, "Kategori «tidak-ada» tidak dikenal"),
        ({"priority": "segera"}, "Prioritas"),
        ({"status": "closed"}, "Kolom tidak dikenal: status"),
        ({"location": {"lat": 95, "lng": 115}}, "rentang"),
        ({"location": {"lat": -2.1}}, "bersama"),
        ({"location": {"lat": "utara", "lng": 1}}, "angka"),
        ({"location": {"kecamatan": 99999}}, "Kecamatan 99999 tidak dikenal"),
        ({"location": {"kecamatan": paringin.pk, "desa": halong_desa.pk}}, "desa tidak berada"),
        ({"location": {"rt": "01"}}, "lokasi tidak dikenal"),
        ({}, "Tidak ada yang diubah"),
        ("salah", "JSON"),
    ]
    for body, message in cases:
        before = state_of(c)
        response = api.patch("admin", c, body)
        assert response.status_code == 400, (body, response.content)
        assert message in response.json()["error"], (body, response.json())
        assert state_of(c) == before
    closed = drive(S.CLOSED)
    response = api.patch("admin", closed, {"category": "tidak-ada"})
    assert response.status_code == 409
    assert "Ditutup" in response.json()["error"]


# --- media --------------------------------------------------------------------------------


def test_media_served_only_to_those_who_see_the_complaint(api, drive, private_media):
    c = drive(S.DISPATCHED)
    photo = Media(complaint=c, kind=Media.Kind.IMAGE, mime_type="image/jpeg", size=4)
    photo.file.save("lapak.jpg", ContentFile(files.JPEG))
    pending = Media.objects.create(complaint=c, kind=Media.Kind.IMAGE)  # not downloaded yet
    for who in ("admin", "kabid", "pimpinan", "trc"):
        response = api.get(who, f"media/{photo.pk}")
        assert response.status_code == 200, who
        assert response["Content-Type"] == "image/jpeg"
        assert b"".join(response.streaming_content) == files.JPEG
    for who in ("trc_b", "superadmin"):
        response = api.get(who, f"media/{photo.pk}")
        assert response.status_code == 404, who
        assert "Media" in response.json()["error"]
    assert api.get("admin", f"media/{pending.pk}").status_code == 404
    assert api.get("admin", "media/999999").status_code == 404
    assert api.get(None, f"media/{photo.pk}").status_code == 401
    # The URL in the detail is the one that serves it.
    [item] = [m for m in api.get("trc", f"complaints/{c.code}").json()["media"] if m["size"]]
    assert api.client.get(item["url"], **api._auth("trc")).status_code == 200


# --- the OpenAPI document -----------------------------------------------------------------


def test_openapi_lists_every_path_and_action(client):
    response = client.get("/api/v1/openapi.json")  # no token
    assert response.status_code == 200
    doc = response.json()
    assert doc["openapi"].startswith("3.1")
    routes = set()
    for pattern in api_urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        if pattern.name == "unknown":  # the JSON 404 for everything else
            continue
        route = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", str(pattern.pattern))
        routes.add("/" + route.replace("{pk}", "{id}"))
    assert routes == set(doc["paths"])
    methods = {path: set(ops) - {"parameters"} for path, ops in doc["paths"].items()}
    assert methods["/complaints/{code}"] == {"get", "patch"}
    assert methods["/complaints/{code}/actions"] == {"post"}
    schemas = doc["paths"]["/complaints/{code}/actions"]["post"]["requestBody"]["content"]
    names = {
        s["properties"]["action"]["const"] for s in schemas["application/json"]["schema"]["oneOf"]
    }
    assert names == set(ACTIONS)
