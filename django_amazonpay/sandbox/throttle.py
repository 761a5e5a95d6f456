"""Per-operation MWS throttling: leaky buckets on the simulator's clock (spec 2.1, 7).

MWS semantics: a bucket starts full at the max quota, each request takes one token, tokens come
back at the restore rate. Sandbox and production have different quotas; the mode is chosen by
the path the request came in on (or forced by the Simulator's `throttle` argument).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime

from .clock import Clock


@dataclass(frozen=True)
class Quota:
    max_quota: int
    restore_per_second: float


_WRITE_LIVE, _WRITE_SANDBOX = Quota(10, 1.0), Quota(2, 0.5)
_READ_LIVE, _READ_SANDBOX = Quota(20, 2.0), Quota(5, 1.0)
_WRITES = (
    "Authorize CancelOrderReference Capture CloseAuthorization CloseOrderReference "
    "ConfirmOrderReference Refund SetOrderAttributes SetOrderReferenceDetails "
    "AuthorizeOnBillingAgreement CloseBillingAgreement ConfirmBillingAgreement "
    "CreateOrderReferenceForId SetBillingAgreementDetails ValidateBillingAgreement"
).split()
_READS = (
    "GetAuthorizationDetails GetCaptureDetails GetOrderReferenceDetails GetRefundDetails "
    "GetBillingAgreementDetails"
).split()

#: spec 2.1, per mode. Operations not listed (GetMerchantAccountStatus, ListOrderReference...)
#: have **unconfirmed** quotas: they get the read quota, a guess.
QUOTAS: dict[str, dict[str, Quota]] = {
    "production": {
        **{op: _WRITE_LIVE for op in _WRITES},
        **{op: _READ_LIVE for op in _READS},
        "GetServiceStatus": Quota(2, 1 / 300),
    },
    "sandbox": {
        **{op: _WRITE_SANDBOX for op in _WRITES},
        **{op: _READ_SANDBOX for op in _READS},
        "GetServiceStatus": Quota(2, 1 / 300),
    },
}
DEFAULT_QUOTA = {"production": _READ_LIVE, "sandbox": _READ_SANDBOX}
#: ListOrderItems and ListOrderItemsByNextToken share one bucket: 30, 1 every 2 s (spec 7).
ORDERS_BUCKET = "Orders.ListOrderItems"
ORDERS_QUOTA = Quota(30, 0.5)


class _Bucket:
    __slots__ = ("last", "quota", "tokens")

    def __init__(self, quota: Quota, now: datetime) -> None:
        self.quota = quota
        self.tokens = float(quota.max_quota)
        self.last = now

    def take(self, now: datetime) -> bool:
        elapsed = max((now - self.last).total_seconds(), 0.0)
        self.tokens = min(
            self.quota.max_quota, self.tokens + elapsed * self.quota.restore_per_second
        )
        self.last = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


class Throttle:
    """`allow(operation, mode)` is False when the bucket is empty (answer 503 RequestThrottled).

    `enabled` False (the default for tests) lets everything through. `mode` None follows the
    path; "sandbox"/"production" forces one quota table for every request.
    """

    def __init__(self, clock: Clock, enabled: bool = False, mode: str | None = None) -> None:
        if mode not in (None, "sandbox", "production"):
            raise ValueError("throttle mode is 'sandbox' or 'production'")
        self.clock = clock
        self.enabled = enabled
        self.mode = mode
        self._buckets: dict[tuple[str, str], _Bucket] = {}
        self._lock = threading.Lock()

    def quota(self, operation: str, mode: str) -> Quota:
        if operation == ORDERS_BUCKET:
            return ORDERS_QUOTA
        return QUOTAS[mode].get(operation, DEFAULT_QUOTA[mode])

    def allow(self, operation: str, mode: str) -> bool:
        if not self.enabled:
            return True
        mode = self.mode or mode
        now = self.clock.now()
        with self._lock:
            key = (mode, operation)
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = self._buckets[key] = _Bucket(self.quota(operation, mode), now)
            return bucket.take(now)

    def reset(self) -> None:
        with self._lock:
            self._buckets.clear()
