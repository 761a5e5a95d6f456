"""Task tests: the test Celery app in eager mode, the simulator mounted on a fresh client."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from django_amazonpay import services
from django_amazonpay.client import reset_clients
from django_amazonpay.models import OrderReference
from tests.celery_app import app as celery_app
from tests.services.conftest import ITEMS


@pytest.fixture(autouse=True)
def _eager_and_fresh() -> Iterator[None]:
    celery_app.conf.task_always_eager = True
    from django.core.cache import cache

    cache.clear()
    reset_clients()
    yield
    reset_clients()


@pytest.fixture
def sim(amazon_pay_simulator: Any) -> Any:
    return amazon_pay_simulator


def open_order(sim: Any, **kwargs: Any) -> OrderReference:
    oro = services.start_checkout(sim.create_order_reference(**kwargs), access_token="token")
    oro = services.set_order_details(
        oro, items=ITEMS, shipping_fee=500, discount=1000, seller_order_id="task-test"
    )
    return services.confirm(oro)


def pending_authorization(sim: Any, **kwargs: Any) -> Any:
    result = services.authorize(open_order(sim, **kwargs), synchronous=False)
    assert result.outcome == "pending", result
    return result.authorization


def calls(operation: str) -> int:
    """MWS operations made so far, from the app's call log (services.calls)."""
    from django_amazonpay.models import MwsCall

    return MwsCall.objects.filter(operation=operation).count()


def trust_simulator_ipn(sim: Any, settings: Any) -> None:
    """IPN_TRUST_SIMULATOR on; a settings change drops the client, so mount the simulator again."""
    from django_amazonpay.testing import mount_simulator

    settings.AMAZON_PAY = {**settings.AMAZON_PAY, "IPN_TRUST_SIMULATOR": True}
    reset_clients()
    mount_simulator(sim)


@contextmanager
def claimed_elsewhere(key: str) -> Iterator[None]:
    """Hold the claim `key` from another thread (another connection: a second worker)."""
    import threading

    from django.db import connection

    from django_amazonpay.services.claims import claim

    taken, release = threading.Event(), threading.Event()

    def hold() -> None:
        try:
            with claim(key) as held:
                assert held
                taken.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=hold)
    thread.start()
    assert taken.wait(10)
    try:
        yield
    finally:
        release.set()
        thread.join(10)
