"""The client's address, for what is counted per address (login lock-outs, the public
lookup's limit): REMOTE_ADDR, unless the request came from a proxy named in
LALISA_TRUSTED_PROXIES; then the right-most X-Forwarded-For entry that is not itself a trusted
proxy. What stands left of it was written by the client and is never believed.

A peer without an IP address (gunicorn on a unix socket leaves REMOTE_ADDR empty) counts as
trusted, as gunicorn counts it: only processes allowed to open the socket file reach it.
"""

import functools
import ipaddress

from django.conf import settings

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def trusted_networks(entries) -> tuple[Network, ...]:
    """LALISA_TRUSTED_PROXIES: addresses or CIDR networks; ValueError for anything else."""
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries)


@functools.lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return trusted_networks(entries)


def parse_address(text: str) -> Address | None:
    """One address as proxies write it (`203.0.113.5`, `203.0.113.5:4711`, `2001:db8::1`,
    `[2001:db8::1]:4711`); an IPv4-mapped one as IPv4, without an IPv6 zone, so one client
    is one address. None for anything else ("unknown", junk)."""
    text = text.strip()
    if text.startswith("["):
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:  # IPv4 with a port
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text.partition("%")[0])
    except ValueError:
        return None
    return getattr(address, "ipv4_mapped", None) or address


def client_ip(request) -> str | None:
    trusted = _networks(tuple(settings.LALISA_TRUSTED_PROXIES))
    client = parse_address(request.META.get("REMOTE_ADDR", ""))
    if client is not None and not any(client in network for network in trusted):
        return str(client)
    for entry in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        address = parse_address(entry)
        if address is None:
            break  # a trusted proxy handed on what it could not read: the client is that proxy
        client = address
        if not any(address in network for network in trusted):
            break
    return str(client) if client is not None else None
