"""Hostile input, everywhere: every filter of every page and every field of every API call,
with values an attacker (or a mangled link) sends, never gives a server error.

Pages ignore a filter value nobody could have picked and say so (the rest of the page still
serves); the API and the pages' JSON answer 400 with an Indonesian `error`; under /api/v1/
every answer is JSON, an unknown address too.
"""

import json
from decimal import Decimal

import pytest
from django.test import Client

from lalisa.accounts.models import ApiToken
from lalisa.api import views as api_views
from lalisa.api.limits import SEARCH_MAX_CHARS
from lalisa.complaints.models import Complaint, Status
from lalisa.regions.models import Desa, Kecamatan
from lalisa.reports import dayrange
from lalisa.web import nul
from lalisa.web import views as web_views
from lalisa.web.views import SEARCH_MAX_WORDS, SINCE_ERROR
from tests import test_access as shared

drive = shared.drive

pytestmark = pytest.mark.django_db

WORDS = " ".join(["kata"] * 1200)
# Query-string values: other Unicode digits, numbers int() or float() read but an id is not,
# huge numbers, empty and padded, dates and times out of range, markup, NUL, long text.
HOSTILE = [
    "²",
    "١٢",
    "𝟏",
    "1e5",
    "-1",
    "1.5",
    "1_0",
    str(10**30),
    "",
    " 1",
    "0",
    "NaN",
    "Infinity",
    "null",
    "[]",
    "\x00",
    "%",
    "' OR 1=1 --",
    "<script>x</script>",
    "0001-01-01",
    "9999-12-31",
    "2026-02-30",
    "20261130",
    "2026-W48-1",
    "2026-11-01T00:00:00+99:00",
    "9999-12-31T23:59:59-12:00",
    "0001-01-01T00:00:00+12:00",
    "x" * 5000,
    WORDS,
]
# For form fields (each refusal renders the complaint page again: fewer, the telling ones).
FORM_HOSTILE = [
    "²",
    "١٢",
    str(10**30),
    "",
    " 1",
    "-1",
    "1.5",
    "NaN",
    "Infinity",
    "\x00",
    "x" * 5000,
]
# JSON values for every field of a body: each type that is not the field's, and odd ones of
# its own type.
JSON_HOSTILE = [
    {},
    {"a": {"b": []}},
    [],
    [[]],
    None,
    True,
    0,
    -1,
    1.5,
    10**30,
    2**63,
    1e308,
    "",
    " ",
    "²",
    "NaN",
    "0001-01-01",
    "a\x00b",
    "x" * 5000,
]
# Words of Python's own messages: an `error` must be written for people, in Indonesian.
ENGLISH = (
    "invalid literal",
    "Traceback",
    "unhashable",
    "Expecting",
    "object has no",
    "Exceeds the limit",
    "out of range",
    "is not JSON",
)


def _is_file(path: str) -> bool:
    return path.startswith(("/api/v1/media/", "/api/v1/reports/monthly"))


class Verdict:
    """Collects every answer that breaks the rules, so one run lists them all."""

    def __init__(self):
        self.failures: list[str] = []

    def judge(self, response, what: str) -> None:
        path = response.wsgi_request.path
        status = response.status_code
        if status >= 500:
            self.failures.append(f"{status} {what}")
            return
        is_json = response.get("Content-Type", "").startswith("application/json")
        # A file (media, a monthly report) is the one answer of the API that is no JSON.
        if path.startswith("/api/v1/") and not is_json and not (status == 200 and _is_file(path)):
            self.failures.append(f"not JSON ({response['Content-Type']}) {what}")
            return
        if is_json and status >= 400:
            error = response.json().get("error")
            if not isinstance(error, str) or not error or any(w in error for w in ENGLISH):
                self.failures.append(f"unclear error {error!r} {what}")

    def check(self) -> None:
        assert not self.failures, "\n".join(self.failures[:60])


def _client(user=None) -> Client:
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


def _api(user) -> Client:
    return Client(
        raise_request_exception=False, HTTP_AUTHORIZATION=f"Bearer {ApiToken.issue(user)}"
    )


@pytest.fixture
def verdict():
    return Verdict()


# --- every filter of every page -------------------------------------------------------------

INBOX = [
    "status",
    "category",
    "kecamatan",
    "priority",
    "overdue",
    "team",
    "dari",
    "sampai",
    "q",
    "hari",
    "jam",
    "selesai",
    "hasil",
    "tercapai",
    "sla",
    "rating",
    "page",
]
PAGES = {
    "/": INBOX,
    "/aduan/baru.json": ["since"],
    "/dasbor/": ["periode", "dari", "sampai"],
    "/peta/": ["dari", "sampai", "category"],
    "/peta/titik.json": ["dari", "sampai", "category"],
    "/kinerja/": ["dari", "sampai", "sort", "format", "table"],
    "/laporan/": ["berkas"],
    "/tinjau/": ["x"],
    "/tugas/": ["x"],
    "/publik/": ["x"],
    "/publik/cek/": ["kode"],
    "/publik/privasi/": ["x"],
}


def test_no_page_filter_gives_a_server_error(verdict, drive, admin, trc):
    drive("dispatched")
    drive("received")
    # The admin opens every page; a TRC member's inbox and counts are filtered otherwise.
    for user, paths in ((admin, PAGES), (trc, ("/", "/aduan/baru.json", "/tugas/"))):
        client = _client(user)
        for path in paths:
            names = PAGES[path]
            for name in names:
                for value in HOSTILE:
                    response = client.get(path, {name: value})
                    verdict.judge(response, f"{user.username} GET {path}?{name}={value[:40]!r}")
        # Several at once, as a hand-made link has them.
        response = client.get("/", {name: "²" for name in INBOX})
        verdict.judge(response, f"{user.username} GET / with every filter ²")
    verdict.check()


def test_no_page_address_gives_a_server_error(verdict, drive, admin):
    c = drive("received")
    client = _client(admin)
    paths = [
        f"/aduan/{c.code}x/",
        "/aduan/%00/",
        "/aduan/²/",
        f"/aduan/{c.code}/media/99999999999999999999999",
        f"/aduan/{c.code}/media/abc",
        "/laporan/berkas/99999999999999999999999/status.json",
        "/laporan/berkas/99999999999999999999999/unduh",
        "/aduan/?page=%ED%A0%80",  # a lone surrogate, percent-encoded
        "/?q=%ED%A0%80&kecamatan=%FF",
    ]
    for path in paths:
        verdict.judge(client.get(path), f"GET {path}")
    verdict.check()


# --- every field of every form --------------------------------------------------------------

# (step, the state it is taken from, by whom, what else it needs)
STEPS = [
    ("verify", "received", "admin", {}),
    ("request_info", "received", "admin", {"question": "Di mana?"}),
    ("reject", "received", "admin", {"reason": "Bukan pelanggaran"}),
    ("refer", "received", "admin", {"agency": "Dinas Perhubungan"}),
    ("mark_duplicate", "received", "admin", {}),
    ("dispatch", "verified", "kabid", {}),
    ("decline", "verified", "kabid", {"reason": "Sudah tertib"}),
    ("accept", "dispatched", "trc", {}),
    ("arrive", "accepted", "trc", {}),
    ("complete", "on_site", "trc", {"note": "Ditegur", "outcome": "teguran_lisan"}),
    ("close", "done", "admin", {}),
]
# What each step reads from its body or form.
FIELDS = {
    "verify": ["reason"],
    "request_info": ["question"],
    "reject": ["reason", "reason_code"],
    "refer": ["agency", "reason"],
    "mark_duplicate": ["of", "reason"],
    "dispatch": ["team", "reason"],
    "decline": ["reason"],
    "accept": ["reason"],
    "arrive": ["reason"],
    "complete": ["note", "outcome", "photos", "citizen_photo"],
    "close": ["reason"],
}
CORRECTION_FIELDS = ["category", "priority", "kecamatan", "desa", "address", "lat", "lng"]


@pytest.fixture
def people(admin, kabid, trc):
    return {"admin": admin, "kabid": kabid, "trc": trc}


class Fresh:
    """A complaint in `state`, made again once a request has moved it on."""

    def __init__(self, drive, state):
        self.drive, self.state, self.complaint = drive, state, drive(state)

    def get(self) -> Complaint:
        if Complaint.objects.get(pk=self.complaint.pk).status != self.state:
            self.complaint = self.drive(self.state)
        return self.complaint


def test_no_api_step_body_gives_a_server_error(verdict, drive, people, team_b):
    original = drive("received")
    for step, state, who, needs in STEPS:
        api, fresh = _api(people[who]), Fresh(drive, state)
        base = {**needs, "action": step}
        if step == "mark_duplicate":
            base["of"] = original.code
        if step == "dispatch":
            base["team"] = team_b.pk
        for field in ["action", *FIELDS[step]]:
            for value in JSON_HOSTILE:
                c = fresh.get()
                body = json.dumps({**base, field: value})
                response = api.post(
                    f"/api/v1/complaints/{c.code}/actions", body, content_type="application/json"
                )
                verdict.judge(response, f"{step} {field}={value!r:.40}")
    verdict.check()


def test_no_api_correction_gives_a_server_error(verdict, drive, admin):
    api, fresh = _api(admin), Fresh(drive, "verified")
    bodies = [
        {name: value} for name in ("category", "priority", "reason") for value in JSON_HOSTILE
    ]
    bodies += [{"location": value} for value in JSON_HOSTILE]
    bodies += [
        {"location": {name: value}}
        for name in ("address", "kecamatan", "desa")
        for value in JSON_HOSTILE
    ]
    bodies += [{"location": {"lat": value, "lng": value}} for value in JSON_HOSTILE]
    bodies += [{"location": {"lat": value, "lng": 115.4}} for value in (-91, 91, 90.0000001)]
    bodies += [{"location": {"lat": -2.3, "lng": value}} for value in (-181, 181, -180.5)]
    for body in bodies:
        c = fresh.get()
        response = api.patch(
            f"/api/v1/complaints/{c.code}", json.dumps(body), content_type="application/json"
        )
        verdict.judge(response, f"PATCH {body!r:.80}")
    verdict.check()


def test_no_api_body_shape_gives_a_server_error(verdict, drive, admin):
    c = drive("received")
    api = _api(admin)
    raw = [
        b"[" * 100_000 + b"]" * 100_000,  # deeper than Python's recursion limit
        b'{"action": NaN}',
        b'{"action": "verify", "reason": Infinity}',
        b'{"location": {"lat": NaN, "lng": 1}}',
        b'{"location": {"lat": 1e309, "lng": -1e309}}',
        b'{"team": ' + b"9" * 5000 + b"}",  # more digits than Python reads
        b"\xff\xfe",
        b'"\\ud800"',
        b"",
        b"null",
    ]
    for body in raw:
        for method, path in (
            ("POST", f"/api/v1/complaints/{c.code}/actions"),
            ("PATCH", f"/api/v1/complaints/{c.code}"),
        ):
            response = api.generic(method, path, body, content_type="application/json")
            verdict.judge(response, f"{method} {path} {body[:40]!r}")
    verdict.check()


def test_no_api_query_gives_a_server_error(verdict, drive, admin, trc, pimpinan):
    drive("dispatched")
    for user in (admin, trc):
        api = _api(user)
        for name in ("status", "category", "kecamatan", "team", "overdue", "q", "page"):
            for value in HOSTILE:
                response = api.get("/api/v1/complaints", {name: value})
                verdict.judge(response, f"{user.username} complaints?{name}={value[:40]!r}")
    api = _api(pimpinan)
    for name in ("year", "month", "format"):
        for value in [v for v in HOSTILE if len(v) < 100]:  # each good one builds a report
            params = {"year": "2020", "month": "1", "format": "csv", name: value}
            verdict.judge(api.get("/api/v1/reports/monthly", params), f"monthly {name}={value!r}")
    verdict.check()


def test_no_web_form_field_gives_a_server_error(verdict, drive, people, team_b, media):
    original = drive("received")
    for step, state, who, needs in STEPS:
        client, fresh = _client(people[who]), Fresh(drive, state)
        base = dict(needs)
        if step == "mark_duplicate":
            base["of"] = original.code
        if step == "dispatch":
            base["team"] = str(team_b.pk)
        for field in FIELDS[step]:
            for value in FORM_HOSTILE:
                c = fresh.get()
                response = client.post(f"/aduan/{c.code}/langkah/{step}/", {**base, field: value})
                verdict.judge(response, f"form {step} {field}={value[:40]!r}")
    client, fresh = _client(people["admin"]), Fresh(drive, "verified")
    for field in CORRECTION_FIELDS:
        for value in FORM_HOSTILE:
            c = fresh.get()
            response = client.post(f"/aduan/{c.code}/langkah/correct/", {field: value})
            verdict.judge(response, f"form correct {field}={value[:40]!r}")
    for field in ("year", "month", "format"):
        for value in FORM_HOSTILE:
            form = {"year": "2026", "month": "1", "format": "pdf", field: value}
            verdict.judge(client.post("/laporan/", form), f"form laporan {field}={value!r}")
    filing = {
        "source": "telepon",
        "category": "pkl",
        "description": "PKL di trotoar",
        "kecamatan": str(Kecamatan.objects.first().pk),
        "confidentiality": "biasa",
    }
    names = [*filing, "name", "whatsapp", "desa", "address", "lat", "lng", "priority"]
    for field in names:
        for value in FORM_HOSTILE:
            response = client.post("/aduan/catat/", {**filing, field: value})
            verdict.judge(response, f"form catat {field}={value[:40]!r}")
    verdict.check()


# --- what each refusal says -------------------------------------------------------------------

ODD_DIGITS = ["²", "١٢", "𝟏", "1e5", "-1", "1.5", "1_0", str(10**30)]


def test_the_inbox_ignores_a_filter_nobody_could_pick_and_says_so(drive, admin, team_a):
    mine = drive("dispatched")
    other = drive("received")
    client = _client(admin)
    for name in ("kecamatan", "team"):
        for value in ODD_DIGITS:
            response = client.get("/", {name: value, "status": "dispatched"})
            assert response.status_code == 200, (name, value)
            html = response.content.decode()
            assert f"Filter tidak dikenal diabaikan: {name} «{value[:30]}»" in html, (name, value)
            # The other filters still apply.
            assert mine.code in html and other.code not in html
    response = client.get("/", {"team": str(team_a.pk), "status": "bogus"})
    html = response.content.decode()
    assert "status «bogus»" in html and mine.code in html and other.code not in html


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0001-01-01", dayrange.OUT_OF_RANGE),
        ("9999-12-31", dayrange.OUT_OF_RANGE),
        ("1999-12-31", dayrange.OUT_OF_RANGE),
        ("2100-01-01", dayrange.OUT_OF_RANGE),
        ("2026-02-30", dayrange.FORMAT),
        ("2026-W48-1", dayrange.FORMAT),
        ("20261130", dayrange.FORMAT),
        ("²⁰²⁶-11-30", dayrange.FORMAT),
    ],
)
def test_dates_out_of_range_are_said_on_every_page(drive, admin, value, message):
    c = drive("received")
    client = _client(admin)
    for name in ("dari", "sampai"):
        response = client.get("/", {name: value})
        assert response.status_code == 200
        html = response.content.decode()
        assert f"Filter «{name}» diabaikan: {message}" in html
        assert c.code in html
        for path in ("/dasbor/", "/peta/", "/kinerja/"):
            response = client.get(path, {name: value})
            assert response.status_code == 200, (path, name, value)
            assert f"{message} {dayrange.DEFAULT_SHOWN}" in response.content.decode(), path
            # The default period is shown instead.
            assert response.context["period"].first >= dayrange.FIRST_DAY
        data = client.get("/peta/titik.json", {name: value}).json()
        assert data["count"] == 1  # the default period's pins


def test_the_widest_period_is_answered(drive, admin):
    drive("received")
    client = _client(admin)
    wide = {"dari": dayrange.FIRST_DAY.isoformat(), "sampai": dayrange.LAST_DAY.isoformat()}
    for path in ("/", "/dasbor/", "/peta/", "/peta/titik.json", "/kinerja/"):
        response = client.get(path, wide)
        assert response.status_code == 200, path


@pytest.mark.parametrize(
    "since",
    [
        "2026-11-01T00:00:00+99:00",
        "2026-11-01T00:00:00-24:00",
        "2026-13-01T00:00:00",
        "0001-01-01T00:00:00",
        "0001-01-01T00:00:00+12:00",
        "9999-12-31T23:59:59-12:00",
        "1999-12-31T23:59:59+08:00",
        "kemarin",
        "",
    ],
)
def test_new_items_refuses_a_time_out_of_range(admin, since):
    response = _client(admin).get("/aduan/baru.json", {"since": since})
    assert response.status_code == 400
    assert response.json() == {"error": SINCE_ERROR}


def test_a_long_search_reads_the_first_words_and_says_so(file, admin):
    found = file(description="PKL berjualan di trotoar depan Pasar Paringin")
    client = _client(admin)
    for q in ("x" * 5000, WORDS, " ".join(["pasar"] * 1200)):
        response = client.get("/", {"q": q})
        assert response.status_code == 200
        assert f"hanya {SEARCH_MAX_WORDS} kata pertama" in response.content.decode()
    # The first ten words are searched.
    assert found.code in response.content.decode()
    # Ten words are searched as they are, without a notice.
    response = client.get("/", {"q": " ".join(["pasar"] * SEARCH_MAX_WORDS)})
    assert "kata pertama" not in response.content.decode()


def test_the_api_refuses_a_long_search(admin):
    api = _api(admin)
    for q in (WORDS, "x" * (SEARCH_MAX_CHARS + 1)):
        response = api.get("/api/v1/complaints", {"q": q})
        assert response.status_code == 400
        assert response.json()["error"] == "Parameter «q» paling panjang 200 karakter."
    assert api.get("/api/v1/complaints", {"q": "x" * SEARCH_MAX_CHARS}).status_code == 200


@pytest.mark.parametrize("value", ODD_DIGITS)
def test_the_api_refuses_odd_numbers_as_ids(admin, value):
    api = _api(admin)
    response = api.get("/api/v1/complaints", {"kecamatan": value})
    assert response.status_code == 400
    error = response.json()["error"]
    assert "tidak dikenal" in error or "terlalu besar" in error
    for name in ("team", "page"):
        response = api.get("/api/v1/complaints", {name: value})
        assert response.status_code == 400, name
        assert response.json()["error"] in (
            f"Parameter «{name}» harus berupa angka bulat.",
            f"Parameter «{name}» terlalu besar.",
        )


@pytest.mark.parametrize("action", [{}, [], [[]], {"verify": True}, 1, None, True])
def test_an_action_that_is_no_text_is_refused(drive, admin, action):
    c = drive("received")
    response = _api(admin).post(
        f"/api/v1/complaints/{c.code}/actions",
        json.dumps({"action": action}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["error"].startswith("Aksi tidak dikenal. Pilihan: verify")
    assert Complaint.objects.get(pk=c.pk).status == Status.RECEIVED


@pytest.mark.parametrize(
    ("step", "state", "who", "body", "message"),
    [
        ("verify", "received", "admin", {"reason": None}, "Kolom «reason» harus berupa teks."),
        ("verify", "received", "admin", {"reason": 5}, "Kolom «reason» harus berupa teks."),
        ("reject", "received", "admin", {"reason": None}, "Kolom «reason» harus berupa teks."),
        ("reject", "received", "admin", {"reason": ["a"]}, "Kolom «reason» harus berupa teks."),
        ("dispatch", "verified", "kabid", {"team": "1"}, "«team» harus berupa angka bulat."),
        ("dispatch", "verified", "kabid", {"team": True}, "«team» harus berupa angka bulat."),
        ("dispatch", "verified", "kabid", {"team": 1.0}, "«team» harus berupa angka bulat."),
        ("dispatch", "verified", "kabid", {"team": 2**63}, "«team» terlalu besar."),
        (
            "complete",
            "on_site",
            "trc",
            {"note": "x", "outcome": "teguran_lisan", "photos": None},
            "«photos» harus berupa daftar id media.",
        ),
        (
            "complete",
            "on_site",
            "trc",
            {"note": "x", "outcome": "teguran_lisan", "photos": ["1"]},
            "Id foto harus berupa angka bulat.",
        ),
        (
            "complete",
            "on_site",
            "trc",
            {"note": "x", "outcome": "teguran_lisan", "citizen_photo": None},
            "«citizen_photo» harus berupa angka bulat.",
        ),
    ],
)
def test_a_field_of_another_type_than_documented_is_refused(
    drive, people, step, state, who, body, message
):
    """null, text for a number, a number for text: what the document forbids is refused."""
    c = drive(state)
    response = _api(people[who]).post(
        f"/api/v1/complaints/{c.code}/actions",
        json.dumps({"action": step, **body}),
        content_type="application/json",
    )
    assert response.status_code == 400, response.content
    assert response.json()["error"] == message
    assert Complaint.objects.get(pk=c.pk).status == state


@pytest.mark.parametrize(
    ("location", "message"),
    [
        ({"lat": "NaN", "lng": "NaN"}, "«lat» harus berupa angka."),
        ({"lat": "Infinity", "lng": 1}, "«lat» harus berupa angka."),
        ({"lat": "-2.1", "lng": 115.5}, "«lat» harus berupa angka."),
        ({"lat": True, "lng": 115.5}, "«lat» harus berupa angka."),
        ({"lat": -2.1, "lng": "1e309"}, "«lng» harus berupa angka."),
        ({"lat": -91, "lng": 115.5}, "«lat» di luar rentang ±90."),
        ({"lat": -2.1, "lng": 181}, "«lng» di luar rentang ±180."),
        ({"kecamatan": None}, "«kecamatan» harus berupa angka bulat."),
        ({"kecamatan": "1"}, "«kecamatan» harus berupa angka bulat."),
        ({"desa": "1"}, "«desa» harus berupa angka bulat."),
    ],
)
def test_a_correction_with_no_number_is_refused(drive, admin, location, message):
    c = drive("verified")
    before = Complaint.objects.get(pk=c.pk)
    response = _api(admin).patch(
        f"/api/v1/complaints/{c.code}",
        json.dumps({"location": location}),
        content_type="application/json",
    )
    assert response.status_code == 400, response.content
    assert response.json()["error"] == message
    after = Complaint.objects.get(pk=c.pk)
    assert (after.lat, after.lng, after.kecamatan_id) == (
        before.lat,
        before.lng,
        before.kecamatan_id,
    )


def test_a_nul_character_is_refused_at_the_door(drive, admin):
    """PostgreSQL can neither compare nor store text with NUL: no such request gets in."""
    c = drive("received")
    client, api = _client(admin), _api(admin)
    for response in (
        client.get("/", {"q": "a\x00b"}),
        client.get("/", {"category": "\x00"}),
        client.get("/aduan/%00/"),
        client.get("/publik/cek/", {"kode": "LL\x00"}),
        client.post(f"/aduan/{c.code}/langkah/refer/", {"agency": "Dis\x00hub"}),
        client.post("/masuk/", {"username": "a\x00", "password": "x"}),
    ):
        assert response.status_code == 400
        assert response.content.decode() == nul.MESSAGE
    for response in (
        api.get("/api/v1/complaints", {"kecamatan": "\x00"}),
        api.get(f"/api/v1/complaints/{c.code}\x00"),
    ):
        assert response.status_code == 400
        assert response.json() == {"error": nul.MESSAGE}
    for body in ({"action": "refer", "agency": "a\x00"}, {"action": "verify", "x\x00": 1}):
        response = api.post(
            f"/api/v1/complaints/{c.code}/actions",
            json.dumps(body),
            content_type="application/json",
        )
        assert response.status_code == 400
        assert response.json() == {"error": "Isi permintaan memuat karakter NUL."}
    assert Complaint.objects.get(pk=c.pk).status == Status.RECEIVED


def test_text_longer_than_its_column_is_refused(drive, admin):
    c = drive("received")
    api = _api(admin)
    response = api.post(
        f"/api/v1/complaints/{c.code}/actions",
        json.dumps({"action": "refer", "agency": "x" * 201}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["error"] == "Kolom «agency» paling panjang 200 karakter."
    response = api.patch(
        f"/api/v1/complaints/{c.code}",
        json.dumps({"location": {"address": "x" * 301}}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["error"] == "«address» paling panjang 300 karakter."
    response = _client(admin).post(f"/aduan/{c.code}/langkah/refer/", {"agency": "x" * 201})
    assert response.status_code == 400
    assert Complaint.objects.get(pk=c.pk).status == Status.RECEIVED


@pytest.mark.parametrize(
    "raw",
    [b'{"location": {"lat": NaN, "lng": 1}}', b'{"location": {"lat": 1e309, "lng": 1}}'],
)
def test_nan_and_infinity_in_the_json_text_are_refused(drive, admin, raw):
    c = drive("verified")
    response = _api(admin).patch(
        f"/api/v1/complaints/{c.code}", raw, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"] in (
        "Isi permintaan bukan JSON yang sah.",
        "«lat» harus berupa angka.",
    )


def test_reason_null_in_a_correction_is_refused(drive, admin):
    c = drive("verified")
    response = _api(admin).patch(
        f"/api/v1/complaints/{c.code}",
        json.dumps({"priority": "urgent", "reason": None}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["error"] == "Kolom «reason» harus berupa teks."
    assert Complaint.objects.get(pk=c.pk).priority == "normal"


def test_a_body_too_deep_or_too_large_is_refused(drive, admin, settings):
    c = drive("received")
    api = _api(admin)
    url = f"/api/v1/complaints/{c.code}/actions"
    deep = b"[" * 100_000 + b"]" * 100_000
    response = api.post(url, deep, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"] == "Isi permintaan bukan JSON yang sah."
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    response = api.post(
        url, json.dumps({"action": "verify", "reason": "x" * 200}), content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"] == "Isi permintaan terlalu besar."


def test_every_api_address_answers_json(drive, admin):
    c = drive("received")
    api = _api(admin)
    paths = [
        "nope",
        "media/abc",
        "media/null,null",
        "media/-1",
        f"complaints/{c.code}/actions/more",
        "complaints/",
        "",
        "teams/",
        "OPENAPI.JSON",
    ]
    for path in paths:
        for method in ("get", "post", "delete"):
            response = getattr(api, method)(f"/api/v1/{path}")
            assert response.status_code == 404, (method, path)
            assert response["Content-Type"] == "application/json", (method, path)
            assert response.json()["error"].startswith("Alamat API tidak dikenal."), path
        # Without a token: refused first for that, as everywhere in the API.
        response = Client().get(f"/api/v1/{path}")
        assert response.status_code == 401 and response.json()["error"].startswith("Token")


def test_a_server_error_under_the_api_is_json_too(admin, monkeypatch):
    # Whatever slips through, a program reading the API still gets JSON (not Django's page).
    def broken(*args, **kwargs):
        raise RuntimeError("rusak")

    monkeypatch.setattr(api_views, "_filter", broken)
    response = _api(admin).get("/api/v1/complaints")
    assert response.status_code == 500 and response["Content-Type"] == "application/json"
    assert response.json()["error"].startswith("Terjadi kesalahan di server")
    assert "rusak" not in response.content.decode()
    # A page's server error stays a page.
    monkeypatch.setattr(web_views, "_filter", broken)
    client = Client(raise_request_exception=False)
    client.force_login(admin)
    page = client.get("/")
    assert page.status_code == 500 and "application/json" not in page["Content-Type"]


# --- the document says what the API takes -----------------------------------------------------


def _parameter(doc, path, name):
    [found] = [p for p in doc["paths"][path]["get"]["parameters"] if p["name"] == name]
    return found["schema"]


def test_the_document_lists_the_ids_and_codes_the_api_takes(drive, admin, team_a, team_b):
    drive("dispatched")
    doc = Client().get("/api/v1/openapi.json").json()
    api = _api(admin)
    team = _parameter(doc, "/complaints", "team")["anyOf"][0]
    assert team == {"enum": sorted([team_a.pk, team_b.pk])}  # 0 is no team: not allowed
    for pk in team["enum"]:
        assert api.get("/api/v1/complaints", {"team": pk}).status_code == 200
    assert api.get("/api/v1/complaints", {"team": 0}).status_code == 400
    kecamatan = _parameter(doc, "/complaints", "kecamatan")["anyOf"][0]["anyOf"]
    ids, names = kecamatan[0]["enum"], kecamatan[1]["enum"]
    assert ids == list(Kecamatan.objects.order_by("pk").values_list("pk", flat=True))
    for value in [*ids, *names, ""]:
        assert api.get("/api/v1/complaints", {"kecamatan": value}).status_code == 200, value
    year = _parameter(doc, "/reports/monthly", "year")
    assert year["minimum"] == 2000  # year=0 is refused, and the document says so
    body = doc["paths"]["/complaints/{code}"]["patch"]["requestBody"]["content"]
    correction = body["application/json"]["schema"]
    assert correction["additionalProperties"] is False
    # Text, never null; never NUL either.
    assert correction["properties"]["reason"] == {"type": "string", "pattern": r"^[^\x00]*$"}
    desa = correction["properties"]["location"]["properties"]["desa"]["anyOf"][0]["enum"]
    assert len(desa) == Desa.objects.count()


def test_the_staff_forms_still_send_numbers_as_text(drive, admin, kabid, team_b):
    """The forms post text; the pages turn ids and coordinates into the API's numbers."""
    c = drive("verified")
    client = _client(admin)
    response = client.post(
        f"/aduan/{c.code}/langkah/correct/", {"lat": "-2,3", "lng": "115,4", "reason": "Titik"}
    )
    assert response.status_code == 302
    row = Complaint.objects.get(pk=c.pk)
    assert (row.lat, row.lng) == (Decimal("-2.300000"), Decimal("115.400000"))
    for lat in ("NaN", "utara", "Infinity", "²"):
        response = client.post(f"/aduan/{c.code}/langkah/correct/", {"lat": lat, "lng": "1"})
        assert response.status_code == 400
        assert "«lat» harus berupa angka." in response.content.decode()
    response = _client(kabid).post(f"/aduan/{c.code}/langkah/dispatch/", {"team": "²"})
    assert response.status_code == 400
    assert "«team» harus berupa angka bulat." in response.content.decode()
    response = _client(kabid).post(f"/aduan/{c.code}/langkah/dispatch/", {"team": str(team_b.pk)})
    assert response.status_code == 302
    assert Complaint.objects.get(pk=c.pk).status == Status.DISPATCHED
