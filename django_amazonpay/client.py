"""The process's MWS clients, built from the settings once and shared.

One PaymentsClient per process keeps one pooled HTTP session; the throttle buckets live in
the configured cache so every process of a deployment shares them.
"""

from __future__ import annotations

import threading
from typing import Any

_lock = threading.Lock()
_clients: dict[str, Any] = {}


def _cache() -> Any:
    from django.core.cache import caches

    from .conf import get_settings

    return caches[get_settings().throttle_cache]


def get_client() -> Any:
    """The shared PaymentsClient (django_amazonpay.mws.payments.PaymentsClient)."""
    from .conf import get_settings
    from .mws.payments import PaymentsClient

    with _lock:
        if "payments" not in _clients:
            settings = get_settings()
            _clients["payments"] = PaymentsClient(
                settings.client_config(), cache=_cache(), on_call=_record_call
            )
        return _clients["payments"]


def get_orders_client() -> Any:
    """The shared OrdersClient for MWS Orders ListOrderItems."""
    from .conf import get_settings
    from .mws.orders import OrdersClient

    with _lock:
        if "orders" not in _clients:
            _clients["orders"] = OrdersClient(get_settings().client_config(), cache=_cache())
        return _clients["orders"]


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
