"""Whether a simulator mounted in a Django project answers at all.

It does with DEBUG on. With DEBUG off it answers only when the project says so explicitly,
`AMAZON_PAY["SIMULATOR_EXPOSED"] = True`, or while a test asked for it (`exposed_in_tests`,
the `amazon_pay_simulator_exposed` fixture); otherwise every URL under the mount is a 404.
`manage.py check` reports a mount that would answer nothing (docs/simulator.md, "Exposure").
The standalone server and the in-process route are not Django views: this does not apply.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

SETTING = "SIMULATOR_EXPOSED"

_lock = threading.Lock()
_test_requests = 0


def exposed_by_setting() -> bool:
    """AMAZON_PAY["SIMULATOR_EXPOSED"] is True (exactly: a truthy string is not consent)."""
    from django.conf import settings

    raw = getattr(settings, "AMAZON_PAY", None)
    return isinstance(raw, dict) and raw.get(SETTING) is True


def simulator_exposed() -> bool:
    """DEBUG, the explicit setting, or a test that asked for it."""
    from django.conf import settings

    return bool(settings.DEBUG) or exposed_by_setting() or _test_requests > 0


@contextmanager
def exposed_in_tests() -> Iterator[None]:
    """Serve mounted simulators while the block runs, whatever DEBUG says (tests run with
    DEBUG off, as pytest-django forces)."""
    global _test_requests
    with _lock:
        _test_requests += 1
    try:
        yield
    finally:
        with _lock:
            _test_requests -= 1
