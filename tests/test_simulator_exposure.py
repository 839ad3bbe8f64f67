"""The phone simulator and the Graph API emulator are never served on a public site: with
LALISA_SIMULATOR on and a public ALLOWED_HOSTS they answer 404, and the system check that
every command and `check --deploy` run is an error."""

import secrets

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import RequestFactory

from lalisa.simulator import exposure
from lalisa.worker.management.commands import serve
from tests.test_settings import lalisa, production_env

PHONE_NUMBER_ID = "106540352242922"

# (ALLOWED_HOSTS, a Host header Django accepts with it)
PUBLIC = [
    (["*"], "lalisa.example.go.id"),
    (["lalisa.example.go.id"], "lalisa.example.go.id"),
    ([".example.go.id"], "lalisa.example.go.id"),
    (["203.0.113.5"], "203.0.113.5"),
    (["10.0.0.5"], "10.0.0.5"),  # a LAN is not this machine
    (["192.168.1.20"], "192.168.1.20"),
    (["[2001:db8::5]"], "[2001:db8::5]"),
    (["localhost", "127.0.0.1", "lalisa.example.go.id"], "localhost"),  # one public is enough
    (["localhost.example.go.id"], "localhost.example.go.id"),
    (["127.0.0.1.nip.io"], "127.0.0.1.nip.io"),
    (["LALISA.Example.go.id"], "lalisa.example.go.id"),
]
LOCAL = [
    [],
    ["localhost"],
    ["127.0.0.1", "localhost"],
    ["testserver", "127.0.0.1", "localhost"],  # the tests' own
    ["127.8.9.10"],
    ["::1"],
    ["[::1]"],
    ["::ffff:127.0.0.1"],
    [".localhost"],
    ["demo.localhost"],
    ["LOCALHOST."],
]


@pytest.fixture
def reporter_filed(file, citizen):
    """A complaint from Siti: the simulator's page lists her as a citizen to play."""
    file()
    return citizen


@pytest.mark.parametrize(("hosts", "host"), PUBLIC)
def test_the_check_is_an_error_for_a_public_site(settings, hosts, host):
    settings.LALISA_SIMULATOR = True
    settings.ALLOWED_HOSTS = hosts
    errors = exposure.simulator_only_on_local_hosts()
    assert [e.id for e in errors] == ["simulator.E001"]
    assert errors[0].is_serious()
    assert not exposure.served(RequestFactory().get("/simulator/"))
    settings.LALISA_SIMULATOR = False  # off: nothing to report
    assert exposure.simulator_only_on_local_hosts() == []


def test_odd_spellings_of_a_public_host_stay_public():
    for entry in ("lalisa.example.go.id.", "localhost:8000", "evil-localhost", "0.0.0.0", "*"):  # noqa: S104
        assert not exposure.is_local_host(entry), entry
    assert exposure.public_hosts(["localhost", "*.localhost", "*"]) == ["*"]


@pytest.mark.parametrize("hosts", LOCAL)
def test_a_local_only_site_may_run_the_simulator(settings, hosts):
    settings.LALISA_SIMULATOR = True
    settings.ALLOWED_HOSTS = hosts
    assert exposure.simulator_only_on_local_hosts() == []
    assert exposure.served(RequestFactory().get("/simulator/"))


@pytest.mark.parametrize(("hosts", "host"), PUBLIC)
@pytest.mark.parametrize("debug", [False, True])
def test_a_public_site_gets_404_from_the_simulator_and_the_emulator(
    client, graph_emulator, settings, reporter_filed, hosts, host, debug
):
    settings.DEBUG = debug
    settings.ALLOWED_HOSTS = hosts
    page = client.get("/simulator/", HTTP_HOST=host)
    assert page.status_code == 404
    assert reporter_filed.profile_name not in page.content.decode()
    chat = client.get("/simulator/api/chat", {"user_id": reporter_filed.user_id}, HTTP_HOST=host)
    assert chat.status_code == 404
    sent = client.post(
        "/simulator/api/send",
        {"user_id": reporter_filed.user_id, "kind": "text", "text": "halo"},
        content_type="application/json",
        HTTP_HOST=host,
    )
    assert sent.status_code == 404
    graph = client.post(
        f"/graph/v23.0/{PHONE_NUMBER_ID}/messages",
        {"messaging_product": "whatsapp", "to": "6281311112222", "type": "text"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {graph_emulator['WHATSAPP_ACCESS_TOKEN']}",
        HTTP_HOST=host,
    )
    assert graph.status_code == 404
    assert client.get(f"/graph/v23.0/{PHONE_NUMBER_ID}", HTTP_HOST=host).status_code == 404
    failures = client.post("/graph/_control/failures", {}, HTTP_HOST=host)
    assert failures.status_code == 404


def test_a_local_site_serves_the_simulator_with_its_reporters(
    client, graph_emulator, settings, reporter_filed
):
    settings.ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
    for host in ("testserver", "127.0.0.1", "localhost"):
        page = client.get("/simulator/", HTTP_HOST=host)
        assert page.status_code == 200
        assert reporter_filed.profile_name in page.content.decode()


@pytest.mark.parametrize(
    ("remote", "forwarded"),
    [
        ("192.0.2.2", None),  # this machine's own LAN address is reached from outside too
        ("203.0.113.9", "127.0.0.1"),  # a forged header changes nothing
        ("2001:db8::9", None),
        ("127.0.0.1", "203.0.113.9"),  # through the local proxy, for someone outside
        ("::1", "198.51.100.7, 127.0.0.1"),
    ],
)
def test_a_local_site_answers_only_this_machine(
    client, graph_emulator, reporter_filed, remote, forwarded
):
    """The Host header is the client's to write: `Host: localhost` from outside gets 404."""
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    page = client.get("/simulator/", HTTP_HOST="localhost", REMOTE_ADDR=remote, **extra)
    assert page.status_code == 404
    graph = client.get(f"/graph/v23.0/{PHONE_NUMBER_ID}", REMOTE_ADDR=remote, **extra)
    assert graph.status_code == 404
    # The same request from this machine, directly or through the local proxy, is served.
    assert client.get("/simulator/", HTTP_HOST="localhost").status_code == 200
    local = client.get("/simulator/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="::1")
    assert local.status_code == 200


def test_serve_refuses_to_start_with_the_simulator_on_a_public_site(settings, monkeypatch):
    started = []
    monkeypatch.setattr(serve.Command, "handle", lambda self, **options: started.append(1))
    settings.LALISA_SIMULATOR = True
    settings.ALLOWED_HOSTS = ["lalisa.example.go.id"]
    with pytest.raises(SystemCheckError, match="simulator.E001"):
        call_command("serve", skip_checks=False)
    assert started == []
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
    call_command("serve", skip_checks=False)
    assert started == [1]


@pytest.mark.parametrize("hosts", ["*", "203.0.113.5"])
def test_check_deploy_fails_with_the_simulator_on(tmp_path, hosts):
    env = production_env(tmp_path, SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS=hosts)
    env.update(LALISA_SIMULATOR="1", DEBUG="0")
    result = lalisa("check", "--deploy", env=env)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "simulator.E001" in output
