"""Personas shared by the tests: one of each role, two TRC teams, a citizen."""

from decimal import Decimal

import pytest

from lalisa.accounts.models import Role, User
from lalisa.complaints import workflow
from lalisa.complaints.models import Category, Reporter
from lalisa.regions.models import Kecamatan
from lalisa.teams.models import TrcTeam


@pytest.fixture(autouse=True)
def _fresh_texts():
    """Each test reads its own database's texts (a rolled-back edit leaves no cache)."""
    from lalisa.notifications.texts import clear_cache

    clear_cache()
    yield
    clear_cache()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Playwright drives Debian's Chromium (the project's setup installs it)."""
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": ["--no-sandbox", "--disable-gpu"],
    }


# The citizen on the phone simulator (fixtures web and chat).
pytest_plugins = ["tests.chat"]


def make_user(username, role, team=None, whatsapp=None):
    return User.objects.create_user(
        username=username,
        password="rahasia-uji-123",
        role=role,
        team=team,
        whatsapp=whatsapp,
        first_name=username.title(),
    )


@pytest.fixture
def paringin(db):
    return Kecamatan.objects.get(name="Paringin")


@pytest.fixture
def team_a(db, paringin):
    team = TrcTeam.objects.create(
        name="TRC Paringin",
        post_name="Pos Pasar Paringin",
        post_lat=Decimal("-2.3330"),
        post_lng=Decimal("115.4660"),
    )
    team.kecamatan.add(paringin)
    return team


@pytest.fixture
def team_b(db):
    return TrcTeam.objects.create(
        name="TRC Halong",
        post_name="Pos Halong",
        post_lat=Decimal("-2.1050"),
        post_lng=Decimal("115.5800"),
    )


@pytest.fixture
def admin(db):
    return make_user("alya", Role.ADMIN, whatsapp="081200000001")


@pytest.fixture
def kabid(db):
    return make_user("budi", Role.KABID, whatsapp="081200000002")


@pytest.fixture
def trc(db, team_a):
    return make_user("candra", Role.TRC, team=team_a, whatsapp="081200000003")


@pytest.fixture
def trc_b(db, team_b):
    return make_user("dedi", Role.TRC, team=team_b, whatsapp="081200000004")


@pytest.fixture
def pimpinan(db):
    return make_user("eka", Role.PIMPINAN)


@pytest.fixture
def superadmin(db):
    return make_user("fajar", Role.SUPERADMIN)


@pytest.fixture
def citizen(db):
    return Reporter.objects.create(
        user_id="ID.1410018717833190",
        wa_id="6281311112222",
        phone="+6281311112222",
        profile_name="Siti",
    )


@pytest.fixture
def other_citizen(db):
    return Reporter.objects.create(user_id="ID.2220018717833191", profile_name="Rudi")


@pytest.fixture
def category(db):
    return Category.objects.get(code="pkl")


@pytest.fixture
def file(db, citizen, category, paringin):
    """File a complaint as the citizen (or pass actor=… and other fields)."""

    def _file(**kwargs):
        fields = {
            "actor": citizen,
            "category": category,
            "description": "PKL berjualan di trotoar depan Pasar Paringin",
            "lat": Decimal("-2.332100"),
            "lng": Decimal("115.465400"),
            "kecamatan": paringin,
        }
        fields.update(kwargs)
        return workflow.file_complaint(**fields)

    return _file


SIM_SETTINGS = {
    "LALISA_SIMULATOR": True,
    "WHATSAPP_GRAPH_URL": "http://testserver/graph",
    "WHATSAPP_API_VERSION": "v23.0",
    "WHATSAPP_PHONE_NUMBER_ID": "106540352242922",
    "WHATSAPP_BUSINESS_ACCOUNT_ID": "102290129340398",
    "WHATSAPP_ACCESS_TOKEN": "test-access-token",
    "WHATSAPP_APP_SECRET": "test-app-secret",
    "WHATSAPP_VERIFY_TOKEN": "test-verify-token",
    "LALISA_WEBHOOK_URL": "http://testserver/webhooks/whatsapp",
}


@pytest.fixture
def graph_emulator(db, settings):
    """The service's Graph client talks to the project's own emulator, in process: real
    httpx requests through a WSGI transport into the same Django app and database."""
    import httpx
    from django.core import signals
    from django.core.wsgi import get_wsgi_application
    from django.db import close_old_connections

    from lalisa.whatsapp import graph

    for name, value in SIM_SETTINGS.items():
        setattr(settings, name, value)
    handler = get_wsgi_application()
    depth = [0]

    def app(environ, start_response):
        # As Django's test client does: a request must not close the test's connection,
        # nor may a request made inside another (the simulator posting its webhook).
        if depth[0] == 0:
            signals.request_started.disconnect(close_old_connections)
            signals.request_finished.disconnect(close_old_connections)
        depth[0] += 1
        try:
            response = handler(environ, start_response)
            body = list(response)
            response.close()
            return body
        finally:
            depth[0] -= 1
            if depth[0] == 0:
                signals.request_started.connect(close_old_connections)
                signals.request_finished.connect(close_old_connections)

    graph.use_transport(httpx.WSGITransport(app=app))
    try:
        yield SIM_SETTINGS
    finally:
        graph.use_transport(None)


@pytest.fixture
def media(settings, tmp_path):
    """Files (monthly reports, photos) stored under the test's own directory."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path, "base_url": None},
        },
    }
    return tmp_path
