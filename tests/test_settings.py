"""Production settings pass Django's deployment checks, and refuse to start without a key."""

import os
import secrets
import subprocess
import sys

# Variables the test run sets (conftest.py) or a developer may have: production starts clean.
CLEARED = {
    "DJANGO_SETTINGS_MODULE",  # the test run's own (tests.settings)
    "SECRET_KEY",
    "DEBUG",
    "ALLOWED_HOSTS",
    "LALISA_HTTPS",
    "LALISA_DATA_DIR",
    "DATABASE_URL",
    "CSRF_TRUSTED_ORIGINS",
    "LALISA_SIMULATOR",
}


def production_env(tmp_path, **extra):
    env = {k: v for k, v in os.environ.items() if k not in CLEARED}
    env.update(DEBUG="0", ALLOWED_HOSTS="lalisa.example.go.id", LALISA_DATA_DIR=str(tmp_path))
    env.update(extra)
    return env


def lalisa(*args, env):
    return subprocess.run(  # noqa: S603 - our own command line
        [sys.executable, "-m", "lalisa", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_check_deploy(tmp_path):
    env = production_env(tmp_path, SECRET_KEY=secrets.token_urlsafe(50))
    result = lalisa("check", "--deploy", "--fail-level", "WARNING", env=env)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "no issues" in output


def test_production_settings_refuse_to_load_without_a_secret_key(tmp_path):
    result = lalisa("check", env=production_env(tmp_path))
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stdout + result.stderr
