"""DRF throttles for the API, rates from AMAZON_PAY (API_READ_RATE, API_WRITE_RATE).

Counted per caller (user, else session, else client address) in Django's default cache.
"""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from ..conf import get_settings

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class _CheckoutThrottle(SimpleRateThrottle):
    setting = ""
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

    def get_cache_key(self, request: Request, view: Any) -> str:
        user = request.user
        if user and user.is_authenticated:
            ident = f"user:{user.pk}"
        elif getattr(request, "session", None) is not None and request.session.session_key:
            ident = f"session:{request.session.session_key}"
        else:
            ident = f"addr:{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


class CheckoutReadThrottle(_CheckoutThrottle):
    scope = "amazon_pay_read"
    setting = "api_read_rate"
    safe = True


class CheckoutWriteThrottle(_CheckoutThrottle):
    scope = "amazon_pay_write"
    setting = "api_write_rate"
    safe = False
