"""Which address a request comes from, for per-address limits (docs/api.md, Trusted proxies).

`X-Forwarded-For` is a claim anyone can make, so it counts only behind the proxies named in
AMAZON_PAY['TRUSTED_PROXIES']: walking the header from the right (the nearest hop first),
the client is the first address that is not one of those proxies. Without the setting the
client is REMOTE_ADDR, whatever the headers say. IPv6 clients are counted per /64 network,
the block one subscriber usually holds, so rotating addresses inside it escapes nothing.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from .conf import IPNetwork, get_settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
FORWARDED_FOR = "HTTP_X_FORWARDED_FOR"
#: hops of X-Forwarded-For looked at, nearest first; a longer chain is not a real one
MAX_HOPS = 16
UNKNOWN = "unknown"


def _parse(text: str) -> IPAddress | None:
    """An address from a REMOTE_ADDR or X-Forwarded-For entry ("[v6]:port" and
    "v4:port" forms included); None when it is not one."""
    text = text.strip()
    if text.startswith("["):  # [2001:db8::1]:443
        text = text[1 : text.find("]")] if "]" in text else ""
    elif text.count(":") == 1:  # 192.0.2.1:443
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(address: IPAddress, networks: tuple[IPNetwork, ...]) -> bool:
    return any(address.version == net.version and address in net for net in networks)


def _name(address: IPAddress | None) -> str:
    if address is None:
        return UNKNOWN
    if isinstance(address, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


def client_address(request: Any) -> str:
    """The client's address as a string (an IPv6 client as its /64), or "unknown"."""
    meta = request.META
    networks = get_settings().trusted_proxy_networks
    remote = meta.get("REMOTE_ADDR") or ""
    if not networks:
        return _name(_parse(remote))
    forwarded = meta.get(FORWARDED_FOR) or ""
    hops = forwarded.split(",")[-MAX_HOPS:] if forwarded else []
    # nearest first; an empty REMOTE_ADDR is a proxy on a Unix socket, a local peer
    chain = ([remote] if remote else []) + hops[::-1]
    address: IPAddress | None = None
    for hop in chain:
        parsed = _parse(hop)
        if parsed is None:  # no trusted proxy writes this: the client wrote it, stop here
            break
        address = parsed
        if not _trusted(parsed, networks):
            break
    return _name(address)
