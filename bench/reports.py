"""How fast the dashboard and the monthly report are with 10,000 and 200,000 complaints.

    python bench/reports.py                          # 10,000 and 200,000; SQLite and PostgreSQL
    python bench/reports.py --sizes 10000 --backends sqlite
    python bench/reports.py --check                  # exit 1 when a target is missed

For each backend and size, a child process gets its own database (a temporary SQLite file, or
a PostgreSQL database created here and dropped afterwards) and migrates it. The SQLite child
seeds the complaints over 24 months (lalisa.complaints.seed, fixed seed and "now"; about
2 ms a complaint); the PostgreSQL child gets the very same rows by COPY from that SQLite
file (the ids of users, teams and reference rows are checked to match first). Then, one
child at a time, each builds the summary tables and times, for the last full month and the
last 12 full months:

- `figures.summary()` (the first call, then the median of REPEAT calls),
- the dashboard page through Django's test client, logged in as the pimpinan,
- the monthly report of the last full month: `month_report()` and its PDF made, when the
  lalisa.monthly modules are there, and the PDF from the API (the first request makes and
  keeps it; the median is of the requests served the kept file, as the worker keeps it),
- summary() right after one complaint changed (the refresh it does first).

Targets: the dashboard under 300 ms at 200,000 complaints; no time grows more than 3x from
10,000 to 200,000.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOW = "2026-11-20T10:00:00+08:00"  # the seed's "now": last full month is October 2026
MONTH = (2026, 10)
YEAR = ("2025-11-01", "2026-10-31")
SEED = 2026
REPEAT = 7
DASHBOARD_TARGET = 0.300  # seconds, at the largest size
GROWTH_TARGET = 3.0
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")


# --- the child: one backend, one size ----------------------------------------------------


def _timed(fn, repeat: int = REPEAT) -> dict:
    started = time.perf_counter()
    fn()
    first = time.perf_counter() - started
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - started)
    return {"first": first, "median": statistics.median(runs), "max": max(runs)}


def child(size: int, source: str) -> dict:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lalisa.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from lalisa.accounts.models import User
    from lalisa.complaints import demo, workflow
    from lalisa.complaints import seed as seeding
    from lalisa.complaints.models import Complaint, Status
    from lalisa.reports import figures, summary

    out: dict = {"size": size}
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    demo.ensure_staff("bench-password-123")
    out["migrate"] = time.perf_counter() - started

    if source == "seed":
        started = time.perf_counter()
        seeding.seed(size, months=24, seed=SEED, now=dt.datetime.fromisoformat(NOW))
        out["seed"] = time.perf_counter() - started
    else:
        print("WAITING", flush=True)
        path = sys.stdin.readline().strip()
        started = time.perf_counter()
        out["copied_rows"] = copy_seeded(path)
        out["copy"] = time.perf_counter() - started
    if connection.vendor == "postgresql":
        # What autovacuum does soon after a bulk load: the planner's statistics.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    # What follows runs with no other benchmark process busy: wait for the word.
    print("READY", flush=True)
    sys.stdin.readline()

    started = time.perf_counter()
    summary.rebuild()
    out["build"] = time.perf_counter() - started
    out["tally_rows"] = summary.Tally.objects.count()
    out["duration_rows"] = summary.DurationCount.objects.count()

    month_first = dt.date(*MONTH, 1)
    month_last = summary.next_month(month_first) - dt.timedelta(days=1)
    periods = {
        "month": (month_first, month_last),
        "year": tuple(dt.date.fromisoformat(d) for d in YEAR),
    }
    client = Client()
    client.force_login(User.objects.get(username="demo-pimpinan"))
    for name, (first, last) in periods.items():
        out[f"summary_{name}"] = _timed(lambda f=first, t=last: figures.summary(f, t))
        out[f"received_{name}"] = figures.summary(first, last).received

        def page(f=first, t=last):
            response = client.get("/dasbor/", {"dari": f.isoformat(), "sampai": t.isoformat()})
            assert response.status_code == 200, response.status_code

        out[f"page_{name}"] = _timed(page)

    # One change, then the figures: the refresh summary() does first, plus the reading.
    admin = User.objects.get(username="demo-admin")
    waiting = list(Complaint.objects.filter(status=Status.RECEIVED).order_by("-received_at")[:3])
    changed = []
    for complaint in waiting:
        workflow.verify(complaint, actor=admin)
        started = time.perf_counter()
        figures.summary(*periods["month"])
        changed.append(time.perf_counter() - started)
    if changed:
        out["summary_after_change"] = {"first": changed[0], "median": statistics.median(changed)}

    print("RESULT " + json.dumps(out), flush=True)  # kept should the monthly report fail
    try:
        out.update(_monthly(*MONTH))
    except Exception as exc:  # another module failing: note it, go on
        out["monthly_note"] = f"monthly report failed: {type(exc).__name__}: {exc}"
    return out


# What lalisa.complaints.seed writes, parents first (PostgreSQL checks the foreign keys of
# Django's tables at commit anyway).
SEEDED = ["Reporter", "TicketCounter", "Complaint", "Supporter", "Dispatch", "Event", "Rating"]
# Rows made by the migrations and ensure_staff that the seeded rows point to: the same ids
# on both databases, or the copy would be wrong.
REFERENCED = {
    "accounts_user": "username",
    "teams_trcteam": "name",
    "complaints_category": "code",
    "complaints_outcome": "code",
    "regions_kecamatan": "name",
    "regions_desa": "code",
}


def copy_seeded(path: str) -> int:
    """Copy the seeded rows of the SQLite database at `path` into this (PostgreSQL) one."""
    import sqlite3

    from django.apps import apps
    from django.core.management.color import no_style
    from django.db import connection, transaction

    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    with connection.cursor() as cursor:
        for table, key in REFERENCED.items():
            query = f"SELECT id, {key} FROM {table} ORDER BY id"  # noqa: S608
            cursor.execute(query)
            if cursor.fetchall() != source.execute(query).fetchall():
                raise SystemExit(f"{table}: ids differ between the databases; cannot copy")
    models = [apps.get_model("complaints", name) for name in SEEDED]
    copied = 0
    with transaction.atomic(), connection.cursor() as cursor:
        for model in models:
            columns = [f.column for f in model._meta.concrete_fields]
            names = ", ".join(f'"{c}"' for c in columns)
            table = model._meta.db_table
            rows = source.execute(f"SELECT {names} FROM {table}")  # noqa: S608
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:  # noqa: S608
                for row in rows:
                    copy.write_row(row)
                    copied += 1
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)
    source.close()
    return copied


def _monthly(year: int, month: int) -> dict:
    try:
        from lalisa.monthly import data, pdf
    except ImportError as exc:
        return {"monthly_note": f"lalisa.monthly not importable ({exc}); skipped"}
    if not hasattr(data, "month_report"):
        return {"monthly_note": "lalisa.monthly.data.month_report missing; skipped"}
    out = {"monthly_report": _timed(lambda: data.month_report(year, month), repeat=2)}
    report = data.month_report(year, month)
    if hasattr(pdf, "render"):

        def make_pdf():
            return pdf.render(report)
    elif hasattr(pdf, "write_pdf"):

        def make_pdf():
            pdf.write_pdf(report, io.BytesIO())
    else:
        out["monthly_note"] = "lalisa.monthly.pdf has no render/write_pdf; PDF skipped"
        return out
    out["monthly_pdf"] = _timed(make_pdf, repeat=1)
    out.update(_served(year, month))
    return out


def _served(year: int, month: int) -> dict:
    """The PDF from the API, as a user gets it: the first request makes and keeps the file
    (the worker does so for the last full month before anyone asks); the next ones get the
    kept file while it is current."""
    from django.test import Client

    from lalisa.accounts.models import ApiToken, User

    try:
        from lalisa.monthly import current  # noqa: F401 - files kept current
    except ImportError:
        return {}
    client = Client()
    token = ApiToken.issue(User.objects.get(username="demo-pimpinan"))

    def get():
        response = client.get(
            "/api/v1/reports/monthly",
            {"year": year, "month": month, "format": "pdf"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status_code == 200, response.status_code
        assert b"".join(response.streaming_content).startswith(b"%PDF")

    return {"monthly_served": _timed(get)}


# --- the parent: databases, children, the table ----------------------------------------


def _pg(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(sql)


class Child:
    """One backend and size in its own process and database: seeds (or copies), then waits
    for go()."""

    def __init__(self, backend: str, size: int, workdir: Path, source: str):
        self.backend, self.size, self.dbname = backend, size, None
        self.sqlite_path = workdir / f"{backend}-{size}" / "bench.sqlite3"
        env = {
            **os.environ,
            "SECRET_KEY": "bench-reports-not-a-secret-0123456789abcdefghijklmnopqrstuvwxyz",
            "DEBUG": "0",
            "LALISA_HTTPS": "0",
            "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
            "LALISA_DATA_DIR": str(workdir / f"{backend}-{size}"),
            "DJANGO_SETTINGS_MODULE": "lalisa.settings",
        }
        Path(env["LALISA_DATA_DIR"]).mkdir(parents=True, exist_ok=True)
        if backend == "sqlite":
            env["DATABASE_URL"] = f"sqlite:///{self.sqlite_path}"
        else:
            self.dbname = f"lalisa_bench_reports_{os.getpid()}_{size}"
            _pg(f'DROP DATABASE IF EXISTS "{self.dbname}"')
            _pg(f'CREATE DATABASE "{self.dbname}"')
            env["DATABASE_URL"] = PG_URL.rsplit("/", 1)[0] + "/" + self.dbname
        self.log = open(workdir / f"{backend}-{size}.log", "w+")  # noqa: SIM115
        self.proc = subprocess.Popen(  # noqa: S603 (our own script, our own arguments)
            [sys.executable, __file__, "--child", str(size), "--source", source],
            env=env,
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
        )

    def _fail(self, what: str):
        self.log.seek(0)
        sys.stderr.write(self.log.read()[-4000:])
        raise SystemExit(f"{self.backend} {self.size:,}: {what}")

    def _expect(self, word: str) -> None:
        if self.proc.stdout.readline().strip() != word:
            self._fail(f"the child failed before {word}")

    def ready(self) -> None:
        self._expect("READY")

    def copy_from(self, other: Child) -> None:
        """Copy the other (SQLite) child's seeded rows into this one's database."""
        self._expect("WAITING")
        self.proc.stdin.write(f"{other.sqlite_path}\n")
        self.proc.stdin.flush()

    def go(self) -> dict:
        self.proc.stdin.write("go\n")
        self.proc.stdin.flush()
        out, _ = self.proc.communicate()
        lines = [x for x in out.splitlines() if x.startswith("RESULT ")]
        if not lines:
            self._fail("the child failed while timing")
        return json.loads(lines[-1][len("RESULT ") :])

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.log.close()
        if self.dbname:
            _pg(f'DROP DATABASE IF EXISTS "{self.dbname}" WITH (FORCE)')


def _ms(value: float) -> str:
    return f"{value * 1000:,.0f} ms"


# (key, label, held to the growth target)
TIMED = [
    ("summary_month", "summary(), last full month", True),
    ("summary_year", "summary(), last 12 months", True),
    ("page_month", "dashboard page, last full month", True),
    ("page_year", "dashboard page, last 12 months", True),
    # A changed day is counted again whole: it holds 20 times more complaints at 200,000.
    ("summary_after_change", "summary() right after a change", False),
    ("monthly_report", "month_report()", True),
    # Making the PDF lists every complaint completed in the month: 19 times more rows at
    # 200,000. What a user waits for is the next line (the file kept while current).
    ("monthly_pdf", "monthly report PDF, made", False),
    ("monthly_served", "monthly report PDF from the API (first: made and kept)", True),
]


def report(backend: str, results: list[dict]) -> list[str]:
    """Print one backend's table; return the targets it missed."""
    missed = []
    sizes = [r["size"] for r in results]
    print(f"\n## {backend}")
    print("| | " + " | ".join(f"{s:,} complaints" for s in sizes) + " | growth |")
    print("|---|" + "---|" * (len(sizes) + 1))
    steps = [
        ("seed", "seeding"),
        ("copy", "copying the seeded rows in"),
        ("build", "building the summary tables"),
    ]
    for key, label in steps:
        if all(key in r for r in results):
            cells = [f"{r[key]:,.1f} s" for r in results]
            print(f"| {label} | " + " | ".join(cells) + " | |")
    for key, label, target in TIMED:
        if not all(key in r for r in results):
            continue
        cells = [f"{_ms(r[key]['median'])} (first {_ms(r[key]['first'])})" for r in results]
        growth = results[-1][key]["median"] / results[0][key]["median"]
        flag = ""
        if target and len(results) > 1 and growth > GROWTH_TARGET:
            flag = " ✗"
            missed.append(f"{backend} {label}: grows {growth:.1f}x")
        ratio = f"{growth:.2f}x{flag}" if len(results) > 1 else ""
        print(f"| {label} | " + " | ".join(cells) + f" | {ratio} |")
    print(
        "| complaints in the month / 12 months | "
        + " | ".join(f"{r['received_month']:,} / {r['received_year']:,}" for r in results)
        + " | |"
    )
    print(
        "| tally rows / minute rows | "
        + " | ".join(f"{r['tally_rows']:,} / {r['duration_rows']:,}" for r in results)
        + " | |"
    )
    largest = results[-1]
    for key in ("page_month", "page_year"):
        if largest[key]["median"] > DASHBOARD_TARGET:
            missed.append(f"{backend} {key} at {largest['size']:,}: {_ms(largest[key]['median'])}")
    for r in results:
        if r.get("monthly_note"):
            print(f"\nNote ({r['size']:,}): {r['monthly_note']}")
    return missed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,200000")
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--source", default="seed", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        sys.path.insert(0, str(ROOT))
        print("RESULT " + json.dumps(child(args.child, args.source)))
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    backends = args.backends.split(",")
    workdir = Path(tempfile.mkdtemp(prefix="lalisa-bench-reports-"))
    results: dict[str, list[dict]] = {b: [] for b in backends}
    started = time.perf_counter()
    try:
        for size in sizes:
            # Seeding is slow (about 2 ms a complaint): seed once, on SQLite, and give
            # PostgreSQL the very same rows by COPY.
            seeder = "sqlite" if "sqlite" in backends else backends[0]
            print(f"{size:,} complaints: seeding on {seeder}…", flush=True)
            children = []
            try:
                children = [
                    Child(b, size, workdir, "seed" if b == seeder else "copy") for b in backends
                ]
                first = next(c for c in children if c.backend == seeder)
                first.ready()
                for c in children:
                    if c is not first:
                        print(f"  copying into {c.backend}…", flush=True)
                        c.copy_from(first)
                        c.ready()
                for c in children:
                    print(f"  timing {c.backend}…", flush=True)
                    results[c.backend].append(c.go())
            finally:
                for c in children:
                    c.close()
        missed = []
        for backend in backends:
            missed += report(backend, results[backend])
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"\nWhole run: {time.perf_counter() - started:,.0f} s")
    if missed:
        print("Missed: " + "; ".join(missed))
        if args.check:
            raise SystemExit(1)
    else:
        print("All targets met.")


if __name__ == "__main__":
    main()
