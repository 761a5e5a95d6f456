"""The process's MWS clients, built from the settings once and shared.

One PaymentsClient per process keeps one pooled HTTP session; the throttle buckets live in
the configured cache so every process of a deployment shares them. `interactive()` and
`background()` say whose share of those buckets a call draws on (docs/api.md, Quota shares).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from .mws.throttle import BACKGROUND, INTERACTIVE, use_share

_lock = threading.Lock()
_clients: dict[str, Any] = {}
#: simulators the clients are routed to in-process (django_amazonpay.testing); a client built
#: later (after reset_clients, e.g. when a test changes AMAZON_PAY) is routed too
_simulators: list[Any] = []
#: seconds of backoff and throttle waiting a call may spend; None = unbounded (background)
_wait_budget: ContextVar[float | None] = ContextVar("django_amazonpay_wait_budget", default=None)


@contextmanager
def interactive(max_wait: float = 1.0) -> Iterator[None]:
    """Calls made inside answer a person who is waiting (an admin button, an API request).

    Each call may pause at most `max_wait` seconds in all for retries and the throttle
    bucket, then fails instead of holding the request (STYLE 3); background jobs, outside
    this block, retry with the full backoff. The calls draw on the interactive share of the
    throttle buckets (also the share of calls made outside both blocks).
    """
    token = _wait_budget.set(max_wait)
    try:
        with use_share(INTERACTIVE):
            yield
    finally:
        _wait_budget.reset(token)


@contextmanager
def background() -> Iterator[None]:
    """Calls made inside are background work (settle runs, IPN processing): they draw on the
    background share of the throttle buckets, which buyers' requests cannot spend.

    The wait budget is left as it is: background work started by an admin button still
    answers within the button's budget. Also usable as a decorator (`@background()`).
    """
    with use_share(BACKGROUND):
        yield


def _bounded(client: Any) -> Any:
    budget = _wait_budget.get()
    return client if budget is None else client.with_options(max_wait=budget)


def _cache() -> Any:
    from django.core.cache import caches

    from .conf import get_settings

    return caches[get_settings().throttle_cache]


def _shared(name: str, client_class: Any) -> Any:
    """The process's client `name`, built from the settings on first use."""
    from .conf import get_settings

    with _lock:
        if name not in _clients:
            _clients[name] = _routed(
                client_class(get_settings().client_config(), cache=_cache(), on_call=_record_call)
            )
        return _bounded(_clients[name])


def get_client() -> Any:
    """The shared PaymentsClient (django_amazonpay.mws.payments.PaymentsClient)."""
    from .mws.payments import PaymentsClient

    return _shared("payments", PaymentsClient)


def get_orders_client() -> Any:
    """The shared OrdersClient for MWS Orders ListOrderItems."""
    from .mws.orders import OrdersClient

    return _shared("orders", OrdersClient)


def _route(simulator: Any, client: Any) -> None:
    base = client.config.base_url.rstrip("/")
    # a client pointed at the simulator's own socket (SimulatorServer) means to use it
    if base != getattr(simulator, "served_at", None):
        simulator.mount(client.session, base + "/")
    if client.throttle is not None:
        # pace only against quotas the simulator keeps: with its throttle off (the test
        # default) a burst no buyer could click, such as a whole checkout in milliseconds,
        # must not wait or be refused here; asked at each call, so turning it on works
        client.throttle.unlimited = lambda: not simulator.throttle.enabled


def _routed(client: Any) -> Any:
    for simulator in _simulators:
        _route(simulator, client)
    return client


def route_to_simulator(simulator: Any) -> None:
    """Send the shared clients' requests to `simulator` in-process, now and after any rebuild
    (the base URL is each client's own: ENDPOINT when set, else the region's host)."""
    with _lock:
        if simulator not in _simulators:
            _simulators.append(simulator)
        clients = list(_clients.values())
    for client in clients:
        _route(simulator, client)


def stop_routing_to_simulator(simulator: Any) -> None:
    """Undo route_to_simulator: clients built from now on go to their real base URL."""
    with _lock:
        if simulator in _simulators:
            _simulators.remove(simulator)
    reset_clients()


def reset_throttle_buckets() -> None:
    """Refill the shared clients' throttle buckets (a test starting afresh). Both clients
    keep theirs under the same seller in the same cache, so one reset_all covers both."""
    client = get_client()
    if client.throttle is not None:
        client.throttle.reset_all(client.config.seller_id)


def _record_call(record: Any) -> None:
    """Hand each call's record to the service layer's call log, when it is installed."""
    try:
        from .services.calls import record_call
    except ImportError:
        return
    record_call(record)


def reset_clients() -> None:
    """Drop the shared clients (settings changed, or a test wants a fresh session)."""
    with _lock:
        for client in _clients.values():
            session = getattr(client, "session", None)
            if session is not None:
                session.close()
        _clients.clear()
