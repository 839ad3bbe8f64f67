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


def receive(request: HttpRequest) -> HttpResponse:
    limit = settings.WHATSAPP_MAX_WEBHOOK_BYTES
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return _plain("Bad Request", 400)
    if declared > limit:
        return _plain("Payload Too Large", 413)
    # Read at most one byte past the limit: enough to know the body is too large.
    body = request.read(limit + 1)
    if len(body) > limit:
        return _plain("Payload Too Large", 413)
    header = request.headers.get(SIGNATURE_HEADER)
    if not header:
        log.warning("webhook without signature refused")
        return _plain("Unauthorized", 401)
    if not signature.is_valid(body, header, settings.WHATSAPP_APP_SECRET):
        log.warning("webhook with a wrong signature refused")
        return _plain("Forbidden", 403)
    # One durable row and nothing else: the workers drain the table (lalisa.worker.drains).
    WebhookDelivery.objects.create(body=body, signature=header.strip()[:100])
    return _plain("OK", 200)


def _plain(text: str, status: int) -> HttpResponse:
    return HttpResponse(text, status=status, content_type="text/plain")
