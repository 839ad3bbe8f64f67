#!/usr/bin/env python
"""Webhook benchmark: `lalisa serve` against the least a webhook endpoint can do.

Starts, in a temporary directory and on loopback only:
  1. the baseline (bench/baseline_app.py: signature check + one SQLite insert) under gunicorn
     with the same worker and thread settings as `lalisa serve`;
  2. `lalisa serve` itself on SQLite, its task worker running, LALISA_SIMULATOR=1 and the
     WhatsApp settings pointing at its own Graph API emulator (so the worker's sends go there);
and drives each with the same signed webhook posts (text messages from distinct citizens,
unique wamids) at a fixed concurrency. Prints messages per second and p50/p99 latency for
both, and the ratio. Everything it started is stopped before it exits (bounded waits).

    python bench/webhook.py                 # 2000 posts, 16 client threads
    python bench/webhook.py -n 5000 -c 32 --check
"""

import argparse
import base64
import contextlib
import hashlib
import json
import os
import secrets
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
sys.path.insert(0, str(ROOT))

from lalisa.whatsapp.signature import sign  # noqa: E402

HOST = "127.0.0.1"
PHONE_NUMBER_ID = "106540352242922"
WABA_ID = "102290129340398"
READY_TIMEOUT = 120.0
STOP_TIMEOUT = 50.0  # longer than `serve`'s own 40 s for its children
REQUEST_TIMEOUT = 30.0
TARGET_RATIO = 0.60
TARGET_P99 = 1.0

COMPLAINTS = [
    "Ada PKL berjualan di atas trotoar depan Pasar Paringin, pejalan kaki turun ke jalan.",
    "Malam ini ada balap liar lagi di Jalan A. Yani Batumandi, sangat bising.",
    "Spanduk reklame liar dipaku di pohon sepanjang jalan Paringin–Lampihong.",
    "Sapi lepas berkeliaran di jalan dekat Simpang Tiga Juai, berbahaya bagi pengendara.",
    "Karaoke di Awayan masih buka lewat tengah malam, warga terganggu.",
    "Parkir liar di depan RSUD Balangan menutup jalan masuk ambulans.",
    "Ada bangunan liar di bantaran sungai Halong, mohon ditertibkan.",
    "Anak-anak sekolah nongkrong dan merokok di warung saat jam pelajaran, Tebing Tinggi.",
]


@dataclass
class Result:
    name: str
    label: str
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    wall: float = 0.0
    note: str = ""

    @property
    def ok(self) -> int:
        return len(self.latencies)

    @property
    def rate(self) -> float:
        return self.ok / self.wall if self.wall else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


# --- request bodies ---------------------------------------------------------------------------


def bodies(count: int, citizens: int, run: str, offset: int = 0) -> list[bytes]:
    """Text-message webhooks in Meta's format (tests/fixtures/whatsapp/text.json)."""
    out = []
    now = int(time.time())
    for n in range(offset, offset + count):
        who = n % citizens
        phone = f"62812{who:08d}"
        bsuid = "ID." + str(int(hashlib.sha256(phone.encode()).hexdigest(), 16) % 10**16).zfill(16)
        wamid = "wamid." + base64.b64encode(f"bench-{run}-{n:07d}-{phone}".encode()).decode()
        body = {
            "object": "whatsapp_business_account",
            "entry": [
                {
                    "id": WABA_ID,
                    "changes": [
                        {
                            "value": {
                                "messaging_product": "whatsapp",
                                "metadata": {
                                    "display_phone_number": "6285100001111",
                                    "phone_number_id": PHONE_NUMBER_ID,
                                },
                                "contacts": [
                                    {
                                        "profile": {"name": f"Warga Bench {who}"},
                                        "wa_id": phone,
                                        "user_id": bsuid,
                                    }
                                ],
                                "messages": [
                                    {
                                        "from": phone,
                                        "from_user_id": bsuid,
                                        "id": wamid,
                                        "timestamp": str(now),
                                        "type": "text",
                                        "text": {"body": COMPLAINTS[n % len(COMPLAINTS)]},
                                    }
                                ],
                            },
                            "field": "messages",
                        }
                    ],
                }
            ],
        }
        out.append(json.dumps(body, separators=(",", ":")).encode())
    return out


def drive(url: str, payloads: list[bytes], secret: str, concurrency: int, result: Result) -> None:
    """POST every payload with `concurrency` threads (one keep-alive client each)."""
    signed = [(raw, sign(raw, secret)) for raw in payloads]
    local = threading.local()
    lock = threading.Lock()
    clients: list[httpx.Client] = []

    def post(item):
        raw, signature = item
        client = getattr(local, "client", None)
        if client is None:
            client = local.client = httpx.Client(timeout=REQUEST_TIMEOUT)
            with lock:
                clients.append(client)
        headers = {"Content-Type": "application/json", "X-Hub-Signature-256": signature}
        started = time.perf_counter()
        try:
            response = client.post(url, content=raw, headers=headers)
        except httpx.HTTPError as exc:
            return None, f"{type(exc).__name__}: {exc}"
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            return None, f"HTTP {response.status_code}: {response.text[:80]}"
        return elapsed, ""

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        for elapsed, error in pool.map(post, signed):
            if error:
                result.errors.append(error)
            else:
                result.latencies.append(elapsed)
    result.wall = time.perf_counter() - started
    for client in clients:
        client.close()


# --- processes --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start(argv: list[str], env: dict, log: Path, cwd: Path) -> subprocess.Popen:
    # A session of its own, so that stopping it reaches every process it started.
    with open(log, "ab") as out:
        return subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            argv, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def stop(proc: subprocess.Popen | None) -> None:
    """SIGTERM the process (it stops its children), then kill its group if it lingers."""
    if proc is None or proc.poll() is not None:
        _kill_group(proc)
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)
    _kill_group(proc)


def _kill_group(proc: subprocess.Popen | None) -> None:
    if proc is None:
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)


def wait_ready(url: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"{url}: the server exited with {proc.returncode}; see {log}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=2).status_code == 200:
                return
        time.sleep(0.25)
    raise SystemExit(f"{url}: not ready after {READY_TIMEOUT:.0f} s; see {log}")


def gunicorn_argv(app: str, bind: str, workers: int, threads: int) -> list[str]:
    """`lalisa serve`'s own gunicorn command line, with another app."""
    from lalisa.worker.management.commands.serve import Command

    argv = Command.gunicorn_argv(bind, workers, threads)
    return [app if arg == "lalisa.wsgi:application" else arg for arg in argv]


# --- the two targets --------------------------------------------------------------------------


def run_baseline(args, work: Path, payloads, warmup) -> Result:
    result = Result("baseline", "bare WSGI: signature + 1 INSERT")
    db = work / "baseline.sqlite3"
    sys.path.insert(0, str(BENCH_DIR))
    from baseline_app import SCHEMA, connect

    with contextlib.closing(connect(str(db))) as conn:
        conn.execute(SCHEMA)
    secret = secrets.token_urlsafe(24)
    port = free_port()
    env = {**os.environ, "BENCH_DB": str(db), "BENCH_APP_SECRET": secret}
    argv = gunicorn_argv("baseline_app:application", f"{HOST}:{port}", args.workers, args.threads)
    log = work / "baseline.log"
    proc = start([*argv, f"--chdir={BENCH_DIR}"], env, log, BENCH_DIR)
    try:
        url = f"http://{HOST}:{port}/"
        _wait_post_ready(url, proc, log, secret)
        drive(url, warmup, secret, args.concurrency, Result("warmup", ""))
        drive(url, payloads, secret, args.concurrency, result)
    finally:
        stop(proc)
    with contextlib.closing(sqlite3.connect(db)) as conn:
        stored = conn.execute("SELECT count(*) FROM delivery").fetchone()[0]
    result.note = f"stored {stored}"
    return result


def _wait_post_ready(url, proc, log, secret):
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"baseline exited with {proc.returncode}; see {log}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=2).status_code == 405:
                return
        time.sleep(0.25)
    raise SystemExit(f"baseline not ready; see {log}")


def service_env(work: Path, port: int) -> dict:
    base = f"http://{HOST}:{port}"
    env = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")
    }
    env.update(
        {
            "LALISA_DATA_DIR": str(work / "service"),
            "SECRET_KEY": secrets.token_urlsafe(48),
            "DEBUG": "0",
            "LALISA_HTTPS": "0",
            "ALLOWED_HOSTS": HOST,
            "LALISA_SIMULATOR": "1",
            "WHATSAPP_GRAPH_URL": f"{base}/graph",
            "WHATSAPP_PHONE_NUMBER_ID": PHONE_NUMBER_ID,
            "WHATSAPP_BUSINESS_ACCOUNT_ID": WABA_ID,
            "WHATSAPP_ACCESS_TOKEN": secrets.token_urlsafe(24),
            "WHATSAPP_APP_SECRET": secrets.token_urlsafe(24),
            "WHATSAPP_VERIFY_TOKEN": secrets.token_urlsafe(12),
            "LALISA_WEBHOOK_URL": f"{base}/webhooks/whatsapp",
            "LOG_LEVEL": "WARNING",
        }
    )
    return env


def run_service(args, work: Path, payloads, warmup) -> Result:
    result = Result("service", "lalisa serve: /webhooks/whatsapp")
    port = free_port()
    env = service_env(work, port)
    log = work / "service.log"
    lalisa = [sys.executable, "-m", "lalisa"]
    subprocess.run(  # noqa: S603
        [*lalisa, "migrate", "--no-input", "-v0"],
        env=env,
        cwd=work,
        check=True,
        timeout=600,
        stdout=subprocess.DEVNULL,
    )
    argv = [
        *lalisa,
        "serve",
        f"--bind={HOST}:{port}",
        f"--workers={args.workers}",
        f"--threads={args.threads}",
    ]
    proc = start(argv, env, log, work)
    try:
        verify = (
            f"http://{HOST}:{port}/webhooks/whatsapp?hub.mode=subscribe"
            f"&hub.verify_token={env['WHATSAPP_VERIFY_TOKEN']}&hub.challenge=ok"
        )
        wait_ready(verify, proc, log)
        # Approved templates, so the worker's fallback sends succeed as in the demo.
        sync = subprocess.run(  # noqa: S603
            [*lalisa, "whatsapp_templates", "--sync"],
            env=env,
            cwd=work,
            timeout=300,
            capture_output=True,
        )
        if sync.returncode:
            print("note: template sync failed (see service.log); sends may fail", file=sys.stderr)
        url = f"http://{HOST}:{port}/webhooks/whatsapp"
        secret = env["WHATSAPP_APP_SECRET"]
        drive(url, warmup, secret, args.concurrency, Result("warmup", ""))
        drive(url, payloads, secret, args.concurrency, result)
        db = work / "service" / "lalisa.sqlite3"
        result.note = _service_progress(db) + _backlog_time(db)
    finally:
        stop(proc)
    return result


def _service_progress(db: Path) -> str:
    with (
        contextlib.suppress(sqlite3.Error),
        contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=20)) as conn,
    ):
        stored, processed = conn.execute(
            "SELECT count(*), count(processed_at) FROM whatsapp_webhookdelivery"
        ).fetchone()
        return f"stored {stored}, worker processed {processed} by the end"
    return ""


def _backlog_time(db: Path, limit: float = 300.0) -> str:
    """How long the worker takes, after the last post, to process every stored delivery."""
    started = time.monotonic()
    while time.monotonic() - started < limit:
        with (
            contextlib.suppress(sqlite3.Error),
            contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=20)) as c,
        ):
            (left,) = c.execute(
                "SELECT count(*) FROM whatsapp_webhookdelivery WHERE processed_at IS NULL"
            ).fetchone()
            if left == 0:
                return f"; backlog processed {time.monotonic() - started:.1f} s after the burst"
        time.sleep(0.5)
    return f"; backlog NOT processed within {limit:.0f} s"


# --- main -------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--posts", type=int, default=2000, help="posts per target (2000)")
    parser.add_argument("-c", "--concurrency", type=int, default=16, help="client threads (16)")
    parser.add_argument("--warmup", type=int, default=100, help="untimed posts first (100)")
    parser.add_argument("--citizens", type=int, default=200, help="distinct senders (200)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers, as serve (2)")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker, as serve (4)")
    parser.add_argument("--only", choices=("baseline", "service"), help="run one target")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="lalisa-bench-"))
    run = secrets.token_hex(4)
    payloads = bodies(args.posts, args.citizens, run, offset=args.warmup)
    warmup = bodies(args.warmup, args.citizens, run)
    print(
        f"{args.posts} signed posts per target ({args.warmup} warm-up), {args.concurrency} "
        f"client threads, {args.citizens} citizens; gunicorn {args.workers} workers × "
        f"{args.threads} threads (gthread); SQLite WAL in {work}",
        flush=True,
    )
    results = []
    try:
        if args.only != "service":
            results.append(run_baseline(args, work, payloads, warmup))
            report(results[-1])
        if args.only != "baseline":
            results.append(run_service(args, work, payloads, warmup))
            report(results[-1])
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return verdict(results, args)


def report(result: Result) -> None:
    errors = f", {len(result.errors)} failed ({result.errors[0]})" if result.errors else ""
    print(
        f"{result.name:<9} {result.label:<34} {result.ok:>6} ok  {result.rate:8.1f} msg/s  "
        f"p50 {result.percentile(50) * 1000:7.1f} ms  p99 {result.percentile(99) * 1000:7.1f} ms"
        f"  max {max(result.latencies, default=0) * 1000:7.1f} ms{errors}"
        + (f"  [{result.note}]" if result.note else ""),
        flush=True,
    )


def verdict(results: list[Result], args) -> int:
    by_name = {r.name: r for r in results}
    failed = any(r.errors for r in results)
    if "baseline" in by_name and "service" in by_name:
        base, service = by_name["baseline"], by_name["service"]
        ratio = service.rate / base.rate if base.rate else 0.0
        p99 = service.percentile(99)
        ok = ratio >= TARGET_RATIO and p99 < TARGET_P99 and not failed
        print(
            f"ratio     {ratio:.0%} of the baseline's throughput (target ≥ {TARGET_RATIO:.0%}); "
            f"service p99 {p99:.3f} s (target < {TARGET_P99:.0f} s), "
            f"median {statistics.median(service.latencies or [0]) * 1000:.1f} ms: "
            + ("OK" if ok else "MISSED"),
            flush=True,
        )
        failed = failed or not ok
    return 1 if failed and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
