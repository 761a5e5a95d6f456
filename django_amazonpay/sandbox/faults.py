"""Declared failures per operation, consumed one request at a time (issue 3 item 4).

Kinds and what is applied to the simulated state:

| kind           | answer                                 | state change applied? |
| -------------- | -------------------------------------- | --------------------- |
| http_500       | 500 InternalError (Receiver)           | no                    |
| http_503       | 503 ServiceUnavailable (Receiver)      | no                    |
| throttled      | 503 RequestThrottled                   | no                    |
| slow           | the real answer after `delay` seconds  | yes                   |
| malformed      | 200 with truncated, unparsable XML     | yes                   |
| reset          | connection closed, no answer           | no                    |
| lost_response  | connection closed, no answer           | yes                   |
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass

KINDS = frozenset(
    {"http_500", "http_503", "throttled", "slow", "malformed", "reset", "lost_response"}
)
#: kinds that stop the request before the engine sees it
BEFORE_ENGINE = frozenset({"http_500", "http_503", "throttled", "reset"})
#: matches every operation
ANY = "*"


@dataclass
class Fault:
    action: str
    kind: str
    times: int = 1
    delay: float = 0.0

    def as_dict(self) -> dict:
        return asdict(self)


class Faults:
    """`inject(action, kind, times=1, delay=0.0)`; `take(action)` pops the next one that applies."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: list[Fault] = []
        #: every fault fired, in order: (action, kind), for assertions
        self.fired: list[tuple[str, str]] = []

    def inject(self, action: str, kind: str, *, times: int = 1, delay: float = 0.0) -> Fault:
        """Make the next `times` calls of `action` ("*" = any operation) fail with `kind`."""
        if kind not in KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; use one of {sorted(KINDS)}")
        if times < 1:
            raise ValueError("times must be at least 1")
        if kind == "slow" and delay <= 0:
            raise ValueError("a slow fault needs a positive delay")
        fault = Fault(action, kind, times, float(delay))
        with self._lock:
            self._pending.append(fault)
        return fault

    def take(self, action: str) -> Fault | None:
        with self._lock:
            for fault in self._pending:
                if fault.action in (action, ANY):
                    fault.times -= 1
                    if fault.times == 0:
                        self._pending.remove(fault)
                    self.fired.append((action, fault.kind))
                    return Fault(fault.action, fault.kind, 1, fault.delay)
        return None

    def pending(self) -> list[Fault]:
        with self._lock:
            return [Fault(f.action, f.kind, f.times, f.delay) for f in self._pending]

    def clear(self) -> None:
        with self._lock:
            self._pending.clear()
            self.fired.clear()
