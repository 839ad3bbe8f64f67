"""`lalisa demo`: the whole service on this machine, on SQLite under ./var (LALISA_DATA_DIR).

Settings refuse to load without SECRET_KEY when DEBUG is off, so the console script calls
`prepare_environment()` before Django starts (lalisa/cli.py); the children of `serve` inherit
the same environment. With the simulator on (the default), the WhatsApp settings point at
the demo's own Graph API emulator and webhook, so nothing reaches Meta.
"""

import argparse
import contextlib
import json
import logging
import os
import secrets
from pathlib import Path

from django.conf import settings
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError

from lalisa.env import _TRUE

# Filled in only where the environment does not say otherwise.
DEMO_ENV = {
    "DEBUG": "0",
    "LALISA_HTTPS": "0",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "LALISA_SIMULATOR": "1",
}


def demo_secret_key(data_dir: Path) -> str:
    """The demo's own key: generated once, kept in <data dir>/secret_key (0600), reused."""
    path = data_dir / "secret_key"
    if path.exists():
        key = path.read_text().strip()
        if key:
            return key
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    _write_private(path, key + "\n")
    return key


DEFAULT_PORT = 8000
# The ids of the payload fixtures; any digits would do, the emulator checks them.
DEMO_PHONE_NUMBER_ID = "106540352242922"
DEMO_BUSINESS_ACCOUNT_ID = "102290129340398"
# Settings that point the service at the emulator (the demo sets them on django.conf.settings
# too, for callers whose settings loaded before the environment was prepared).
SIMULATOR_SETTINGS = (
    "WHATSAPP_GRAPH_URL",
    "WHATSAPP_PHONE_NUMBER_ID",
    "WHATSAPP_BUSINESS_ACCOUNT_ID",
    "WHATSAPP_ACCESS_TOKEN",
    "WHATSAPP_APP_SECRET",
    "WHATSAPP_VERIFY_TOKEN",
    "LALISA_WEBHOOK_URL",
    "LALISA_PUBLIC_URL",
)


def _write_private(path: Path, text: str) -> None:
    # Created 0600, never readable by others, not even for a moment.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as file:
        os.fchmod(file.fileno(), 0o600)
        file.write(text)


def demo_whatsapp_secrets(data_dir: Path) -> dict[str, str]:
    """The emulator's token, app secret and verify token: generated once, kept beside the
    secret key in <data dir>/whatsapp_demo.json (0600), so that webhooks still queued after a
    restart keep valid signatures."""
    path = data_dir / "whatsapp_demo.json"
    names = ("access_token", "app_secret", "verify_token")
    if path.exists():
        try:
            stored = json.loads(path.read_text())
            if all(isinstance(stored.get(n), str) and stored[n] for n in names):
                return {n: stored[n] for n in names}
        except ValueError:
            pass
    data_dir.mkdir(parents=True, exist_ok=True)
    values = {n: secrets.token_urlsafe(32) for n in names}
    _write_private(path, json.dumps(values, indent=2) + "\n")
    return values


def port_from_argv(argv: list[str]) -> int:
    """The demo's --port, read before Django parses the command line."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    try:
        return parser.parse_known_args(argv)[0].port
    except SystemExit:  # a malformed --port: Django's own parser will say so
        return DEFAULT_PORT


def prepare_environment(environ=os.environ, port: int = DEFAULT_PORT) -> None:
    for name, value in DEMO_ENV.items():
        environ.setdefault(name, value)
    data_dir = Path(environ.get("LALISA_DATA_DIR", "var")).resolve()
    if not environ.get("SECRET_KEY"):
        environ["SECRET_KEY"] = demo_secret_key(data_dir)
    if environ.get("LALISA_SIMULATOR", "").strip().lower() in _TRUE:
        base = f"http://127.0.0.1:{port}"
        found = demo_whatsapp_secrets(data_dir)
        defaults = {
            "WHATSAPP_GRAPH_URL": f"{base}/graph",
            "WHATSAPP_PHONE_NUMBER_ID": DEMO_PHONE_NUMBER_ID,
            "WHATSAPP_BUSINESS_ACCOUNT_ID": DEMO_BUSINESS_ACCOUNT_ID,
            "WHATSAPP_ACCESS_TOKEN": found["access_token"],
            "WHATSAPP_APP_SECRET": found["app_secret"],
            "WHATSAPP_VERIFY_TOKEN": found["verify_token"],
            "LALISA_WEBHOOK_URL": f"{base}/webhooks/whatsapp",
            "LALISA_PUBLIC_URL": base,
        }
        for name, value in defaults.items():
            if not environ.get(name):
                environ[name] = value


class Command(BaseCommand):
    help = (
        "Menjalankan demo: migrasi, memuat data demo, lalu melayani web dan worker di "
        "127.0.0.1:PORT (SQLite di ./var kecuali DATABASE_URL berkata lain)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000, help="bawaan: %(default)s")
        parser.add_argument(
            "--no-serve", action="store_true", help="siapkan basis data dan data, lalu keluar"
        )

    def handle(self, *, port, no_serve, verbosity, **options):
        # Normally done by the console script already; repeated for callers that skipped it.
        prepare_environment(port=port)
        if settings.LALISA_SIMULATOR:
            for name in SIMULATOR_SETTINGS:
                if os.environ.get(name):
                    setattr(settings, name, os.environ[name])
        database = settings.DATABASES["default"]
        self.stdout.write(
            f"Basis data: {database['ENGINE'].rsplit('.', 1)[-1]} {database['NAME']}"
        )
        call_command("migrate", interactive=False, verbosity=max(verbosity - 1, 0))
        if "loaddemo" in get_commands():
            call_command("loaddemo", verbosity=verbosity)
        else:
            self.stderr.write("The loaddemo command is not available; no demo data loaded.")
        self.sync_templates(port)
        if no_serve:
            self.stdout.write("Demo siap (--no-serve).")
            return

        base = f"http://127.0.0.1:{port}"
        self.stdout.write(f"Demo LA-LISA: {base}/  ·  penyiapan: {base}/admin/")
        if settings.LALISA_SIMULATOR:
            self.stdout.write(f"Simulator ponsel (WhatsApp): {base}/simulator/")
        call_command("serve", bind=f"127.0.0.1:{port}", verbosity=verbosity)

    def sync_templates(self, port: int) -> None:
        """Submit the message templates so that they are approved before the first send.
        The emulator runs in the server, which is not up yet: reach it in this process."""
        if not settings.LALISA_SIMULATOR or "whatsapp_templates" not in get_commands():
            return
        graph_url = settings.WHATSAPP_GRAPH_URL.rstrip("/")
        emulated = graph_url == f"http://127.0.0.1:{port}/graph"
        try:
            if emulated:
                from lalisa.simulator.local import in_process_graph

                # The in-process app loads whitenoise, which warns about a missing root.
                Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
                with in_process_graph(), _quiet_logger("httpx"):
                    call_command("whatsapp_templates", "--sync", verbosity=0, stdout=_Quiet())
            else:
                call_command("whatsapp_templates", "--sync")
        except CommandError as exc:
            self.stderr.write(f"Message templates not submitted: {exc}")
        else:
            self.stdout.write("Templat pesan dikirim; emulator Graph API menyetujuinya.")


@contextlib.contextmanager
def _quiet_logger(name: str):
    """One line per HTTP request is noise in the demo's output."""
    logger = logging.getLogger(name)
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


class _Quiet:
    """Swallows the sync's line-per-template report; the demo prints one line instead."""

    def write(self, text: str) -> None:
        pass

    def flush(self) -> None:
        pass
