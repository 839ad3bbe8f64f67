"""The Graph API emulator's HTTP face: `graph/<version>/…`, the endpoints the service's
client uses, answering as Meta answers. Every view is 404 unless LALISA_SIMULATOR is on and
the site is local only (lalisa.simulator.exposure)."""

import functools
import json

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.utils.crypto import constant_time_compare
from django.views.decorators.csrf import csrf_exempt

from lalisa.simulator import emulator, exposure, limits, meta
from lalisa.simulator.meta import GraphApiError, invalid
from lalisa.simulator.models import EmulatedMedia, EmulatedTemplate, FailureRule

# What an upload may be, and how big (Meta's media page).
MB = 1024 * 1024
UPLOAD_LIMITS = {
    "image/jpeg": 5 * MB,
    "image/png": 5 * MB,
    "image/webp": 500 * 1024,
    "video/mp4": 16 * MB,
    "video/3gpp": 16 * MB,
    "audio/aac": 16 * MB,
    "audio/amr": 16 * MB,
    "audio/mpeg": 16 * MB,
    "audio/mp4": 16 * MB,
    "audio/ogg": 16 * MB,
    "text/plain": 100 * MB,
    "application/pdf": 100 * MB,
    "application/msword": 100 * MB,
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": 100 * MB,
    "application/vnd.ms-excel": 100 * MB,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": 100 * MB,
}


def simulator_only(view):
    """404 unless the simulator is on and may be served here; read at request time."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not exposure.served(request):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def graph_endpoint(*, token: bool = True):
    """Failure injection, then the bearer token, then the view; errors in Meta's shape."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            try:
                rule = emulator.consume_failure(request.path)
                if rule is not None and rule.http_status != 200:
                    raise emulator.failure_error(rule)
                if token:
                    check_token(request)
                if rule is not None:
                    # 200: accept the call, report it failed afterwards (sends only).
                    kwargs["fail_with"] = rule.error_code or 131026
                return view(request, *args, **kwargs)
            except GraphApiError as error:
                return error.response()

        return simulator_only(csrf_exempt(wrapper))

    return decorate


def check_token(request) -> None:
    header = request.headers.get("Authorization", "")
    scheme, _, given = header.partition(" ")
    expected = settings.WHATSAPP_ACCESS_TOKEN
    if scheme.lower() != "bearer" or not expected or not constant_time_compare(given, expected):
        raise meta.bad_token()


def json_body(request):
    try:
        return json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        raise invalid("The request body is not valid JSON.") from None


def expect_node(node: str, expected: str, method: str) -> None:
    if node != expected:
        raise meta.no_such_object(node, method)


@graph_endpoint()
def messages(request, version, node, fail_with=None):
    if request.method != "POST":
        raise meta.no_such_object(f"{node}/messages", request.method)
    expect_node(node, meta.phone_number_id(), request.method)
    body = json_body(request)
    if isinstance(body, dict) and body.get("status") == "read" and "message_id" in body:
        return mark_read(body)
    send = limits.check_send(body)
    return JsonResponse(emulator.accept_send(send, fail_with=fail_with))


def mark_read(body: dict) -> JsonResponse:
    if body.get("messaging_product") != "whatsapp":
        raise invalid("Param messaging_product must be 'whatsapp'.")
    if not isinstance(body.get("message_id"), str) or not body["message_id"]:
        raise invalid("Param message_id must be a message id (wamid).")
    indicator = body.get("typing_indicator")
    if indicator is not None and (
        not isinstance(indicator, dict) or indicator.get("type") != "text"
    ):
        raise invalid("Param typing_indicator['type'] must be 'text'.")
    emulator.mark_read_by_service(body["message_id"], typing=indicator is not None)
    return JsonResponse({"success": True})


@graph_endpoint()
def media_upload(request, version, node, fail_with=None):
    if request.method != "POST":
        raise meta.no_such_object(f"{node}/media", request.method)
    expect_node(node, meta.phone_number_id(), request.method)
    if request.POST.get("messaging_product") != "whatsapp":
        raise invalid("The parameter messaging_product is required and must be 'whatsapp'.")
    upload = request.FILES.get("file")
    if upload is None:
        raise invalid("The parameter file is required.")
    mime = (request.POST.get("type") or upload.content_type or "").split(";")[0].strip()
    if mime not in UPLOAD_LIMITS:
        raise invalid(
            f"Param file must be a file of a supported type; {mime or 'unknown'} is not."
        )
    if upload.size > UPLOAD_LIMITS[mime]:
        raise invalid(f"Param file is too large for {mime}: at most {UPLOAD_LIMITS[mime]} bytes.")
    media = emulator.store_media(upload.read(), mime, upload.name or "")
    return JsonResponse({"id": media.media_id})


@graph_endpoint()
def message_templates(request, version, node, fail_with=None):
    expect_node(node, meta.waba_id(), request.method)
    if request.method == "POST":
        fields = limits.check_template_submission(json_body(request))
        template = emulator.create_template(fields)
        return JsonResponse(
            {"id": template.template_id, "status": template.status, "category": template.category}
        )
    if request.method == "DELETE":
        name = request.GET.get("name", "")
        deleted, _ = EmulatedTemplate.objects.filter(waba_id=node, name=name).delete()
        if not deleted:
            raise invalid(f"Template {name!r} does not exist.")
        return JsonResponse({"success": True})
    if request.method != "GET":
        raise meta.no_such_object(f"{node}/message_templates", request.method)
    templates = EmulatedTemplate.objects.filter(waba_id=node).order_by("-created_at", "-id")
    for param, field in (("name", "name"), ("language", "language"), ("status", "status")):
        if request.GET.get(param):
            templates = templates.filter(**{field: request.GET[param]})
    try:
        limit = max(1, min(int(request.GET.get("limit", 100)), 1000))
    except ValueError:
        raise invalid("Param limit must be a number.") from None
    data = [emulator.template_json(t) for t in templates[:limit]]
    return JsonResponse(
        {"data": data, "paging": {"cursors": {"before": "MAZDZD", "after": "MjQZD"}}}
    )


@graph_endpoint()
def node(request, version, node, fail_with=None):
    """GET /{media-id} (or the phone number's own record); DELETE /{media-id}."""
    if node == meta.phone_number_id() and request.method == "GET":
        return JsonResponse(
            {
                "verified_name": "LA-LISA Satpol PP Balangan",
                "code_verification_status": "VERIFIED",
                "display_phone_number": "+" + meta.display_number(),
                "quality_rating": "GREEN",
                "platform_type": "CLOUD_API",
                "id": node,
            }
        )
    media = EmulatedMedia.objects.filter(media_id=node).first()
    if media is None or request.method not in ("GET", "DELETE"):
        raise meta.no_such_object(node, request.method)
    owner = request.GET.get("phone_number_id")
    if owner and owner != meta.phone_number_id():
        raise invalid(f"Media {node} does not belong to phone number {owner}.")
    if request.method == "DELETE":
        media.delete()
        return JsonResponse({"success": True})
    return JsonResponse(emulator.media_info(request, media))


@graph_endpoint()
def media_download(request, media_id, fail_with=None):
    """The URL GET /{media-id} hands out: expires, and needs the bearer token too."""
    media = EmulatedMedia.objects.filter(media_id=media_id).first()
    valid = emulator.media_url_valid(media_id, request.GET.get("ext"), request.GET.get("hash"))
    if media is None or not valid:
        return HttpResponse("Not Found", status=404, content_type="text/plain")
    response = HttpResponse(bytes(media.content), content_type=media.mime_type)
    response["Content-Length"] = str(len(media.content))
    return response


@graph_endpoint()
def unknown_path(request, rest, fail_with=None):
    raise GraphApiError(2500, message=f"Unknown path components: /{rest}", status=400)


@simulator_only
@csrf_exempt
def failures(request):
    """For the demo and browser tests: POST (JSON) adds a rule, DELETE clears them all,
    GET lists the live ones. Same-origin JSON only."""
    if request.method == "DELETE":
        FailureRule.objects.all().delete()
        return JsonResponse({"success": True})
    if request.method == "POST":
        if request.content_type != "application/json":
            return JsonResponse({"error": "Content-Type must be application/json"}, status=415)
        try:
            data = json.loads(request.body)
            rule = FailureRule.objects.create(
                path_contains=str(data.get("path_contains", "/messages")),
                http_status=int(data.get("http_status", 500)),
                error_code=int(data["error_code"]) if data.get("error_code") else None,
                remaining=int(data.get("remaining", 1)),
            )
        except (ValueError, TypeError, AttributeError) as exc:
            return JsonResponse({"error": f"bad rule: {exc}"}, status=400)
        return JsonResponse(_rule_json(rule), status=201)
    if request.method == "GET":
        rules = FailureRule.objects.filter(remaining__gt=0)
        return JsonResponse({"data": [_rule_json(r) for r in rules]})
    return HttpResponse(status=405)


def _rule_json(rule: FailureRule) -> dict:
    return {
        "id": rule.pk,
        "path_contains": rule.path_contains,
        "http_status": rule.http_status,
        "error_code": rule.error_code,
        "remaining": rule.remaining,
    }
