"""Load the shipped Kemendagri reference data (data/wilayah.csv) into the database."""

import csv
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "wilayah.csv"


def load_regions(kecamatan_model, desa_model) -> tuple[int, int]:
    """Idempotent: adds what is missing and renames; keeps centres the superadmin corrected."""
    with open(DATA, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    kecamatan = {}
    for row in rows:
        if row["kind"] != "kecamatan":
            continue
        obj, created = kecamatan_model.objects.get_or_create(
            code=row["code"],
            defaults={"name": row["name"], "lat": row["lat"] or None, "lng": row["lng"] or None},
        )
        if not created and obj.name != row["name"]:
            obj.name = row["name"]
            obj.save(update_fields=["name"])
        kecamatan[row["code"]] = obj
    desa = 0
    for row in rows:
        if row["kind"] == "kecamatan":
            continue
        parent = kecamatan[row["code"].rsplit(".", 1)[0]]
        desa_model.objects.update_or_create(
            code=row["code"],
            defaults={"name": row["name"], "kind": row["kind"], "kecamatan": parent},
        )
        desa += 1
    return len(kecamatan), desa
