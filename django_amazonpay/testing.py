"""pytest plugin for host shops: the Amazon Pay simulator as fixtures.

Loaded automatically through the `pytest11` entry point (or `pytest_plugins =
["django_amazonpay.testing"]`). Importing it needs neither Django settings nor the simulator:
fixtures import what they use when a test asks for them, so projects that never use them are
not affected.

Fixtures:
- `amazon_pay_simulator_credentials`: seller_id/access_key/secret_key/region, from
  settings.AMAZON_PAY when Django is configured, else test defaults. Override to change.
- `amazon_pay_simulator_options`: extra keyword arguments for `Simulator` (override it).
- `amazon_pay_simulator`: a fresh Simulator, frozen clock, throttling off, mounted on the
  app's client session when that exists (`mount_simulator`). The storefront API's read
  windows follow its clock: after `sim.advance(...)` a GET reads Amazon again.
- `amazon_pay_simulator_server`: the same simulator on a real 127.0.0.1 socket; yields the
  base URL (e.g. "http://127.0.0.1:54321"). Its control routes need the header
  `X-Simulator-Token: <amazon_pay_simulator.control_token>`.
- `amazon_pay_simulator_exposed`: simulators mounted in the project's URLconf answer during
  the test although DEBUG is off (pytest-django turns it off); without it they answer 404.
  The in-process route of the other fixtures never goes through that view: they do not
  need it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from .sandbox.simulator import Simulator

DEFAULT_CREDENTIALS = {
    "seller_id": "A1TESTSELLER00",
    "access_key": "AKIATESTACCESSKEY",
    "secret_key": "test-secret-key/with+chars=",
    "region": "jp",
}


def _django_settings() -> dict[str, Any] | None:
    try:
        from django.conf import settings

        if not settings.configured:
            return None
        return dict(getattr(settings, "AMAZON_PAY", {}) or {})
    except Exception:  # Django missing or settings module broken: use the defaults
        return None


def simulator_credentials() -> dict[str, str]:
    """Credentials matching the project's settings, so the app's own client passes the check."""
    conf = _django_settings()
    creds = dict(DEFAULT_CREDENTIALS)
    if conf:
        for key in ("seller_id", "access_key", "secret_key", "region"):
            if conf.get(key.upper()):
                creds[key] = (
                    str(conf[key.upper()]).lower() if key == "region" else conf[key.upper()]
                )
    return creds


def mount_simulator(simulator: Simulator) -> bool:
    """Route the app's shared MWS clients to `simulator` in-process; False when impossible.

    The clients' own base URL is mounted (AMAZON_PAY["ENDPOINT"] when set, a project's
    simulator mount included, else the region's real host), and clients rebuilt later (a
    test changing AMAZON_PAY resets them) are routed too, until unmount_simulator().
    """
    conf = _django_settings()
    if conf is None:
        return False
    try:
        from . import client as client_module

        client_module.get_client()  # settings the client layer cannot use: not mounted
        client_module.route_to_simulator(simulator)
    except Exception:  # the client layer is not there (yet) or not configured
        return False
    if simulator.base_url.endswith(".invalid"):
        endpoint = conf.get("ENDPOINT") or f"https://{simulator.region.host}"
        simulator.base_url = endpoint.rstrip("/")
    return True


def fresh_api_throttle_counters() -> Callable[[], None]:
    """Give the storefront API's rate limits counters of their own until the returned undo is
    called: the counts live in the cache, which outlives a test (and, with Redis, the test
    run), so ten tests starting a checkout each would meet API_START_RATE's limit."""
    try:
        from .api.throttling import _CheckoutThrottle
    except Exception:  # DRF or the API not installed: nothing is counted
        return lambda: None
    before = _CheckoutThrottle.cache_format
    _CheckoutThrottle.cache_format = f"throttle_test_{uuid.uuid4().hex}_%(scope)s_%(ident)s"

    def restore() -> None:
        _CheckoutThrottle.cache_format = before

    return restore


def follow_simulator_clock(simulator: Simulator) -> Callable[[], None]:
    """Put the storefront API's read windows (api/reads.py) on the simulator's clock, in a
    namespace of their own, until the returned undo is called: a test that moves Amazon's
    time on sees a pending payment read again, and meets no gate of another test (the cache
    outlives a test)."""
    try:
        from .api import reads
    except ImportError:  # DRF not installed: no API, nothing read
        return lambda: None
    before = reads.clock, reads.PREFIX
    reads.clock = lambda: simulator.clock.now().timestamp()
    reads.PREFIX = f"amazonpay:api:test_{uuid.uuid4().hex}:"

    def restore() -> None:
        reads.clock, reads.PREFIX = before

    return restore


def unmount_simulator(simulator: Simulator) -> None:
    """Undo mount_simulator: the shared clients are rebuilt unrouted."""
    try:
        from . import client as client_module
    except ImportError:
        return
    client_module.stop_routing_to_simulator(simulator)


@pytest.fixture
def amazon_pay_simulator_credentials() -> dict[str, str]:
    return simulator_credentials()


@pytest.fixture
def amazon_pay_simulator_options() -> dict[str, Any]:
    """Override in a conftest to pass e.g. {"throttle": True, "ipn_sender": ...}."""
    return {}


@pytest.fixture
def amazon_pay_simulator(
    amazon_pay_simulator_credentials: dict[str, str],
    amazon_pay_simulator_options: dict[str, Any],
) -> Iterator[Simulator]:
    from .sandbox.clock import Clock
    from .sandbox.simulator import Simulator

    options = {"throttle": False, **amazon_pay_simulator_options}
    # Frozen at the real time: real clients (the official SDK) sign with their own clock and
    # the simulator rejects a Timestamp more than 15 minutes away (spec 1.3).
    options.setdefault("clock", Clock(start=datetime.now(timezone.utc)))
    sim = Simulator(**amazon_pay_simulator_credentials, **options)
    if mount_simulator(sim):
        # a fresh simulator has full quotas: so do the client's buckets (they live in the
        # cache, which outlives a test)
        from .client import reset_throttle_buckets

        reset_throttle_buckets()
    restore_counters = fresh_api_throttle_counters()
    restore_reads = follow_simulator_clock(sim)
    try:
        yield sim
    finally:
        restore_reads()
        restore_counters()
        unmount_simulator(sim)
        try:
            sim.ipn.flush(timeout=5)
        except TimeoutError:
            pass


@pytest.fixture
def amazon_pay_simulator_exposed() -> Iterator[None]:
    from .sandbox.exposure import exposed_in_tests

    with exposed_in_tests():
        yield


@pytest.fixture
def amazon_pay_simulator_server(amazon_pay_simulator: Simulator) -> Iterator[str]:
    from .sandbox.server import SimulatorServer

    with SimulatorServer(amazon_pay_simulator) as server:
        yield server.base_url
