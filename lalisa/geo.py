"""Distances on the earth's surface, for posts, pins and kecamatan centres."""

import math

EARTH_RADIUS_KM = 6371.0


def distance_km(lat1, lng1, lat2, lng2) -> float:
    """Great-circle (haversine) distance between two points given in degrees."""
    p1, p2 = math.radians(float(lat1)), math.radians(float(lat2))
    dp, dl = p2 - p1, math.radians(float(lng2) - float(lng1))
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, a)))
