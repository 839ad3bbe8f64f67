"""No log line carries a citizen's number, a WhatsApp id or the webhook's verify token: the
masking itself (lalisa.redact), the filter on every handler, gunicorn's access log under
`lalisa serve`, runserver's request lines, and the worker's own warnings, which name the
record's id instead."""

import datetime as dt
import io
import json
import logging
from pathlib import Path
from types import SimpleNamespace

import gunicorn.config
import pytest

from lalisa import logs
from lalisa.redact import redact
from lalisa.whatsapp import identity, inbound, parse
from lalisa.whatsapp.models import InboundMessage, OutboundMessage
from lalisa.worker.management.commands.serve import Command as Serve

FIXTURES = Path(__file__).parent / "fixtures" / "whatsapp"
TOKEN = "verify-token-s3cret"

# 0812-3456-7890 as people type it, as WhatsApp writes it and as a query string carries it.
NUMBER_FORMS = [
    "+6281234567890",
    "6281234567890",
    "081234567890",
    "0812-3456-7890",
    "0812 3456 7890",
    "0812.3456.7890",
    "(0812) 3456-7890",
    "0812 - 3456 - 7890",
    "+62 812-3456-7890",
    "+62 (812) 3456 7890",
    "81234567890",
    "%2B6281234567890",
    "%2b62%20812%203456%207890",
    "0812+3456+7890",
    "0812%203456%207890",
    "0812%2D3456%2D7890",
]


def shows_number(text: str) -> bool:
    """Whether the middle of 0812-3456-7890 (what masking hides) is there."""
    return "3456" in text


# --- the masking -----------------------------------------------------------------------


@pytest.mark.parametrize("number", NUMBER_FORMS)
def test_a_number_is_masked_in_any_form(number):
    for text in (number, f"cari {number} saja", f"/?q={number}&status=received"):
        masked = redact(text)
        assert not shows_number(masked), (text, masked)
        assert "****7890" in masked, (text, masked)


def test_the_brief_form_of_a_masked_number():
    assert redact("+6281234567890") == "+62812****7890"
    assert redact("q=081234567890&page=2") == "q=08123****7890&page=2"
    assert redact("+49 151 1234 5678") == "+49151****5678"


@pytest.mark.parametrize(
    "text",
    [
        "LL-2611-0042 diverifikasi 2026-12-04 10:11:12,345",
        "[04/Dec/2026:10:11:12 +0800] GET /aduan/LL-2611-0042/ 200 81234",
        "POST /v23.0/106540352242922/messages took 0.123456 s from 10.80.123.45",
        "media 1234567890123456 stored (2048000 bytes), pukul 08.12 - 09.30",
        "Rp 620.000.000 pada 04/12/2026",
    ],
)
def test_what_is_not_a_number_stays(text):
    assert redact(text) == text


@pytest.mark.parametrize(
    "query",
    [
        f"hub.mode=subscribe&hub.verify_token={TOKEN}&hub.challenge=1158201444",
        f"hub.challenge=1&hub.verify_token={TOKEN}",
        f"hub%2Everify_token={TOKEN}&hub.mode=subscribe",
        f"HUB.VERIFY_TOKEN={TOKEN}",
        f"access_token={TOKEN}&x=1",
        f"csrfmiddlewaretoken={TOKEN}",
        f"password={TOKEN}",
        # A redirect's `next=` carries the query string encoded.
        f"next=%2Fwebhooks%2Fwhatsapp%3Fhub.verify_token%3D{TOKEN}%26hub.challenge%3D1",
        # The public lookup's check part: with the code it opens a complaint's status.
        f"kode=LL-2612-0001&cek={TOKEN}",
        f"cek={TOKEN}&kode=LL-2612-0001",
        f"next=%2Fpublik%2Fcek%2F%3Fkode%3DLL-2612-0001%26cek%3D{TOKEN}",
    ],
)
def test_secrets_in_a_query_string_lose_their_value(query):
    line = redact(f'"GET /webhooks/whatsapp?{query} HTTP/1.1" 200 10')
    assert TOKEN not in line and "***" in line
    assert line.startswith('"GET /webhooks/whatsapp?') and line.endswith(' HTTP/1.1" 200 10')


def test_a_bearer_token_wamid_and_bsuid_are_masked():
    wamid = "wamid.GA02MjgxMjUxMjM0NTY3aW4tdGV4dBUCABIYFDk1NEYzQzQ0RUFBQjk0OTBGODdGAA=="
    line = redact(f"Authorization: Bearer {TOKEN} {wamid} from ID.1410018717833190")
    assert TOKEN not in line and "MjgxMjUx" not in line and "1410018717833190" not in line
    assert f"wamid.…{wamid[-6:]}" in line and "ID.14100****3190" in line


# --- the filter on every handler -------------------------------------------------------


def project_handlers():
    """Every handler the project's logging configuration attached (not pytest's own)."""
    loggers = [logging.getLogger()] + [
        lg for lg in logging.Logger.manager.loggerDict.values() if isinstance(lg, logging.Logger)
    ]
    return {
        handler
        for logger in loggers
        for handler in logger.handlers
        if not type(handler).__module__.startswith("_pytest")
    }


def test_every_handler_carries_the_filter(settings):
    handlers = project_handlers()
    assert handlers, "no handler configured"
    for handler in handlers:
        assert any(isinstance(f, logs.PersonalDataFilter) for f in handler.filters), handler
    # Django's own loggers are among them, with the filter.
    for name in ("django", "django.server"):
        logger = logging.getLogger(name)
        assert logger.handlers or logger.propagate, name


def emitted(logger_name: str, *args, exc_info=None, **extra) -> str:
    """What the project's handlers write for one record of this logger."""
    logger = logging.getLogger(logger_name)
    record = logger.makeRecord(
        logger_name, logging.WARNING, __file__, 1, args[0], args[1:], exc_info, extra=extra
    )
    chain, out = logger, io.StringIO()
    while chain is not None:
        for handler in chain.handlers:
            if isinstance(handler, logging.StreamHandler) and handler in project_handlers():
                previous = handler.setStream(out)
                try:
                    handler.handle(record)
                finally:
                    handler.setStream(previous)
        chain = chain.parent if chain.propagate else None
    return out.getvalue()


@pytest.mark.parametrize("number", ["+6281234567890", "0812-3456-7890", "0812 3456 7890"])
def test_runserver_request_lines_are_masked(number):
    request_line = f"GET /webhooks/whatsapp?hub.verify_token={TOKEN}&q={number} HTTP/1.1"
    line = emitted("django.server", '"%s" %s %s', request_line, "403", "9", server_time="x")
    assert "GET /webhooks/whatsapp?hub.verify_token=***" in line
    assert TOKEN not in line and not shows_number(line)


def test_a_warning_and_its_traceback_are_masked():
    try:
        raise ValueError("Key (wa_id)=(6281234567890) already exists.")
    except ValueError as exc:
        error = (type(exc), exc, exc.__traceback__)
    line = emitted("lalisa.whatsapp.inbound", "failed for %s", "0812 3456 7890", exc_info=error)
    assert "failed for 08123****7890" in line and "Key (wa_id)=(62812****7890)" in line
    assert "Traceback" in line and not shows_number(line)


# --- gunicorn's access log (`lalisa serve`) ----------------------------------------------


def gunicorn_logger() -> tuple[logs.GunicornLogger, io.StringIO]:
    cfg = gunicorn.config.Config()
    cfg.set("accesslog", "-")
    cfg.set("logger_class", "lalisa.logs.GunicornLogger")
    logger = cfg.logger_class(cfg)
    out = io.StringIO()
    own_handler(logger.access_log).setStream(out)
    return logger, out


def own_handler(log: logging.Logger) -> logging.Handler:
    """gunicorn's own handler (pytest adds its capture to loggers that do not propagate)."""
    (handler,) = [h for h in log.handlers if getattr(h, "_gunicorn", False)]
    return handler


def access_line(uri: str, referer: str = "-") -> str:
    logger, out = gunicorn_logger()
    path, _, query = uri.partition("?")
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": uri,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "10.0.0.7",
        "HTTP_REFERER": referer,
        "HTTP_USER_AGENT": "Mozilla/5.0 (Linux; Android 13) Chrome/120.0.6099.144",
    }
    request = SimpleNamespace(headers=[("REFERER", referer), ("HOST", "lalisa.example.go.id")])
    response = SimpleNamespace(status="200 OK", sent=512, headers=[("Content-Type", "text/html")])
    logger.access(response, request, environ, dt.timedelta(seconds=0, microseconds=1500))
    return out.getvalue()


def test_serve_runs_gunicorn_with_the_masking_logger():
    argv = Serve.gunicorn_argv("127.0.0.1:8000", 2, 4)
    assert "--logger-class=lalisa.logs.GunicornLogger" in argv
    assert "--access-logfile=-" in argv
    cfg = gunicorn.config.Config()
    cfg.set("logger_class", "lalisa.logs.GunicornLogger")
    assert cfg.logger_class is logs.GunicornLogger


def test_the_verify_token_is_not_in_the_access_log():
    uri = f"/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token={TOKEN}&hub.challenge=42"
    line = access_line(uri)
    assert TOKEN not in line
    masked = "/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=***&hub.challenge=42"
    assert f'"GET {masked} HTTP/1.1"' in line
    assert line.startswith("10.0.0.7 - - [") and '" 200 512 "-" "Mozilla/5.0' in line


@pytest.mark.parametrize("number", NUMBER_FORMS)
@pytest.mark.parametrize("search", ["/?q=", "/api/v1/complaints?status=received&q="])
def test_a_searched_number_is_not_in_the_access_log(search, number):
    line = access_line(f"{search}{number}", referer=f"https://lalisa.example.go.id/?q={number}")
    assert not shows_number(line), line
    assert line.count("****7890") == 2, line  # the request and the page it came from


@pytest.mark.django_db
@pytest.mark.parametrize("number", ["0812-3456-7890", "+6281234567890", "0812 3456 7890"])
def test_a_number_in_the_login_redirect_is_not_in_the_access_log(client, number):
    # The inbox sends a visitor without a session to log in, the search in `next=`.
    location = client.get("/", {"q": number})["Location"]
    assert location.startswith("/masuk/?next=")
    for uri in (location, location.replace("%2B", "%252B").replace("%20", "%2520")):
        line = access_line(uri)
        assert not shows_number(line) and "****7890" in line, line


def test_gunicorn_error_log_is_filtered_too():
    logger, _ = gunicorn_logger()
    for log in (logger.error_log, logger.access_log):
        assert any(isinstance(f, logs.PersonalDataFilter) for f in own_handler(log).filters)
    handler = own_handler(logger.error_log)
    out = io.StringIO()
    handler.setStream(out)
    logger.error("Invalid request from %s: /?q=%s", "10.0.0.7", "0812 3456 7890")
    assert "/?q=08123****7890" in out.getvalue()


def test_a_custom_access_format_is_masked_too():
    logger, out = gunicorn_logger()
    logger.cfg.set("access_log_format", '%(U)s %(q)s "%({referer}i)s" %({raw_uri}e)s')
    environ = {"REQUEST_METHOD": "GET", "SERVER_PROTOCOL": "HTTP/1.1", "PATH_INFO": "/"}
    environ |= {"RAW_URI": "/?q=0812-3456-7890", "QUERY_STRING": "q=0812-3456-7890"}
    request = SimpleNamespace(headers=[("REFERER", f"/?hub.verify_token={TOKEN}")])
    response = SimpleNamespace(status="200 OK", sent=1, headers=[])
    logger.access(response, request, environ, dt.timedelta(seconds=1))
    line = out.getvalue()
    assert line == '/ q=08123****7890 "/?hub.verify_token=***" /?q=08123****7890\n', line


# --- the worker's warnings name ids ------------------------------------------------------


def fixture_items(name: str) -> list:
    return parse.parse(json.loads((FIXTURES / name).read_text()))


def no_identity(caplog, *values: str) -> list[str]:
    lines = [r.getMessage() for r in caplog.records]
    for line in lines:
        assert "****" not in line and "wamid" not in line, line
        for value in values:
            assert value not in line, line
    return lines


@pytest.mark.django_db
def test_a_number_moving_to_another_user_names_the_reporter(caplog, citizen):
    caplog.set_level(logging.INFO)
    identity.follow_change(
        previous_user_id="", user_id="ID.9990018717833199", previous_wa_id="", wa_id=citizen.wa_id
    )
    lines = no_identity(caplog, citizen.wa_id, "1410018717833190", "9990018717833199")
    assert f"the WhatsApp number of reporter {citizen.pk} moved to another user" in lines
    assert "identity change for an unknown user ignored" in lines


@pytest.mark.django_db
def test_a_staff_number_change_names_the_user_and_field(caplog, kabid):
    caplog.set_level(logging.INFO)
    identity.follow_change(
        previous_user_id="", user_id="", previous_wa_id="6281200000002", wa_id="6281299998888"
    )
    kabid.refresh_from_db()
    assert kabid.whatsapp == "+6281299998888"
    lines = no_identity(caplog, "81200000002", "81299998888", "99998888")
    assert f"staff user {kabid.pk}: WhatsApp whatsapp followed" in lines


@pytest.mark.django_db
def test_a_failing_handler_names_the_message(caplog, monkeypatch):
    def broken(message):
        raise RuntimeError("boom")

    monkeypatch.setattr(inbound, "HANDLERS", [broken])
    caplog.set_level(logging.INFO)
    (item,) = fixture_items("text.json")
    inbound.handle(item)
    message = InboundMessage.objects.get()
    lines = no_identity(caplog, "6281251234567", "MjgxMjUx", item.wamid)
    assert any(line.endswith(f"failed on inbound message {message.pk}") for line in lines)


@pytest.mark.django_db
def test_statuses_name_the_outbound_or_only_a_wamid_tail(caplog):
    caplog.set_level(logging.INFO)
    (unknown,) = fixture_items("status_delivered.json")
    inbound.handle(unknown)
    (late,) = fixture_items("status_failed.json")
    msg = OutboundMessage.objects.create(
        wamid=late.wamid, state="delivered", kind="text", payload={"type": "text"}
    )
    inbound.handle(late)
    lines = [r.getMessage() for r in caplog.records]
    for line in lines:
        for value in ("6281251234567", "6282154321098", "MjgxMjUx", "MjgyMTU0", unknown.wamid):
            assert value not in line, line
    assert f"status delivered for unknown message wamid.…{unknown.wamid[-6:]} ignored" in lines
    assert f"failed after delivered for outbound {msg.pk} ignored" in lines
