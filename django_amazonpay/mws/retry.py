"""What is retried, and how long to pause: exponential backoff with full jitter.

Only this module decides "may this failure be sent again?" for the wire: Throttled and
ServerError (503/500, spec 1.8) and TransportError. Whether a *repeat* of a mutating call is
safe, and what a DuplicateReference or InvalidState on a repeat means, is decided by the
operation (payments.py), because it depends on the reference id (spec 3.9).
"""

from __future__ import annotations

import random as _random
from collections.abc import Callable
from dataclasses import dataclass

from .config import RetryPolicy
from .errors import AmazonPayError, MwsError, TransportError


@dataclass(frozen=True)
class CallOptions:
    """Per-call overrides of the client's RetryPolicy and throttle wait.

    `retries=0` sends once; `max_wait` caps the *total* pause of one call (backoff plus the
    throttle bucket). A web request uses `max_wait=0` so nothing sleeps in it (STYLE 3).
    """

    retries: int | None = None
    max_wait: float | None = None


NO_WAIT = CallOptions(retries=0, max_wait=0.0)


def is_retryable(exc: BaseException) -> bool:
    if isinstance(exc, TransportError):
        return True
    return isinstance(exc, MwsError) and exc.retryable


def backoff(attempt: int, policy: RetryPolicy, rand: Callable[[], float]) -> float:
    """Pause before retry number `attempt` (1-based): uniform in [0, min(max, base * 2**(n-1))].

    Full jitter spreads the repeats of many processes hit by the same 503 (AWS architecture
    blog, "Exponential Backoff And Jitter").
    """
    ceiling = min(policy.backoff_max, policy.backoff_base * (2 ** (attempt - 1)))
    return ceiling * rand()


class RetryState:
    """Counts attempts and pause budget for one call."""

    def __init__(
        self,
        policy: RetryPolicy,
        options: CallOptions,
        *,
        sleep: Callable[[float], None],
        rand: Callable[[], float] = _random.random,
    ) -> None:
        self.policy = policy
        self.max_retries = policy.max_retries if options.retries is None else options.retries
        self.budget = options.max_wait  # None = unbounded (background jobs)
        self.sleep = sleep
        self.rand = rand
        self.attempt = 0
        self.waited = 0.0

    def remaining_budget(self) -> float | None:
        if self.budget is None:
            return None
        return max(0.0, self.budget - self.waited)

    def spend(self, seconds: float) -> None:
        self.waited += seconds

    def next_pause(self, exc: AmazonPayError) -> float | None:
        """Seconds to pause before the next attempt, or None when `exc` must be raised."""
        if not is_retryable(exc) or self.attempt > self.max_retries:
            return None
        pause = backoff(self.attempt, self.policy, self.rand)
        budget = self.remaining_budget()
        if budget is not None and pause > budget:
            return None  # STYLE 3: never block beyond the caller's budget; raise instead
        return pause

    def pause(self, seconds: float) -> None:
        if seconds > 0:
            self.sleep(seconds)
            self.spend(seconds)
