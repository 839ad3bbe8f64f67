"""Reach the emulator inside this process, before any server runs (the demo submits its
templates this way, then starts the server)."""

import contextlib

import httpx
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections

from lalisa.whatsapp import graph


@contextlib.contextmanager
def in_process_graph():
    """Graph calls (and the webhooks they cause) go to this process's own WSGI app."""
    # The nested requests share this thread's database connection: they must not close it.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    graph.use_transport(httpx.WSGITransport(app=get_wsgi_application()))
    try:
        yield
    finally:
        graph.use_transport(None)
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
