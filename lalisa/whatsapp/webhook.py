"""`/webhooks/whatsapp`: Meta's verify handshake (GET) and signed events (POST).

A POST is checked (size, signature over the raw body), stored as it came and answered 200
at once; the worker does the rest (DESIGN.md, reliability rule 1). The view writes one row:
workers drain unprocessed deliveries from the table, so an answered delivery is never lost
and the hot path pays for no task row (measured: bench/webhook.py).
"""

import hmac
import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from lalisa.whatsapp import signature
from lalisa.whatsapp.models import WebhookDelivery

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Hub-Signature-256"


@csrf_exempt
@require_http_methods(["GET", "POST"])
def whatsapp(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return verify(request)
    return receive(request)


def verify(request: HttpRequest) -> HttpResponse:
    token = request.GET.get("hub.verify_token", "")
    expected = settings.WHATSAPP_VERIFY_TOKEN or ""
    if (
        request.GET.get("hub.mode") == "subscribe"
        and expected
        and hmac.compare_digest(token.encode(), expected.encode())
    ):
        return HttpResponse(request.GET.get("hub.challenge", ""), content_type="text/plain")
    log.warning("webhook verification refused (mode=%r)", request.GET.get("hub.mode"))
    return HttpResponse("Forbidden", status=403, content_type="text/plain")


STATUS_TEXT = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    413: "Payload Too Large",
}


def accept(read, content_length: str | None, header: str | None) -> int:
    """A POST's whole work, shared by the Django view and the WSGI fast path: check size and
    signature, store the body as it came; return the HTTP status to answer."""
    limit = settings.WHATSAPP_MAX_WEBHOOK_BYTES
    try:
        declared = int(content_length or 0)
    except ValueError:
        return 400
    if declared > limit:
        return 413
    # Read at most one byte past the limit: enough to know the body is too large.
    body = read(limit + 1)
    if len(body) > limit:
        return 413
    if not header:
        log.warning("webhook without signature refused")
        return 401
    if not signature.is_valid(body, header, settings.WHATSAPP_APP_SECRET):
        log.warning("webhook with a wrong signature refused")
        return 403
    # One durable row and nothing else: the workers drain the table (lalisa.worker.drains).
    WebhookDelivery.objects.create(body=body, signature=header.strip()[:100])
    return 200


def receive(request: HttpRequest) -> HttpResponse:
    status = accept(
        request.read, request.META.get("CONTENT_LENGTH"), request.headers.get(SIGNATURE_HEADER)
    )
    return HttpResponse(STATUS_TEXT[status], status=status, content_type="text/plain")
