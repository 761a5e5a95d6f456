"""Client-side token buckets per (seller, operation), shared through a Django-style cache.

Spec 2.1: each operation has a bucket of `quota` requests refilled at `restore` per second;
an empty bucket answers 503 RequestThrottled. Waiting here instead keeps bursts from
drawing 503s. Implemented as GCRA (one "theoretical arrival time" per key) so a bucket is
one cache value; a short `cache.add` mutex makes read-modify-write safe across processes
(LocMemCache, Redis, Memcached all implement `add` atomically).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Bucket:
    quota: int
    #: tokens per second
    restore: float

    @property
    def interval(self) -> float:
        return 1.0 / self.restore


_PROD_MUTATE = Bucket(10, 1.0)
_PROD_READ = Bucket(20, 2.0)
_SANDBOX_MUTATE = Bucket(2, 0.5)
_SANDBOX_READ = Bucket(5, 1.0)
_STATUS = Bucket(2, 1 / 300)  # GetServiceStatus: 1 every 5 min, both tables

_MUTATING = (
    "Authorize", "CancelOrderReference", "Capture", "CloseAuthorization", "CloseOrderReference",
    "ConfirmOrderReference", "Refund", "SetOrderAttributes", "SetOrderReferenceDetails",
    "AuthorizeOnBillingAgreement", "CloseBillingAgreement", "ConfirmBillingAgreement",
    "CreateOrderReferenceForId", "SetBillingAgreementDetails", "ValidateBillingAgreement",
)  # fmt: skip
_READS = (
    "GetAuthorizationDetails", "GetCaptureDetails", "GetOrderReferenceDetails",
    "GetRefundDetails", "GetBillingAgreementDetails",
)  # fmt: skip

#: spec 2.1 production table
PRODUCTION: dict[str, Bucket] = {
    **{op: _PROD_MUTATE for op in _MUTATING},
    **{op: _PROD_READ for op in _READS},
    "GetServiceStatus": _STATUS,
}
#: spec 2.1 sandbox table
SANDBOX: dict[str, Bucket] = {
    **{op: _SANDBOX_MUTATE for op in _MUTATING},
    **{op: _SANDBOX_READ for op in _READS},
    "GetServiceStatus": _STATUS,
}
#: spec 7: ListOrderItems and ListOrderItemsByNextToken share one bucket (no sandbox)
ORDERS_BUCKET = "ListOrderItems"
ORDERS = Bucket(30, 0.5)
SHARED = {"ListOrderItems": ORDERS_BUCKET, "ListOrderItemsByNextToken": ORDERS_BUCKET}


def bucket_for(operation: str, *, sandbox: bool) -> tuple[str, Bucket] | None:
    """(bucket name, Bucket); None for operations with unconfirmed quotas (spec 2.1)."""
    if operation in SHARED:
        return SHARED[operation], ORDERS
    table = SANDBOX if sandbox else PRODUCTION
    bucket = table.get(operation)
    return (operation, bucket) if bucket else None


class Throttle:
    """`acquire(seller, operation, max_wait)` blocks until the bucket has a token.

    `clock` must be a wall clock shared by every process using the cache (time.time), not a
    per-process monotonic clock.
    """

    LOCK_TTL = 2  # seconds; a crashed holder frees the key by itself
    LOCK_SPINS = 50

    def __init__(
        self,
        cache: Any,
        *,
        sandbox: bool,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        prefix: str = "amazonpay:mws:bucket",
    ) -> None:
        self.cache = cache
        self.sandbox = sandbox
        self.clock = clock
        self.sleep = sleep
        self.prefix = prefix

    def _key(self, seller_id: str, name: str) -> str:
        env = "sandbox" if self.sandbox else "live"
        return f"{self.prefix}:{env}:{seller_id}:{name}"

    def reserve(self, seller_id: str, operation: str, max_wait: float | None) -> float:
        """Take a token; returns seconds to wait before sending (0 = now).

        GCRA: `tat` is when the bucket would be full again. A request may go at
        tat - quota*interval; it moves tat one interval on. When the wait exceeds `max_wait`
        no token is taken and 0 is returned: the request goes now and may draw a 503, which
        the retry layer handles (config.throttle_max_wait).
        """
        found = bucket_for(operation, sandbox=self.sandbox)
        if found is None:
            return 0.0
        name, bucket = found
        key = self._key(seller_id, name)
        with _Mutex(self.cache, key + ":lock", self.LOCK_TTL, self.LOCK_SPINS):
            now = self.clock()
            tat = self.cache.get(key)
            tat = max(float(tat) if tat is not None else now, now)
            new_tat = tat + bucket.interval
            wait = max(0.0, new_tat - bucket.quota * bucket.interval - now)
            if max_wait is not None and wait > max_wait:
                return 0.0
            ttl = int(bucket.quota * bucket.interval + wait) + 1
            self.cache.set(key, new_tat, ttl)
        return wait

    def acquire(self, seller_id: str, operation: str, max_wait: float | None) -> float:
        """Reserve and sleep; returns the seconds slept."""
        wait = self.reserve(seller_id, operation, max_wait)
        if wait > 0:
            self.sleep(wait)
        return wait

    def reset(self, seller_id: str, operation: str) -> None:
        found = bucket_for(operation, sandbox=self.sandbox)
        if found:
            self.cache.delete(self._key(seller_id, found[0]))

    def reset_all(self, seller_id: str) -> None:
        """Every bucket of `seller_id` full again (a test starting afresh; never in production:
        the buckets mirror Amazon's, which no reset of ours refills)."""
        table = SANDBOX if self.sandbox else PRODUCTION
        names = {*table, ORDERS_BUCKET}
        self.cache.delete_many([self._key(seller_id, name) for name in names])


class _Mutex:
    """A short-lived cross-process lock on `cache.add`; gives up (unlocked) rather than hang."""

    def __init__(self, cache: Any, key: str, ttl: int, spins: int) -> None:
        self.cache, self.key, self.ttl, self.spins = cache, key, ttl, spins
        self.held = False

    def __enter__(self) -> _Mutex:
        for _ in range(self.spins):
            if self.cache.add(self.key, 1, self.ttl):
                self.held = True
                return self
            time.sleep(0.002)  # real time: the holder is another thread or process
        return self  # fail open: at worst two processes share a token

    def __exit__(self, *exc: object) -> None:
        if self.held:
            self.cache.delete(self.key)
