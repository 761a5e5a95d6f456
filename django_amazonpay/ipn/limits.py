"""What one client may cost the endpoint: a body-size cap and a limit on refused deliveries.

Both are applied before the body is read. Refused deliveries (anything not answered 200, and
duplicates) are counted per client in THROTTLE_CACHE; the count starts with a client's first
refusal and is forgotten one period later. The client is addresses.client_address: REMOTE_ADDR
unless AMAZON_PAY['TRUSTED_PROXIES'] says otherwise, an IPv6 client by its /64. See
docs/ipn.md, The inbox.
"""

from __future__ import annotations

import hashlib

from django.core.cache import caches
from django.http import HttpRequest

from ..conf import get_settings

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
KEY = "amazonpay:ipn:refused:"
#: summaries of refused deliveries kept per hour from all clients together: many addresses
#: each within IPN_REJECTED_RATE must not fill the inbox either; beyond it they are logged only
MAX_REFUSED_SUMMARIES_PER_HOUR = 1000
SUMMARIES_KEY = "amazonpay:ipn:refused-summaries"


class BodyTooLarge(Exception):
    """More bytes than IPN_MAX_BODY_BYTES: answered 413, the body is never read."""


class BadLength(Exception):
    """A Content-Length that is not a number."""


class LengthRequired(Exception):
    """A body sent chunked (Transfer-Encoding) without a Content-Length: answered 411. A WSGI
    server hands Django no length for it, and Django then reads nothing (docs/ipn.md)."""


def declared_length(request: HttpRequest) -> int | None:
    raw = request.META.get("CONTENT_LENGTH") or ""
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit()):
        raise BadLength(f"Content-Length {raw[:40]!r} is not a number")
    return int(raw)


def read_body(request: HttpRequest, limit: int) -> bytes:
    """At most `limit` bytes of the body: a larger declared length is refused unread, a
    chunked body without a length too (411), and a server that hands a body on without a
    length and without saying it was chunked is read no further than limit + 1 bytes."""
    length = declared_length(request)
    if length is None and request.META.get("HTTP_TRANSFER_ENCODING"):
        raise LengthRequired("send the notification with a Content-Length, not chunked")
    if length is not None and length > limit:
        raise BodyTooLarge(f"the body has {length} bytes; at most {limit} are accepted")
    data = request.read(limit + 1)
    if len(data) > limit:
        raise BodyTooLarge(f"the body has more than {limit} bytes")
    return data


def _key(client: str) -> str:
    # an address or network as addresses.client_address names it; hashed if it is anything
    # else, so no cache backend meets a key it refuses
    if len(client) <= 64 and all(c.isalnum() or c in ".:/" for c in client):
        return KEY + client
    return KEY + "other:" + hashlib.sha256(client.encode("utf-8", "replace")).hexdigest()[:32]


def _rate() -> tuple[int, int] | None:
    rate = get_settings().ipn_rejected_rate
    if rate is None:
        return None
    count, period = rate.split("/")
    return int(count), PERIODS[period[0]]


def refused_too_often(client: str) -> bool:
    """Whether this client has used up its refused deliveries for the current period."""
    rate = _rate()
    if rate is None:
        return False
    limit, _ = rate
    cache = caches[get_settings().throttle_cache]
    return (cache.get(_key(client)) or 0) >= limit


def count_refusal(client: str) -> None:
    rate = _rate()
    if rate is None:
        return
    _, seconds = rate
    cache = caches[get_settings().throttle_cache]
    key = _key(client)
    cache.add(key, 0, seconds)  # the period starts with the first refusal
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, seconds)


def keep_refused_summary() -> bool:
    """Count one more summary of a refused delivery; False once the hour's are used up."""
    cache = caches[get_settings().throttle_cache]
    cache.add(SUMMARIES_KEY, 0, 3600)  # the hour starts with the first summary
    try:
        kept = cache.incr(SUMMARIES_KEY)
    except ValueError:  # expired between add and incr
        cache.add(SUMMARIES_KEY, 1, 3600)
        kept = 1
    return kept <= MAX_REFUSED_SUMMARIES_PER_HOUR
