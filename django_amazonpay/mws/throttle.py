"""Client-side token buckets per (seller, operation), shared through a Django-style cache.

Spec 2.1: each operation has a bucket of `quota` requests refilled at `restore` per second;
an empty bucket answers 503 RequestThrottled. Waiting here instead keeps bursts from
drawing 503s. Implemented as GCRA (one "theoretical arrival time" per key) so a bucket is
one cache value; a short `cache.add` mutex makes read-modify-write safe across processes
(LocMemCache, Redis, Memcached all implement `add` atomically).

Shares (docs/api.md, "Quota shares"): a call may name the class of work it belongs to,
interactive (a person is waiting) or background (settle runs, IPN processing). Each class
then also has an allowance of its own in the same cache value: at most the bucket's burst
minus what is kept for the other class, refilled at (1 - reserved_share) of the restore rate.
So a flood of one class leaves the other its reserved tokens and refill: neither can starve
the other. A call that cannot have its token within its wait budget is not sent at all
(ShareExhausted): sent anyway, it would spend the other class's tokens at Amazon or draw a 503.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from .errors import Throttled

INTERACTIVE = "interactive"
BACKGROUND = "background"
SHARES = (INTERACTIVE, BACKGROUND)
#: the class of the calls made in this context; interactive unless background work says so
_share: ContextVar[str] = ContextVar("django_amazonpay_throttle_share", default=INTERACTIVE)


def current_share() -> str:
    """The class (INTERACTIVE or BACKGROUND) of calls made in this context."""
    return _share.get()


@contextmanager
def use_share(name: str) -> Iterator[None]:
    """Calls made inside belong to class `name` (client.interactive / client.background)."""
    if name not in SHARES:
        raise ValueError(f"unknown throttle share {name!r}; use one of {SHARES}")
    token = _share.set(name)
    try:
        yield
    finally:
        _share.reset(token)


class ShareExhausted(Throttled):
    """No token for this call within its wait budget, so it was never sent."""

    def __init__(self, operation: str, retry_after: float, share: str | None) -> None:
        whose = f"the {share} share of" if share else ""
        super().__init__(
            f"not sent: {whose} the {operation} bucket has no token for {retry_after:.1f} s",
            code="ShareExhausted",
            operation=operation,
        )
        #: seconds until a token would be free (what a Retry-After header can say)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Bucket:
    quota: float
    #: tokens per second
    restore: float

    @property
    def interval(self) -> float:
        return 1.0 / self.restore

    def allowance(self, reserved_share: float) -> Bucket:
        """What one class may use when `reserved_share` is kept for the other: the burst
        minus the kept tokens (at least one kept, never more than half), and the rest of the
        refill rate."""
        if reserved_share <= 0:
            return self
        kept = min(self.quota // 2, max(1, math.ceil(reserved_share * self.quota)))
        return Bucket(self.quota - kept, self.restore * (1 - reserved_share))


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

#: the cache value's entry for the whole bucket (the others are named after the shares)
_WHOLE = "bucket"


def bucket_for(operation: str, *, sandbox: bool) -> tuple[str, Bucket] | None:
    """(bucket name, Bucket); None for operations with unconfirmed quotas (spec 2.1)."""
    if operation in SHARED:
        return SHARED[operation], ORDERS
    table = SANDBOX if sandbox else PRODUCTION
    bucket = table.get(operation)
    return (operation, bucket) if bucket else None


def _gcra(tat: float | None, now: float, bucket: Bucket) -> tuple[float, float]:
    """(seconds until `bucket` has a token, its new tat once the token is taken).

    `tat` is when the bucket would be full again. A request may go at tat - quota*interval;
    it moves tat one interval on.
    """
    start = now if tat is None else max(tat, now)
    new_tat = start + bucket.interval
    return max(0.0, new_tat - bucket.quota * bucket.interval - now), new_tat


class Throttle:
    """`acquire(seller, operation, max_wait, share=...)` blocks until the bucket has a token.

    `clock` must be a wall clock shared by every process using the cache (time.time), not a
    per-process monotonic clock. `reserved_share` (0 to 0.5) is what each class of work keeps
    of every bucket for itself; 0 turns shares off.
    """

    LOCK_TTL = 2  # seconds; a crashed holder frees the key by itself
    LOCK_SPINS = 50
    #: attempts of one acquire() before it gives up (others of its class keep winning)
    MAX_ATTEMPTS = 20

    def __init__(
        self,
        cache: Any,
        *,
        sandbox: bool,
        reserved_share: float = 0.0,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        prefix: str = "amazonpay:mws:bucket",
    ) -> None:
        if not 0 <= reserved_share <= 0.5:
            raise ValueError("reserved_share must be between 0 and 0.5")
        self.cache = cache
        self.sandbox = sandbox
        self.reserved_share = reserved_share
        self.clock = clock
        self.sleep = sleep
        self.prefix = prefix
        #: when set and true, calls pass without a token: the server at the other end keeps
        #: no quota (a simulator with its throttle off, see django_amazonpay.testing)
        self.unlimited: Callable[[], bool] | None = None

    def _key(self, seller_id: str, name: str) -> str:
        env = "sandbox" if self.sandbox else "live"
        return f"{self.prefix}:{env}:{seller_id}:{name}"

    def _state(self, key: str) -> dict[str, float]:
        value = self.cache.get(key)
        if isinstance(value, dict):
            return dict(value)
        return {} if value is None else {_WHOLE: float(value)}  # written by an older version

    def _attempt(
        self, seller_id: str, operation: str, max_wait: float | None, share: str | None
    ) -> tuple[float, bool]:
        """One try at a token: (seconds to wait, whether the token was taken).

        Not taken when the class must first wait for its own allowance (nothing is booked
        meanwhile, so a class that waits never holds back the other) or when the wait would
        exceed `max_wait`.
        """
        found = bucket_for(operation, sandbox=self.sandbox)
        if found is None:
            return 0.0, True
        name, bucket = found
        key = self._key(seller_id, name)
        with _Mutex(self.cache, key + ":lock", self.LOCK_TTL, self.LOCK_SPINS):
            now = self.clock()
            state = self._state(key)
            wait, state[_WHOLE] = _gcra(state.get(_WHOLE), now, bucket)
            if share is not None and self.reserved_share > 0:
                own = bucket.allowance(self.reserved_share)
                own_wait, own_tat = _gcra(state.get(share), now, own)
                if own_wait > 0:
                    return own_wait, False
                state[share] = own_tat
            if max_wait is not None and wait > max_wait:
                return wait, False
            ttl = int(max(state.values()) - now) + 1
            self.cache.set(key, state, ttl)
        return wait, True

    def reserve(
        self, seller_id: str, operation: str, max_wait: float | None, share: str | None = None
    ) -> float:
        """Take a token now, without sleeping; returns seconds to wait before sending (0 = now).

        Raises ShareExhausted when no token can be taken now: the wait exceeds `max_wait`,
        or `share`'s own allowance is spent for the moment. `share=None` draws on the whole
        bucket, as one class alone.
        """
        wait, taken = self._attempt(seller_id, operation, max_wait, share)
        if not taken:
            raise ShareExhausted(operation, wait, share)
        return wait

    def acquire(
        self, seller_id: str, operation: str, max_wait: float | None, share: str | None = None
    ) -> float:
        """Take a token, sleeping for it at most `max_wait` seconds in all; returns the seconds
        slept. Raises ShareExhausted (nothing taken, nothing to send) when it would take longer.
        """
        slept = wait = 0.0
        for _ in range(self.MAX_ATTEMPTS):
            budget = None if max_wait is None else max_wait - slept
            wait, taken = self._attempt(seller_id, operation, budget, share)
            if budget is not None and wait > budget:
                raise ShareExhausted(operation, wait, share)
            if wait > 0:
                self.sleep(wait)
                slept += wait
            if taken:
                return slept
        raise ShareExhausted(operation, wait, share)

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
