"""The complaint map (/peta/ and its pins): who may see it, which pins, what a pin carries,
the kecamatan summary and the tile-server setting."""

import datetime as dt
import json
import re
from decimal import Decimal

import pytest
from django.contrib.staticfiles import finders
from django.utils import timezone

from lalisa import access
from lalisa.complaints import workflow
from lalisa.complaints.models import Category, Complaint, Confidentiality
from lalisa.regions.models import Kecamatan
from lalisa.reports import maps
from lalisa.timefmt import WITA

pytestmark = pytest.mark.django_db

TODAY = timezone.now().astimezone(WITA).date()
DAY = TODAY - dt.timedelta(days=5)
# The first and the last second of DAY, WITA.
DAY_START = dt.datetime.combine(DAY, dt.time(0, 0), WITA)
DAY_END = dt.datetime.combine(DAY, dt.time(23, 59, 59), WITA)


@pytest.fixture
def world(file, admin, other_citizen):
    """Complaints around DAY: two on it (one rahasia), one just before, one just after,
    one of another category, one without a map point, one in Halong."""
    halong = Kecamatan.objects.get(name="Halong")
    noise = Category.objects.get(code="kebisingan")
    made = {
        "first": file(received_at=DAY_START),
        "secret": file(
            received_at=DAY_START + dt.timedelta(hours=9),
            confidentiality=Confidentiality.RAHASIA,
            description="Rahasia: warung miras milik Haji Umar di belakang pasar",
        ),
        "before": file(received_at=DAY_START - dt.timedelta(seconds=1)),
        "after": file(received_at=DAY_END + dt.timedelta(seconds=1)),
        "noise": file(received_at=DAY_START + dt.timedelta(hours=20), category=noise),
        "nowhere": file(received_at=DAY_START + dt.timedelta(hours=3), lat=None, lng=None),
        "halong": file(
            actor=other_citizen,
            received_at=DAY_END,
            kecamatan=halong,
            lat=Decimal("-2.105000"),
            lng=Decimal("115.580000"),
        ),
    }
    workflow.verify(made["first"], actor=admin)
    return made


def pins(client, **params):
    response = client.get("/peta/titik.json", params)
    assert response.status_code == 200, response.status_code
    return response.json()


def codes(data) -> set[str]:
    return {row[0] for row in data["rows"]}


# --- who may ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/peta/", "/peta/titik.json"])
def test_anonymous_is_sent_to_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(f"/masuk/?next={path}")


@pytest.mark.parametrize("persona", ["trc", "superadmin"])
def test_roles_without_reports_are_refused(client, request, persona, world):
    client.force_login(request.getfixturevalue(persona))
    page = client.get("/peta/")
    assert page.status_code == 403
    assert "hanya untuk admin, Kabid, dan pimpinan" in page.content.decode()
    data = client.get("/peta/titik.json", {"dari": DAY.isoformat(), "sampai": DAY.isoformat()})
    assert data.status_code == 403
    assert "rows" not in data.json()


@pytest.mark.parametrize("persona", ["admin", "kabid", "pimpinan"])
def test_report_roles_get_the_map_and_pins(client, request, persona, world):
    client.force_login(request.getfixturevalue(persona))
    html = client.get("/peta/").content.decode()
    assert 'id="map"' in html and 'id="map-config"' in html
    data = pins(client, dari=DAY.isoformat(), sampai=DAY.isoformat())
    assert world["first"].code in codes(data)


# --- the pins ----------------------------------------------------------------------------


def test_pins_follow_the_period_in_wita_days(client, kabid, world):
    client.force_login(kabid)
    data = pins(client, dari=DAY.isoformat(), sampai=DAY.isoformat())
    # "nowhere" has no point: it is counted below, but no pin.
    assert codes(data) == {world[k].code for k in ("first", "secret", "noise", "halong")}
    assert data["count"] == 4 and data["truncated"] is False
    before = pins(client, dari=(DAY - dt.timedelta(days=1)).isoformat(), sampai=DAY.isoformat())
    assert world["before"].code in codes(before)
    assert world["after"].code not in codes(before)


def test_pins_follow_the_category(client, kabid, world):
    client.force_login(kabid)
    data = pins(client, dari=DAY.isoformat(), sampai=DAY.isoformat(), category="kebisingan")
    assert codes(data) == {world["noise"].code}
    assert set(data["categories"]) == {"kebisingan"}
    # An unknown category filters nothing out (as if none was chosen).
    assert (
        len(codes(pins(client, dari=DAY.isoformat(), sampai=DAY.isoformat(), category="x"))) == 4
    )


def test_a_pin_carries_only_code_place_status_category_and_time(client, admin, world):
    client.force_login(admin)  # the admin may see the rahasia reporter in the app
    data = pins(client, dari=DAY.isoformat(), sampai=DAY.isoformat())
    assert data["columns"] == ["code", "lat", "lng", "status", "category", "received"]
    row = next(r for r in data["rows"] if r[0] == world["first"].code)
    assert row[1:5] == [-2.3321, 115.4654, "verified", "pkl"]
    assert row[5] == DAY_START.strftime("%Y-%m-%d %H:%M")
    assert data["statuses"]["verified"] == "Diverifikasi"
    assert data["link"].replace("{code}", row[0]) == f"/aduan/{row[0]}/"
    text = json.dumps(data, ensure_ascii=False)
    for secret in ["Siti", "6281311112222", "ID.1410018717833190", "Haji Umar", "trotoar"]:
        assert secret not in text
    assert set(data) == {
        "period", "columns", "rows", "count", "truncated", "statuses", "categories", "link",
        "kecamatan", "total",
    }  # fmt: skip
    assert all(len(r) == 6 for r in data["rows"])


def test_pins_are_only_the_complaints_the_user_may_see(client, pimpinan, world, monkeypatch):
    allowed = {world["first"].code, world["halong"].code}

    def narrower(user, queryset=None):
        qs = Complaint.objects.all() if queryset is None else queryset
        return qs.filter(code__in=allowed)

    monkeypatch.setattr(access, "visible_complaints", narrower)
    client.force_login(pimpinan)
    data = pins(client, dari=DAY.isoformat(), sampai=DAY.isoformat())
    assert codes(data) == allowed
    assert data["total"] == 2


def test_kecamatan_summary_counts_the_period(client, kabid, world):
    client.force_login(kabid)
    data = pins(client, dari=DAY.isoformat(), sampai=DAY.isoformat())
    by_name = {k["name"]: k for k in data["kecamatan"]}
    assert set(by_name) == set(Kecamatan.objects.values_list("name", flat=True))
    # first, secret, noise, nowhere (no point, still in Paringin).
    assert by_name["Paringin"]["total"] == 4
    assert by_name["Halong"]["total"] == 1
    assert by_name["Juai"]["total"] == 0
    assert data["total"] == 5
    paringin = Kecamatan.objects.get(name="Paringin")
    assert by_name["Paringin"]["lat"] == float(paringin.lat)

    response = client.get("/peta/", {"dari": DAY.isoformat(), "sampai": DAY.isoformat()})
    areas = {a.name: a for a in response.context["areas"]}
    assert areas["Paringin"].total == 4 and areas["Paringin"].open == 4
    assert response.context["total"].total == 5
    assert response.context["without_point"] == 1
    assert "1 di antaranya tanpa titik lokasi" in response.content.decode()


def test_a_bad_date_falls_back_to_the_default_period(client, pimpinan):
    client.force_login(pimpinan)
    response = client.get("/peta/", {"dari": "kemarin"})
    assert response.status_code == 200
    assert "TTTT-BB-HH" in response.content.decode()
    period = response.context["period"]
    assert (period.first, period.last) == (TODAY - dt.timedelta(days=29), TODAY)


def test_many_pins_stay_compact(client, pimpinan, file):
    """A thousand pins: one query's worth of rows, well under 100 bytes each."""
    first = file(received_at=DAY_START)
    rows = []
    for i in range(1000):
        c = Complaint.objects.get(pk=first.pk)
        c.pk, c.code = None, f"LL-9901-{i:04d}"
        rows.append(c)
    Complaint.objects.bulk_create(rows)
    client.force_login(pimpinan)
    response = client.get("/peta/titik.json", {"dari": DAY.isoformat(), "sampai": DAY.isoformat()})
    assert response.json()["count"] == 1001
    assert len(response.content) < 1001 * 80


# --- the page: tiles, scripts, vendored files -----------------------------------------


def config(response) -> dict:
    found = re.search(
        r'<script id="map-config" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    return json.loads(found.group(1))


def img_src(response) -> list[str]:
    policy = response["Content-Security-Policy"]
    directive = next(d.strip() for d in policy.split(";") if d.strip().startswith("img-src"))
    return directive.split()[1:]


def test_default_tiles_are_openstreetmap_and_the_policy_admits_them(client, pimpinan):
    client.force_login(pimpinan)
    response = client.get("/peta/")
    data = config(response)
    assert data["tiles"] == "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    assert "OpenStreetMap" in data["attribution"]
    assert "https://tile.openstreetmap.org" in img_src(response)
    assert data["pins"].startswith("/peta/titik.json?dari=")


def test_empty_tiles_setting_means_no_tile_layer(client, pimpinan, settings):
    settings.LALISA_MAP_TILES = ""
    client.force_login(pimpinan)
    response = client.get("/peta/")
    data = config(response)
    assert data["tiles"] == "" and data["attribution"] == ""
    assert "https://tile.openstreetmap.org" not in img_src(response)
    # Without tiles the map is still placed on the regency.
    (south, west), (north, east) = data["bounds"]
    for lat, lng in Kecamatan.objects.values_list("lat", "lng"):
        assert south < float(lat) < north and west < float(lng) < east


def test_own_tile_server_is_used_and_admitted(client, pimpinan, settings):
    settings.LALISA_MAP_TILES = "https://peta.balangankab.go.id/tiles/{z}/{x}/{y}.png"
    settings.LALISA_MAP_ATTRIBUTION = "Peta Pemkab Balangan"
    client.force_login(pimpinan)
    response = client.get("/peta/")
    assert config(response)["tiles"] == settings.LALISA_MAP_TILES
    assert config(response)["attribution"] == "Peta Pemkab Balangan"
    assert "https://peta.balangankab.go.id" in img_src(response)
    assert "'self'" in img_src(response)


def test_tile_sources_for_the_policy():
    assert maps.tile_source("https://{s}.tile.example.org/{z}/{x}/{y}.png") == (
        "https://*.tile.example.org"
    )
    assert maps.tile_source("/tiles/{z}/{x}/{y}.png") == ""  # 'self' covers it
    assert maps.tile_source("") == ""


def test_page_has_no_inline_script_and_uses_the_vendored_leaflet(client, pimpinan):
    client.force_login(pimpinan)
    html = client.get("/peta/").content.decode()
    for tag in re.findall(r"<script[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    sources = re.findall(r'<script src="([^"]+)"', html)
    assert "/static/reports/leaflet/leaflet.js" in sources
    assert "/static/reports/leaflet/leaflet.markercluster.js" in sources
    assert not [s for s in sources if s.startswith("http")]
    for name in [
        "leaflet.js",
        "leaflet.css",
        "leaflet.markercluster.js",
        "MarkerCluster.css",
        "MarkerCluster.Default.css",
        "images/marker-icon.png",
        "LICENSE-leaflet.txt",
        "LICENSE-markercluster.txt",
    ]:
        assert finders.find(f"reports/leaflet/{name}"), name
    # The legend names every status in its colour.
    assert html.count('class="pin s-') == 11
