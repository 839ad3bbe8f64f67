"""`lalisa demo --no-serve` prepares a fresh directory: its own secret key and a migrated
SQLite database under ./var. The demo data itself is loaddemo's (tested with it)."""

import os
import sqlite3
import stat
import subprocess
import sys

from lalisa.worker.management.commands.demo import demo_secret_key, prepare_environment

CLEARED = {
    "DJANGO_SETTINGS_MODULE",  # the test run's own (tests.settings)
    "SECRET_KEY",
    "DEBUG",
    "ALLOWED_HOSTS",
    "LALISA_HTTPS",
    "LALISA_DATA_DIR",
    "DATABASE_URL",
    "LALISA_SIMULATOR",
}


def test_demo_no_serve_creates_key_and_migrated_database(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in CLEARED}
    result = subprocess.run(
        [sys.executable, "-m", "lalisa", "demo", "--no-serve"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr

    key_file = tmp_path / "var" / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(key_file.read_text().strip()) >= 50

    database = tmp_path / "var" / "lalisa.sqlite3"
    with sqlite3.connect(database) as conn:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    assert {"complaints_complaint", "django_tasks_database_dbtaskresult"} <= tables


def test_secret_key_is_generated_once_then_reused(tmp_path):
    key = demo_secret_key(tmp_path / "var")
    assert stat.S_IMODE((tmp_path / "var" / "secret_key").stat().st_mode) == 0o600
    assert demo_secret_key(tmp_path / "var") == key


def test_prepare_environment_fills_in_only_what_is_missing(tmp_path):
    environ = {"LALISA_DATA_DIR": str(tmp_path), "DEBUG": "1"}
    prepare_environment(environ)
    assert environ["DEBUG"] == "1"
    assert environ["LALISA_HTTPS"] == "0"
    assert environ["LALISA_SIMULATOR"] == "1"
    assert environ["ALLOWED_HOSTS"] == "127.0.0.1,localhost"
    assert environ["SECRET_KEY"] == (tmp_path / "secret_key").read_text().strip()

    environ = {"LALISA_DATA_DIR": str(tmp_path), "SECRET_KEY": "from-the-environment"}
    prepare_environment(environ)
    assert environ["SECRET_KEY"] == "from-the-environment"
