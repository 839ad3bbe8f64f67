"""The complaint map (/peta/): pins coloured by status and clustered, with a count per
kecamatan at its centre point. For the roles that read reports.

The pins carry no personal data at all (no reporter, no description): whatever the
complaint's confidentiality, a popup shows only code, status, category and time. A pin is a
place, to the metre: a *rahasia* complaint's is left off for whom lalisa.access withholds
its place (leadership), and the complaint is counted in its kecamatan like every other.
"""

from collections import Counter
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse

from lalisa import access
from lalisa.complaints.models import FINAL_STATUSES, Category, Status
from lalisa.regions.models import Kecamatan
from lalisa.reports import dayrange
from lalisa.timefmt import WITA
from lalisa.web.middleware import policy_for

# OpenStreetMap's own tile server; its usage policy asks for the attribution below.
OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = (
    '&copy; <a href="https://www.openstreetmap.org/copyright">kontributor OpenStreetMap</a>'
)
# A period's pins beyond this are left off (the newest are kept): the browser stays usable.
MAX_PINS = 20000
DEFAULT_PERIOD = dayrange.last_days(30)
# Around the kecamatan centre points, so that the regency's edges show too.
BOUNDS_MARGIN = 0.08
REFUSED = "Peta aduan hanya untuk admin, Kabid, dan pimpinan."

HANDLED = frozenset({Status.DONE, Status.CLOSED})


def tile_settings() -> tuple[str, str]:
    """(URL template, attribution) of the map's tile server; ("", "") for no tiles.

    Settings LALISA_MAP_TILES and LALISA_MAP_ATTRIBUTION; an empty URL means none (offline)."""
    url = settings.LALISA_MAP_TILES.strip()
    attribution = settings.LALISA_MAP_ATTRIBUTION
    if not attribution and url == OSM_TILES:
        attribution = OSM_ATTRIBUTION
    return url, (attribution.strip() if url else "")


def tile_source(url: str) -> str:
    """The CSP source that admits the tile URL's images ("" when 'self' already does)."""
    parts = urlsplit(url)
    if not parts.netloc or parts.scheme not in ("http", "https"):
        return ""
    host = parts.netloc
    if host.startswith("{s}."):
        host = "*." + host[4:]  # Leaflet's subdomains a, b, c
    if "{" in host:
        return ""
    return f"{parts.scheme}://{host}"


def with_image_source(policy: str, source: str) -> str:
    """The policy with `source` added to img-src (unless it is there already)."""
    out = []
    for directive in policy.split(";"):
        directive = directive.strip()
        if directive.startswith("img-src ") and source not in directive.split()[1:]:
            directive = f"{directive} {source}"
        out.append(directive)
    return "; ".join(out)


def _forbidden(request):
    return render(request, "web/forbidden.html", {"message": REFUSED}, status=403)


def _complaints(user, period: dayrange.DayRange, category: str):
    qs = access.visible_complaints(user).filter(
        received_at__gte=period.start, received_at__lt=period.end
    )
    if category:
        qs = qs.filter(category__code=category)
    return qs


def _category(params) -> str:
    code = params.get("category", "").strip()
    return code if code and Category.objects.filter(code=code).exists() else ""


@dataclass
class Area:
    """A kecamatan's count in the period, by stage."""

    name: str
    lat: float | None
    lng: float | None
    open: int = 0
    handled: int = 0
    stopped: int = 0

    @property
    def total(self) -> int:
        return self.open + self.handled + self.stopped

    def as_json(self) -> dict:
        return {
            "name": self.name,
            "lat": self.lat,
            "lng": self.lng,
            "total": self.total,
            "open": self.open,
            "handled": self.handled,
            "stopped": self.stopped,
        }


def kecamatan_summary(complaints) -> tuple[list[Area], Area]:
    """One row per kecamatan (all of them, zeros too), one for complaints without a
    kecamatan when there are any; and the total."""
    counts = complaints.order_by().values_list("kecamatan_id", "status").annotate(n=Count("pk"))
    areas = {
        k.pk: Area(
            k.name,
            float(k.lat) if k.lat is not None else None,
            float(k.lng) if k.lng is not None else None,
        )
        for k in Kecamatan.objects.order_by("name")
    }
    nowhere = Area("Tanpa kecamatan", None, None)
    total = Area("Jumlah", None, None)
    for kecamatan_id, status, n in counts:
        for area in (areas.get(kecamatan_id, nowhere), total):
            if status in HANDLED:
                area.handled += n
            elif status in FINAL_STATUSES:
                area.stopped += n
            else:
                area.open += n
    rows = list(areas.values()) + ([nowhere] if nowhere.total else [])
    return rows, total


def _bounds() -> list[list[float]] | None:
    """South-west and north-east corners around the kecamatan centres."""
    points = [
        (float(lat), float(lng))
        for lat, lng in Kecamatan.objects.exclude(lat=None)
        .exclude(lng=None)
        .values_list("lat", "lng")
    ]
    if not points:
        return None
    lats, lngs = [p[0] for p in points], [p[1] for p in points]
    m = BOUNDS_MARGIN
    return [[min(lats) - m, min(lngs) - m], [max(lats) + m, max(lngs) + m]]


@login_required
def map_page(request):
    user = request.user
    if not access.has_perm(user, "view_reports"):
        return _forbidden(request)
    period = dayrange.from_params(request.GET, DEFAULT_PERIOD)
    category = _category(request.GET)
    asked = request.GET.get("category", "").strip()
    complaints = _complaints(user, period, category)
    areas, total = kecamatan_summary(complaints)
    without_point = complaints.filter(Q(lat=None) | Q(lng=None)).count()
    withheld = (
        complaints.exclude(lat=None).exclude(lng=None).exclude(access.place_visible(user)).count()
    )
    query = {**period.params(), **({"category": category} if category else {})}
    tiles, attribution = tile_settings()
    config = {
        "pins": f"{reverse('reports:pins')}?{urlencode(query)}",
        "tiles": tiles,
        "attribution": attribution,
        "bounds": _bounds(),
        "statuses": {s.value: s.label for s in Status},
    }
    context = {
        "period": period,
        "category": category,
        "category_error": (
            f"Kategori «{asked[:30]}» tidak dikenal; semua kategori ditampilkan."
            if asked and not category
            else ""
        ),
        "categories": Category.objects.order_by("order", "name"),
        "areas": areas,
        "total": total,
        "without_point": without_point,
        "withheld": withheld,
        "statuses": list(Status),
        "config": config,
        "max_pins": MAX_PINS,
    }
    response = render(request, "reports/map.html", context)
    source = tile_source(tiles)
    if source:
        # The tile server is a setting: the page's policy admits exactly that host.
        response["Content-Security-Policy"] = with_image_source(policy_for(request.path), source)
    return response


def _pin_rows(complaints) -> tuple[list[list], bool]:
    rows = (
        complaints.exclude(lat=None)
        .exclude(lng=None)
        .order_by("-received_at", "-pk")
        .values_list("code", "lat", "lng", "status", "category__code", "received_at")
    )
    found = list(rows[: MAX_PINS + 1])
    cut = len(found) > MAX_PINS
    out = [
        [
            code,
            round(float(lat), 5),
            round(float(lng), 5),
            status,
            category,
            received.astimezone(WITA).strftime("%Y-%m-%d %H:%M"),
        ]
        for code, lat, lng, status, category, received in found[:MAX_PINS]
    ]
    return out, cut


@login_required
def pins(request):
    """The pins of a period (and category) as compact JSON: rows of
    [code, lat, lng, status, category, received (WITA, YYYY-MM-DD HH:MM)]."""
    user = request.user
    if not access.has_perm(user, "view_reports"):
        return JsonResponse({"error": REFUSED}, status=403)
    period = dayrange.from_params(request.GET, DEFAULT_PERIOD)
    category = _category(request.GET)
    complaints = _complaints(user, period, category)
    rows, cut = _pin_rows(complaints.filter(access.place_visible(user)))
    areas, total = kecamatan_summary(complaints)
    used = Counter(row[4] for row in rows)
    names = dict(Category.objects.filter(code__in=used).values_list("code", "name"))
    data = {
        "period": {**period.params(), "label": period.label},
        "columns": ["code", "lat", "lng", "status", "category", "received"],
        "rows": rows,
        "count": len(rows),
        "truncated": cut,
        "statuses": {s.value: s.label for s in Status},
        "categories": names,
        "link": reverse("web:complaint", args=["KODE"]).replace("KODE", "{code}"),
        "kecamatan": [a.as_json() for a in areas if a.lat is not None and a.lng is not None],
        "total": total.total,
    }
    return JsonResponse(data, json_dumps_params={"separators": (",", ":"), "ensure_ascii": False})
