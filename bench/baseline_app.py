"""The benchmark's baseline: the least a webhook endpoint can do. A bare WSGI app that checks
Meta's signature the same way (lalisa.whatsapp.signature) and makes one durable insert into
SQLite with the service's settings (WAL, synchronous=NORMAL, 20 s busy timeout, BEGIN
IMMEDIATE), then answers 200. bench/webhook.py serves it with the same gunicorn settings as
`lalisa serve`.

Environment: BENCH_DB (the SQLite file; bench/webhook.py creates its table) and
BENCH_APP_SECRET.
"""

import os
import sqlite3
import threading
import time

from lalisa.whatsapp.signature import is_valid

DB = os.environ.get("BENCH_DB", "")
SECRET = os.environ.get("BENCH_APP_SECRET", "")  # empty: every post is refused
MAX_BYTES = 3 * 1024 * 1024  # as the service: Meta's bodies are at most 3 MB

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS delivery ("
    "id INTEGER PRIMARY KEY AUTOINCREMENT, received_at REAL NOT NULL, "
    "body BLOB NOT NULL, signature TEXT NOT NULL)"
)

_local = threading.local()


def connect(path: str) -> sqlite3.Connection:
    # The service's SQLite options (lalisa/settings.py), on one connection per thread.
    conn = sqlite3.connect(path, timeout=20, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA foreign_keys=ON")
    return conn


def _connection() -> sqlite3.Connection:
    conn = getattr(_local, "conn", None)
    if conn is None:
        conn = _local.conn = connect(DB)
    return conn


def _answer(start_response, status: str, text: bytes = b""):
    start_response(status, [("Content-Type", "text/plain"), ("Content-Length", str(len(text)))])
    return [text]


def application(environ, start_response):
    if environ["REQUEST_METHOD"] != "POST":
        return _answer(start_response, "405 Method Not Allowed")
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return _answer(start_response, "400 Bad Request")
    if length > MAX_BYTES:
        return _answer(start_response, "413 Payload Too Large")
    body = environ["wsgi.input"].read(length)
    header = environ.get("HTTP_X_HUB_SIGNATURE_256")
    if not is_valid(body, header, SECRET):
        return _answer(start_response, "403 Forbidden")
    conn = _connection()
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute(
            "INSERT INTO delivery (received_at, body, signature) VALUES (?, ?, ?)",
            (time.time(), body, header),
        )
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return _answer(start_response, "200 OK", b"OK")
