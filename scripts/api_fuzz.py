"""The JSON API against its own OpenAPI document, with schemathesis (`make test` runs this).

    .venv/bin/python scripts/api_fuzz.py --schemathesis .venv-schemathesis/bin/schemathesis

A throwaway `lalisa demo` (SQLite in a temporary directory, a free port, the Graph API
emulator: nothing leaves the machine) is served, and each role gets an API token.
schemathesis then sends requests to /api/v1/ — the document's edge cases once (as the
admin), then generated requests as every role, valid and invalid, and short sequences that
follow one answer with the next request — and checks every answer: no server error; status,
content type, headers and body as the document says; invalid input refused and valid input
taken. The path's ticket code is drawn from the demo's complaints, so steps and corrections
meet real ones in every state. Exits non-zero on any failure.
"""

import argparse
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

# The roles whose tokens are tried: each meets other refusals and takes other steps.
USERS = ("demo-admin", "demo-kabid", "demo-trc", "demo-pimpinan", "demo-superadmin")
# A 1×1 PNG.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005fe02fea7356e1c0000000049454e44ae426082"
)
START_TIMEOUT = 180  # seconds for the demo to answer
STOP_TIMEOUT = 60

# Answers the checks take besides their defaults, and why.
CONFIG = """
# A request the document allows may still be refused with 400 where its input is checked
# against other records, which no OpenAPI document can state: a desa of another kecamatan,
# a photo not among the report's, an original that is itself a duplicate, a team already
# there, a reporter without WhatsApp. Everything else about these two stays checked.
[[operations]]
include-path-regex = "^/complaints/[{]code[}]"
include-method = ["PATCH", "POST"]
checks.positive_data_acceptance.expected-statuses = ["2xx", "400", "401", "403", "404", "409"]

# An address longer than gunicorn reads (4094 bytes) is refused by gunicorn itself (414),
# before the API sees it: a refusal like any other (documented in /api/v1/openapi.json).
[checks.negative_data_rejection]
expected-statuses = ["400", "401", "403", "404", "405", "409", "414"]

[dictionaries.codes]
values = CODES

[dictionaries.media]
values = MEDIA

[parameters]
"path.code" = { dictionary = "codes", probability = 0.9 }
"path.id" = { dictionary = "media", probability = 0.7 }
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _environment(data_dir: Path) -> dict[str, str]:
    # The caller's own service settings stay out: the demo's defaults, its own SQLite.
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("WHATSAPP_", "LALISA_", "DJANGO_"))
        and k not in ("DATABASE_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS")
    }
    env.update(
        LALISA_DATA_DIR=str(data_dir),
        LALISA_MAP_TILES="",
        SECRET_KEY=secrets.token_urlsafe(50),
        LALISA_DEMO_PASSWORD=secrets.token_urlsafe(12),
    )
    return env


def _wait(base: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit("the demo stopped:\n" + log.read_text()[-3000:])
        try:
            with urllib.request.urlopen(f"{base}/api/v1/openapi.json", timeout=2):  # noqa: S310
                return
        except OSError:
            time.sleep(0.5)
    sys.exit(f"the demo did not answer in {START_TIMEOUT} s")


def tokens_and_codes() -> None:
    """(In the demo's environment.) Print, as JSON, a token per user, one or two ticket codes
    per status and a few media ids."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lalisa.settings")
    django.setup()
    from django.core.files.base import ContentFile

    from lalisa.accounts.models import ApiToken, User
    from lalisa.complaints.models import Complaint, Media

    tokens = {u.username: ApiToken.issue(u) for u in User.objects.filter(username__in=USERS)}
    by_status: dict[str, list[str]] = {}
    for code, status in Complaint.objects.order_by("pk").values_list("code", "status"):
        by_status.setdefault(status, []).append(code)
    codes = [code for found in by_status.values() for code in found[:2]]
    # The demo has no files: one photo on the first complaint, for GET /media/{id}.
    photo = Media(complaint=Complaint.objects.order_by("pk").first(), kind=Media.Kind.IMAGE)
    photo.mime_type, photo.size = "image/png", len(PNG)
    photo.file.save("uji.png", ContentFile(PNG))
    media = list(Media.objects.order_by("pk").values_list("pk", flat=True)[:10])
    print(json.dumps({"tokens": tokens, "codes": codes, "media": media}))


def _prepare(env: dict, cwd: Path) -> dict:
    done = subprocess.run(  # noqa: S603  (this script)
        [sys.executable, __file__, "--tokens-and-codes"],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        sys.exit(f"making the API tokens failed:\n{done.stderr}")
    return json.loads(done.stdout)


def _schemathesis(args, base: str, config: Path, token: str, *, edge_cases: bool) -> list:
    phases = "coverage,fuzzing,stateful" if edge_cases else "fuzzing,stateful"
    return [
        os.path.abspath(args.schemathesis),  # it runs in the demo's directory
        "--config-file",
        str(config),
        "run",
        f"{base}/api/v1/openapi.json",
        "--checks",
        "all",
        "--phases",
        phases,
        "--max-examples",
        str(args.max_examples),
        "--header",
        f"Authorization: Bearer {token}",
        "--workers",
        "2",
        "--no-color",
        "--seed",
        str(args.seed),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schemathesis", help="the schemathesis executable")
    parser.add_argument("--max-examples", type=int, default=15, help="per operation and role")
    parser.add_argument("--seed", type=int, default=secrets.randbelow(2**32))
    parser.add_argument("--tokens-and-codes", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.tokens_and_codes:
        tokens_and_codes()
        return 0
    if not args.schemathesis:
        parser.error("--schemathesis is required")

    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="lalisa-api-fuzz-") as tmp:
        data = Path(tmp)
        env = _environment(data)
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        log = data / "demo.log"
        with log.open("w") as out:
            demo = subprocess.Popen(  # noqa: S603  (our own console script)
                [str(Path(sys.executable).with_name("lalisa")), "demo", "--port", str(port)],
                env=env,
                cwd=data,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        failed = []
        try:
            _wait(base, demo, log)
            found = _prepare(env, data)
            config = data / "schemathesis.toml"
            config.write_text(
                CONFIG.replace("CODES", json.dumps(found["codes"])).replace(
                    "MEDIA", json.dumps(found["media"])
                )
            )
            print(f"schemathesis seed {args.seed}; the demo at {base}", flush=True)
            for user in USERS:
                print(f"--- schemathesis as {user}", flush=True)
                command = _schemathesis(
                    args, base, config, found["tokens"][user], edge_cases=user == USERS[0]
                )
                if subprocess.run(command, cwd=data, check=False).returncode:  # noqa: S603
                    failed.append(user)
        finally:
            os.killpg(demo.pid, signal.SIGTERM)
            try:
                demo.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                os.killpg(demo.pid, signal.SIGKILL)
                demo.wait()
        if failed:
            print(log.read_text()[-3000:], file=sys.stderr)
    took = time.monotonic() - started
    if failed:
        print(f"schemathesis failed as {', '.join(failed)} ({took:.0f} s)", file=sys.stderr)
        return 1
    print(f"schemathesis: no failures as {len(USERS)} roles ({took:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
