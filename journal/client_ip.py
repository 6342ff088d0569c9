"""The address a request really came from: one function for the comment rate
limit, IP logging, login lockout and the login slow-down.

Behind a reverse proxy every request arrives from the proxy, and the visitor's
address is in ``X-Forwarded-For``, a header anyone can write. It is honoured
only as far as the operator says to trust it (``settings.JOURNAL``):

- ``TRUSTED_PROXIES``: networks of the proxies in front of the app. When the
  direct peer is one of them, the chain is read from the right and the first
  address that is not a trusted proxy is the client.
- ``PROXY_COUNT``: how many proxies stand in front of the app; the client is
  that many entries from the right of the header.

With neither, the header is ignored: a client cannot choose its own address.
django-ipware was considered: its trusted-proxy list matches the chain entry by
entry rather than as networks, and it does not check that the direct peer is a
trusted proxy, so a client reaching the app directly could still spoof it.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from .conf import option

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_address(value: str | None) -> Address | None:
    """An IP address from a header or REMOTE_ADDR, or None if it is not one."""
    if not value:
        return None
    value = value.strip()
    if value.startswith("[") and "]" in value:  # "[2001:db8::1]:443"
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # "192.0.2.1:443"
        value = value.split(":", 1)[0]
    # A zone ("fe80::1%eth0") names an interface of the sender, not a client.
    value = value.split("%", 1)[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


@lru_cache(maxsize=8)
def trusted_networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    """Parse the configured networks; a bad entry is a configuration error that
    the system check (journal.checks) reports at start-up."""
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries)


def resolve(
    remote_addr: str | None,
    forwarded_for: str | None,
    *,
    proxies: tuple[str, ...] = (),
    proxy_count: int = 0,
) -> str | None:
    """The client's address from the direct peer and the forwarded chain."""
    peer = parse_address(remote_addr)
    if peer is None:
        return None
    if not proxies and not proxy_count:
        return str(peer)
    chain = [parse_address(part) for part in (forwarded_for or "").split(",")]
    chain = [*(address for address in chain if address is not None), peer]
    if proxy_count:
        # The peer is the last proxy; each proxy added the address it saw.
        if len(chain) <= proxy_count:
            return str(peer)
        return str(chain[-(proxy_count + 1)])
    networks = trusted_networks(tuple(proxies))

    def trusted(address: Address) -> bool:
        return any(address in network for network in networks)

    if not trusted(peer):
        return str(peer)
    for address in reversed(chain):
        if not trusted(address):
            return str(address)
    # Every hop is one of ours: the left-most one is as close as we get.
    return str(chain[0])


def address_bucket(address: str | None) -> str:
    """What limits count by: the address, or for IPv6 its /64, which one
    customer usually holds whole (one address each would let them walk away
    from any limit)."""
    parsed = parse_address(address)
    if parsed is None:
        return "unknown"
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def client_ip(request) -> str | None:
    """The request's client address (see the module's docstring), or None."""
    cached = getattr(request, "_client_ip", False)
    if cached is not False:
        return cached
    address = resolve(
        request.META.get("REMOTE_ADDR"),
        request.META.get("HTTP_X_FORWARDED_FOR"),
        proxies=tuple(option("TRUSTED_PROXIES")),
        proxy_count=int(option("PROXY_COUNT")),
    )
    request._client_ip = address
    return address
