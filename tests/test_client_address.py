"""The address the login lock-outs and the public lookup's limit count: X-Forwarded-For is
believed only from LALISA_TRUSTED_PROXIES, and then only its right-most entry that is not
itself a trusted proxy; a forged header from anyone else changes nothing."""

import secrets

import pytest
from django.test import RequestFactory

from lalisa.accounts.models import LoginAttempt
from lalisa.proxies import client_ip, trusted_networks
from lalisa.public import lookup
from lalisa.public.models import LookupTurn
from tests.test_settings import lalisa, production_env

PASSWORD = "rahasia-uji-123"
LOCKED = "Terlalu banyak percobaan masuk yang gagal"
ATTACKER = "203.0.113.9"
# What an attacker writes into the header, a new value on every try.
FORGED = [
    "198.51.100.{n}",
    "198.51.100.{n}, 127.0.0.1",
    "127.0.0.1, 198.51.100.{n}",
    "::1",
    "2001:db8::{n}",
    "[2001:db8::{n}]:443",
    "198.51.100.{n}:80",
    "unknown",
    "junk-{n}",
    "",
    " , ",
    "10.0.0.{n}, 10.0.0.{n}, 10.0.0.{n}",
    ", ".join(["198.51.100.{n}"] * 50),
]


@pytest.fixture(autouse=True)
def https_deployment(settings):
    """Production behind the TLS proxy on this machine. The switch that once made HTTPS
    believe every X-Forwarded-For is set too: nothing reads it any more."""
    settings.LALISA_TRUSTED_PROXIES = ["127.0.0.1", "::1"]
    settings.LALISA_TRUST_X_FORWARDED_FOR = True


def address(remote, forwarded=None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip(RequestFactory().get("/", **meta))


# --- the one function -------------------------------------------------------------------


@pytest.mark.parametrize("remote", [ATTACKER, "10.0.0.7", "2001:db8::99", "192.168.1.2"])
@pytest.mark.parametrize("forged", FORGED)
def test_a_forged_header_from_an_untrusted_address_is_ignored(remote, forged):
    assert address(remote, forged.format(n=7)) == remote


@pytest.mark.parametrize(
    ("forwarded", "client"),
    [
        ("198.51.100.7", "198.51.100.7"),
        ("1.2.3.4, 198.51.100.7", "198.51.100.7"),  # the client wrote the first one
        ("junk, unknown, 198.51.100.7", "198.51.100.7"),
        ("198.51.100.7 ", "198.51.100.7"),
        ("198.51.100.7:51234", "198.51.100.7"),
        ("2001:db8::7", "2001:db8::7"),
        ("2001:DB8:0:0:0:0:0:7", "2001:db8::7"),
        ("[2001:db8::7]:51234", "2001:db8::7"),
        ("::ffff:198.51.100.7", "198.51.100.7"),  # one client, one address
        ("fe80::7%eth0", "fe80::7"),
        ("198.51.100.7, 127.0.0.1", "198.51.100.7"),  # passed through a second local proxy
        ("127.0.0.1", "127.0.0.1"),  # a request made on this machine
    ],
)
@pytest.mark.parametrize("proxy", ["127.0.0.1", "::1", "::ffff:127.0.0.1"])
def test_the_trusted_proxys_entry_is_the_client(proxy, forwarded, client):
    assert address(proxy, forwarded) == client


@pytest.mark.parametrize(
    "forwarded",
    ["", "junk", "unknown", "198.51.100.7, junk", "198.51.100.7 198.51.100.8", "999.1.1.1"],
)
def test_garbage_from_the_proxy_counts_as_the_proxy_never_as_nobody(forwarded):
    assert address("127.0.0.1", forwarded) == "127.0.0.1"
    assert address("127.0.0.1") == "127.0.0.1"


def test_a_chain_of_trusted_proxies_is_walked_from_the_right(settings):
    settings.LALISA_TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/8", "fd00::/8"]
    chain = "6.6.6.6, 198.51.100.7, 10.1.2.3, 10.4.5.6"
    assert address("127.0.0.1", chain) == "198.51.100.7"
    assert address("10.9.9.9", chain) == "198.51.100.7"
    assert address("fd00::1", "2001:db8::7, fd00::2") == "2001:db8::7"
    # Only proxies all the way: the one farthest away.
    assert address("127.0.0.1", "10.1.2.3, 10.4.5.6") == "10.1.2.3"
    # The first address not trusted ends the walk, whatever stands left of it.
    assert address("127.0.0.1", "10.1.2.3, 198.51.100.7, 10.4.5.6") == "198.51.100.7"
    # Not a trusted proxy: its header is ignored, however it is written.
    assert address("192.168.0.1", chain) == "192.168.0.1"


def test_no_trusted_proxy_believes_no_header(settings):
    settings.LALISA_TRUSTED_PROXIES = []
    assert address("127.0.0.1", "198.51.100.7") == "127.0.0.1"


def test_a_unix_socket_peer_is_the_local_proxy():
    # gunicorn on a unix socket leaves REMOTE_ADDR empty: only local processes reach it.
    assert address("", "1.2.3.4, 198.51.100.7") == "198.51.100.7"


def test_trusted_proxies_are_addresses_or_networks():
    assert [str(n) for n in trusted_networks([" 10.0.0.0/8", "::1 ", "192.168.1.5/24"])] == [
        "10.0.0.0/8",
        "::1/128",
        "192.168.1.0/24",
    ]
    for wrong in ("*", "nginx", "10.0.0.0/33", "localhost"):
        with pytest.raises(ValueError):
            trusted_networks([wrong])


@pytest.mark.parametrize("wrong", ["*", "127.0.0.1,nginx"])
def test_settings_refuse_a_trusted_proxy_that_is_no_address(tmp_path, wrong):
    env = production_env(tmp_path, SECRET_KEY=secrets.token_urlsafe(50))
    env["LALISA_TRUSTED_PROXIES"] = wrong
    result = lalisa("check", env=env)
    assert result.returncode != 0
    assert "LALISA_TRUSTED_PROXIES" in result.stdout + result.stderr


# --- the limits that count per address ----------------------------------------------------


def login(client, password, remote, forwarded, username="alya"):
    return client.post(
        "/masuk/",
        {"username": username, "password": password},
        REMOTE_ADDR=remote,
        HTTP_X_FORWARDED_FOR=forwarded,
    )


def test_a_forged_header_does_not_escape_the_address_lockout(client, admin):
    for n in range(20):  # 20 names, one try each: only the address can lock
        forged = FORGED[n % len(FORGED)].format(n=n)
        login(client, "salah", ATTACKER, forged, username=f"orang{n}")
    assert set(LoginAttempt.objects.values_list("ip", flat=True)) == {ATTACKER}
    assert LoginAttempt.objects.filter(locks_ip=True, ip=ATTACKER).count() == 1
    html = login(client, PASSWORD, ATTACKER, "198.51.100.250").content.decode()
    assert LOCKED in html
    assert "_auth_user_id" not in client.session


def test_behind_the_proxy_each_client_has_its_own_lockout(client, admin):
    for n in range(20):
        login(client, "salah", "127.0.0.1", f"6.6.6.{n}, 198.51.100.7", username=f"orang{n}")
    assert set(LoginAttempt.objects.values_list("ip", flat=True)) == {"198.51.100.7"}
    assert LOCKED in login(client, PASSWORD, "127.0.0.1", "198.51.100.7").content.decode()
    # Another citizen behind the same proxy is not held back.
    assert login(client, PASSWORD, "127.0.0.1", "198.51.100.8").status_code == 302


def lookup_once(client, remote, forwarded):
    return client.get(
        "/publik/cek/",
        {"kode": "LL-2101-9999"},
        REMOTE_ADDR=remote,
        HTTP_X_FORWARDED_FOR=forwarded,
    )


def test_a_forged_header_does_not_escape_the_lookup_limit(client, db):
    for n in range(lookup.LIMIT):
        forged = FORGED[n % len(FORGED)].format(n=n)
        assert lookup_once(client, ATTACKER, forged).status_code == 200
    assert lookup_once(client, ATTACKER, "198.51.100.250").status_code == 429
    assert lookup_once(client, ATTACKER, "").status_code == 429
    assert set(LookupTurn.objects.values_list("address", flat=True)) == {ATTACKER}


def test_behind_the_proxy_each_client_has_its_own_lookup_limit(client, db):
    for n in range(lookup.LIMIT):
        assert lookup_once(client, "::1", f"6.6.6.{n}, 2001:db8::7").status_code == 200
    assert lookup_once(client, "::1", "[2001:db8::7]:443").status_code == 429
    assert lookup_once(client, "127.0.0.1", "2001:db8::8").status_code == 200
    assert set(LookupTurn.objects.values_list("address", flat=True)) == {
        "2001:db8::7",
        "2001:db8::8",
    }
