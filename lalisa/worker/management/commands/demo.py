"""`lalisa demo`: the whole service on this machine, on SQLite under ./var (LALISA_DATA_DIR).

Settings refuse to load without SECRET_KEY when DEBUG is off, so the console script calls
`prepare_environment()` before Django starts (lalisa/cli.py); the children of `serve` inherit
the same environment.
"""

import os
import secrets
from pathlib import Path

from django.conf import settings
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand

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
    # Created 0600, never readable by others, not even for a moment.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as file:
        os.fchmod(file.fileno(), 0o600)
        file.write(key + "\n")
    return key


def prepare_environment(environ=os.environ) -> None:
    for name, value in DEMO_ENV.items():
        environ.setdefault(name, value)
    if not environ.get("SECRET_KEY"):
        data_dir = Path(environ.get("LALISA_DATA_DIR", "var")).resolve()
        environ["SECRET_KEY"] = demo_secret_key(data_dir)


class Command(BaseCommand):
    help = (
        "Run the demo: migrate, load the demo data, then serve web and worker on "
        "127.0.0.1:PORT (SQLite under ./var unless DATABASE_URL says otherwise)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000, help="default: %(default)s")
        parser.add_argument(
            "--no-serve", action="store_true", help="prepare the database and data, then exit"
        )

    def handle(self, *, port, no_serve, verbosity, **options):
        # Normally done by the console script already; repeated for callers that skipped it.
        prepare_environment()
        database = settings.DATABASES["default"]
        self.stdout.write(f"Database: {database['ENGINE'].rsplit('.', 1)[-1]} {database['NAME']}")
        call_command("migrate", interactive=False, verbosity=max(verbosity - 1, 0))
        if "loaddemo" in get_commands():
            call_command("loaddemo", verbosity=verbosity)
        else:
            self.stderr.write("The loaddemo command is not available; no demo data loaded.")
        if no_serve:
            self.stdout.write("Demo prepared (--no-serve).")
            return

        base = f"http://127.0.0.1:{port}"
        self.stdout.write(f"LA-LISA demo: {base}/  ·  setup: {base}/admin/")
        call_command("serve", bind=f"127.0.0.1:{port}", verbosity=verbosity)
