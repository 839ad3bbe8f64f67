"""The project's settings, with the environment a test run needs: plain HTTP, a throwaway
key. DATABASE_URL still picks SQLite or PostgreSQL."""

import os

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production-0123456789abcdef")
os.environ.setdefault("LALISA_HTTPS", "0")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")

from lalisa.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast, tests only
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
