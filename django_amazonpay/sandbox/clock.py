"""The simulator's clock: real time by default, frozen or moved by tests."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone


class Clock:
    """UTC time for the simulator. `freeze()` stops it, `advance()` moves it forward.

    Running (not frozen), it is the real clock plus any offset added by `advance()`.
    """

    def __init__(self, start: datetime | None = None) -> None:
        self._lock = threading.Lock()
        self._frozen_at: datetime | None = _aware(start) if start else None
        self._offset = timedelta(0)

    def now(self) -> datetime:
        with self._lock:
            if self._frozen_at is not None:
                return self._frozen_at
            return datetime.now(timezone.utc) + self._offset

    def freeze(self, at: datetime | None = None) -> None:
        current = self.now()
        with self._lock:
            self._frozen_at = _aware(at) if at else current

    def unfreeze(self) -> None:
        with self._lock:
            if self._frozen_at is not None:
                self._offset = self._frozen_at - datetime.now(timezone.utc)
            self._frozen_at = None

    def advance(self, delta: timedelta | float) -> datetime:
        """Move time forward by a timedelta or a number of seconds; returns the new now."""
        if not isinstance(delta, timedelta):
            delta = timedelta(seconds=delta)
        if delta < timedelta(0):
            raise ValueError("the simulator's clock only moves forward")
        with self._lock:
            if self._frozen_at is not None:
                self._frozen_at += delta
            else:
                self._offset += delta
        return self.now()

    @property
    def frozen(self) -> bool:
        return self._frozen_at is not None


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
