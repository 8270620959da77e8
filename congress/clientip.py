"""The client's address, decided in one place.

Sign-in lockouts (django-axes) and the public forms' rate limits (django-ratelimit) are keyed on it. The
connecting address (REMOTE_ADDR) is the client unless it is one of the TRUSTED_PROXIES (the load balancer or
reverse proxy of the deployment): only then is X-Forwarded-For read, from the right, skipping the trusted proxies
that appended to it; the first address that is not a trusted proxy is the client. Anything further left was written
by the client itself and is ignored, so a forged header from an untrusted peer changes nothing.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# The key of a peer without a usable address (a Unix socket); not a bind address.
UNKNOWN = "0.0.0.0"  # nosec B104  # noqa: S104

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError as exc:
            raise ImproperlyConfigured(f"TRUSTED_PROXIES: {entry!r} is not an IP address or network") from exc
    return tuple(networks)


def trusted_networks() -> tuple[Network, ...]:
    return _networks(tuple(e for e in getattr(settings, "TRUSTED_PROXIES", ()) if e and e.strip()))


def _parse(value: str) -> Address | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # "[2001:db8::1]:443"
        value = value[1:value.index("]")]
    elif value.count(":") == 1:  # "203.0.113.7:51234"
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def is_trusted_proxy(address: Address | str | None) -> bool:
    if isinstance(address, str):
        address = _parse(address)
    if address is None:
        return False
    return any(address.version == net.version and address in net for net in trusted_networks())


def from_trusted_proxy(request) -> bool:
    """Did this request reach us through one of the TRUSTED_PROXIES (so that its X-Forwarded-* headers count)?"""
    return is_trusted_proxy(request.META.get("REMOTE_ADDR", ""))


def client_ip(request) -> str:
    """The client's address as a normalised string; never empty (UNKNOWN when the peer has no usable address)."""
    remote = _parse(request.META.get("REMOTE_ADDR", "") or "")
    if remote is None:
        return UNKNOWN
    if not is_trusted_proxy(remote):
        return str(remote)
    client = remote
    for hop in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        if not hop.strip():
            continue
        address = _parse(hop)
        if address is None:  # not written by a proxy of ours: stop at the last address one of them vouched for
            break
        client = address
        if not is_trusted_proxy(address):
            break
    return str(client)
