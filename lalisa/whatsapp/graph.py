"""The one door to Meta's Graph API: every call goes through `call()`, with a timeout,
and is logged as an ApiCall row. Errors come back as GraphError, transient or permanent.

Tests and the demo point WHATSAPP_GRAPH_URL at the project's own emulator; tests may also
swap the transport (`use_transport`) to reach it without a socket.
"""

import json
import time

import httpx
from django.conf import settings

from lalisa.whatsapp.models import ApiCall
from lalisa.whatsapp.parse import storable

TIMEOUT = httpx.Timeout(10.0, connect=5.0)
# Meta's codes worth trying again: throttling and "too many messages to this user".
TRANSIENT_CODES = frozenset({130429, 131056, 131000, 1, 2, 4, 80007, 133004})
LOG_BODY_LIMIT = 20_000

_transport: httpx.BaseTransport | None = None


class GraphError(Exception):
    def __init__(
        self,
        message: str,
        *,
        code: int | None = None,
        status: int | None = None,
        permanent: bool,
        details: str = "",
    ):
        super().__init__(message)
        self.code = code
        self.status = status
        self.permanent = permanent
        self.details = details


def use_transport(transport: httpx.BaseTransport | None) -> None:
    """Route Graph calls through `transport` (tests); None restores real HTTP."""
    global _transport
    _transport = transport


def base_url() -> str:
    return f"{settings.WHATSAPP_GRAPH_URL.rstrip('/')}/{settings.WHATSAPP_API_VERSION}"


def _client() -> httpx.Client:
    return httpx.Client(
        timeout=TIMEOUT,
        transport=_transport,
        headers={"Authorization": f"Bearer {settings.WHATSAPP_ACCESS_TOKEN}"},
    )


def raw_client() -> httpx.Client:
    """A client without Meta's token on the same transport (the emulator posting webhooks)."""
    return httpx.Client(timeout=TIMEOUT, transport=_transport)


def _clip(text: str) -> str:
    # What a citizen's file or a staff text holds may be no storable text (NUL, a lone
    # surrogate): PostgreSQL would refuse the log row, and the call with it.
    text = text if len(text) <= LOG_BODY_LIMIT else text[:LOG_BODY_LIMIT] + "…"
    return storable(text)


def call(
    method: str,
    path: str,
    *,
    json_body=None,
    params=None,
    outbound=None,
    absolute_url: str | None = None,
    raw: bool = False,
    data=None,
    files=None,
):
    """Make one call; return the decoded JSON (or the httpx.Response when raw=True).

    Raises GraphError: permanent for 4xx errors Meta will repeat, transient for timeouts,
    connection errors, 5xx, 429 and the throttling codes."""
    url = absolute_url or f"{base_url()}/{path.lstrip('/')}"
    log = ApiCall(
        method=method,
        url=url[:500],
        outbound=outbound,
        request_body=_clip(json.dumps(json_body or data, ensure_ascii=False))
        if json_body or data
        else "",
    )
    started = time.monotonic()
    try:
        with _client() as client:
            response = client.request(
                method, url, json=json_body, params=params, data=data, files=files
            )
    except httpx.TimeoutException as exc:
        log.error = f"timeout: {exc}"
        raise GraphError("Graph API tidak menjawab (batas waktu)", permanent=False) from exc
    except httpx.HTTPError as exc:
        log.error = f"{type(exc).__name__}: {exc}"
        raise GraphError(f"Graph API tidak dapat dihubungi: {exc}", permanent=False) from exc
    finally:
        log.duration_ms = int((time.monotonic() - started) * 1000)
        if log.error:
            log.save()
    log.status_code = response.status_code
    content_type = response.headers.get("content-type", "")
    log.response_body = (
        _clip(response.text)
        if "json" in content_type or "text" in content_type
        else (f"<{len(response.content)} byte {content_type}>")
    )
    log.save()
    if response.status_code >= 400:
        raise _error_from(response)
    if raw:
        return response
    try:
        return response.json()
    except ValueError as exc:
        raise GraphError(
            "Jawaban Graph API bukan JSON", status=response.status_code, permanent=False
        ) from exc


def _error_from(response: httpx.Response) -> GraphError:
    try:
        error = response.json().get("error", {})
    except (ValueError, AttributeError):
        error = {}
    code = error.get("code")
    details = (error.get("error_data") or {}).get("details", "")
    message = error.get("message") or f"HTTP {response.status_code}"
    transient = (
        response.status_code >= 500 or response.status_code == 429 or code in TRANSIENT_CODES
    )
    return GraphError(
        message, code=code, status=response.status_code, permanent=not transient, details=details
    )
