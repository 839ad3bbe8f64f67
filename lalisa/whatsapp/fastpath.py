"""POST /webhooks/whatsapp in front of Django's request cycle.

Meta's posts are the one firehose the service takes, and the webhook's work is small (size,
signature, one insert: `webhook.accept`, the same code the Django view runs). Answering it
before URL routing and the middleware stack roughly halves its cost per post
(bench/webhook.py). Everything else, the verify handshake included, goes to Django.
"""

from django.db import close_old_connections

from lalisa.whatsapp.webhook import STATUS_TEXT, accept

PATH = "/webhooks/whatsapp"


class WebhookFastPath:
    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") != "POST" or environ.get("PATH_INFO") != PATH:
            return self.app(environ, start_response)
        # What Django does around a request: drop connections that are too old or broken.
        close_old_connections()
        try:
            status = accept(
                environ["wsgi.input"].read,
                environ.get("CONTENT_LENGTH"),
                environ.get("HTTP_X_HUB_SIGNATURE_256"),
            )
        finally:
            close_old_connections()
        text = STATUS_TEXT[status].encode()
        start_response(
            f"{status} {STATUS_TEXT[status]}",
            [("Content-Type", "text/plain"), ("Content-Length", str(len(text)))],
        )
        return [text]
