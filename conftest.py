import os

# Tests run on plain HTTP with a throwaway key; DATABASE_URL picks SQLite or PostgreSQL.
os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production-0123456789abcdef")
os.environ.setdefault("LALISA_HTTPS", "0")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
