"""Open complaints near a new one: the same category, close by, received lately."""

import math
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from lalisa import geo
from lalisa.complaints.models import (
    OPEN_STATUSES,
    Complaint,
    Confidentiality,
    Reporter,
    Supporter,
)
from lalisa.regions.models import Kecamatan
from lalisa.service.models import ServiceProfile

# A pin farther than this from every kecamatan centre is outside the regency.
OUTSIDE_KM = 40


def distance_m(lat1, lng1, lat2, lng2) -> float:
    return geo.distance_km(lat1, lng1, lat2, lng2) * 1000


def similar(category_code: str, lat, lng, reporter: Reporter, now=None) -> Complaint | None:
    """The nearest open complaint of the category within the configured radius and hours
    that the citizen neither filed nor joined. Never a *rahasia* one (DESIGN.md)."""
    profile = ServiceProfile.get()
    radius = profile.duplicate_radius_m
    now = now or timezone.now()
    since = now - timedelta(hours=profile.duplicate_window_hours)
    dlat = radius / 111_320
    dlng = radius / (111_320 * max(math.cos(math.radians(float(lat))), 0.01))
    candidates = (
        Complaint.objects.filter(
            category__code=category_code,
            status__in=OPEN_STATUSES,
            received_at__gte=since,
            lat__range=(_dec(lat - dlat), _dec(lat + dlat)),
            lng__range=(_dec(lng - dlng), _dec(lng + dlng)),
        )
        .exclude(confidentiality=Confidentiality.RAHASIA)
        .exclude(reporter=reporter)
        .exclude(pk__in=Supporter.objects.filter(reporter=reporter).values("complaint_id"))
        .select_related("category", "kecamatan", "desa")
    )
    scored = [(distance_m(lat, lng, c.lat, c.lng), c) for c in candidates]
    scored = [(d, c) for d, c in scored if d <= radius]
    return min(scored, key=lambda pair: (pair[0], -pair[1].pk))[1] if scored else None


def area(complaint: Complaint) -> str:
    """Where, without anything personal: desa and kecamatan, never the typed address."""
    parts = []
    if complaint.desa_id:
        parts.append(complaint.desa.name)
    if complaint.kecamatan_id:
        parts.append(f"Kec. {complaint.kecamatan.name}")
    return ", ".join(parts) or "di sekitar lokasi Anda"


def kecamatan_at(lat, lng) -> tuple[Kecamatan | None, bool]:
    """(the kecamatan whose centre is nearest, whether the pin is inside the regency).
    Without any centre on record every pin counts as inside."""
    centres = [k for k in Kecamatan.objects.all() if k.lat is not None and k.lng is not None]
    if not centres:
        return None, True
    best = min(centres, key=lambda k: distance_m(lat, lng, k.lat, k.lng))
    inside = distance_m(lat, lng, best.lat, best.lng) <= OUTSIDE_KM * 1000
    return (best if inside else None), inside


def _dec(value: float) -> Decimal:
    return Decimal(str(round(value, 6)))
