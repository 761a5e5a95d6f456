"""DRF throttles for the API, rates from AMAZON_PAY, counted in Django's default cache.

Per caller (the signed-in user, else the session): API_READ_RATE for reads, API_WRITE_RATE
for writes. Anyone can start a new session by dropping a cookie, so writes are also counted
per client address (API_ADDRESS_WRITE_RATE), and checkout starts, the only step that reaches
Amazon before the caller owns a checkout, have their own per-address rate (API_START_RATE).
GETs that read Amazon count per address too (API_AMAZON_READ_RATE, see reads.py).
The address is REMOTE_ADDR unless TRUSTED_PROXIES says otherwise (addresses.py): DRF's own
get_ident, which believes X-Forwarded-For when NUM_PROXIES is unset, is never used.
"""

from __future__ import annotations

import hashlib
from typing import Any

from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from ..addresses import client_address
from ..conf import get_settings

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class _CheckoutThrottle(SimpleRateThrottle):
    setting = ""
    #: counts safe (read) requests when True, unsafe (write) requests when False
    safe = True

    def __init__(self) -> None:  # the rate is read per request: settings may change
        pass

    def get_rate(self) -> str | None:
        return getattr(get_settings(), self.setting)

    def allow_request(self, request: Request, view: Any) -> bool:
        if (request.method in SAFE_METHODS) != self.safe:
            return True
        self.rate = self.get_rate()
        if self.rate is None:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_ident(self, request: Request) -> str:
        return client_address(request)

    def get_cache_key(self, request: Request, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.ident(request)}

    def ident(self, request: Request) -> str:
        """Who is counted: the caller (user, else session, else address)."""
        user = request.user
        if user and user.is_authenticated:
            return f"user:{user.pk}"
        session = getattr(request, "session", None)
        if session is not None and session.session_key:
            # hashed: a cookie's value may be long or odd, and Memcached refuses such keys
            return f"session:{hashlib.sha256(session.session_key.encode()).hexdigest()[:32]}"
        return f"addr:{self.get_ident(request)}"


class _AddressThrottle(_CheckoutThrottle):
    def ident(self, request: Request) -> str:
        return f"addr:{self.get_ident(request)}"


class CheckoutReadThrottle(_CheckoutThrottle):
    scope = "amazon_pay_read"
    setting = "api_read_rate"
    safe = True


class CheckoutWriteThrottle(_CheckoutThrottle):
    scope = "amazon_pay_write"
    setting = "api_write_rate"
    safe = False


class AddressWriteThrottle(_AddressThrottle):
    scope = "amazon_pay_address_write"
    setting = "api_address_write_rate"
    safe = False


class StartThrottle(_AddressThrottle):
    """Only on the start view: every start from one address, whatever its sessions."""

    scope = "amazon_pay_start"
    setting = "api_start_rate"
    safe = False


class AmazonReadThrottle(_AddressThrottle):
    """Not a view throttle: reads.may_read asks it when a GET is about to read Amazon, so
    the reads one address triggers are bounded whatever its sessions and checkouts."""

    scope = "amazon_pay_amazon_read"
    setting = "api_amazon_read_rate"
    safe = True
