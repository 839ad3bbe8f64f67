"""Where the phone simulator and the Graph API emulator may answer: only on a site nobody
outside this machine reaches by name. They need no login, list the reporters the service
knows and sign webhooks with the app secret, so on a public site anyone could read citizens'
chats and write as any citizen or member of staff.

A host is local when it is a loopback address (127.0.0.0/8, ::1, also written [::1] or
IPv4-mapped), `localhost` or a name under it (RFC 6761 keeps them on loopback), or Django's
test client's `testserver`. Every other ALLOWED_HOSTS entry is public: `*`, a domain, a
`.domain` pattern, any other address (private ranges too: a LAN is not this machine).
DEBUG changes nothing: a public simulator shows the same data either way. Since the Host
header is the client's to write, each request must also come from this machine (a loopback
client address, through a trusted proxy too).
"""

import ipaddress

from django.conf import settings
from django.core import checks

from lalisa.proxies import client_ip

LOCAL_NAMES = {"localhost", "testserver"}


def is_local_host(entry: str) -> bool:
    host = entry.strip().lower().rstrip(".")
    # ".localhost" matches localhost and its subdomains; "*.localhost" matches nothing.
    host = host.removeprefix("*").removeprefix(".")
    if host in LOCAL_NAMES or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host.removeprefix("[").removesuffix("]"))
    except ValueError:
        return False
    return (getattr(address, "ipv4_mapped", None) or address).is_loopback


def public_hosts(hosts) -> list[str]:
    return [host for host in hosts if not is_local_host(host)]


def served(request) -> bool:
    """Read per request: the tests switch the simulator on and off."""
    if not settings.LALISA_SIMULATOR or public_hosts(settings.ALLOWED_HOSTS):
        return False
    client = client_ip(request)
    return client is not None and is_local_host(client)


# Not deploy-only: every command (serve, db_worker, migrate) refuses such settings, and
# `check --deploy` reports them.
@checks.register(checks.Tags.security)
def simulator_only_on_local_hosts(app_configs=None, **kwargs):
    public = public_hosts(settings.ALLOWED_HOSTS) if settings.LALISA_SIMULATOR else []
    if not public:
        return []
    return [
        checks.Error(
            "LALISA_SIMULATOR menyala sementara ALLOWED_HOSTS memuat host publik "
            f"({', '.join(public)}): simulator ponsel dan emulator Graph API akan "
            "memperlihatkan pelapor dan menandatangani webhook dengan rahasia aplikasi bagi "
            "siapa saja. Keduanya tidak dilayani dengan pengaturan ini.",
            hint="Matikan LALISA_SIMULATOR di produksi. Simulator hanya untuk localhost, "
            "alamat loopback (127.0.0.1, ::1) dan testserver.",
            id="simulator.E001",
        )
    ]
