"""Real threads on the same objects: one authorization, one capture, one refund.

PostgreSQL only: SQLite has no row locks (select_for_update is a no-op) and an in-memory
test database refuses concurrent writers. The sequential repeat/in-doubt cases run on both
(test_exactly_once.py).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections

from django_amazonpay import services
from django_amazonpay.models import (
    Authorization,
    Capture,
    OrderReference,
    Refund,
    StateTransition,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

THREADS = 10


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (DATABASE_URL)")


def race(action: Callable[[], Any]) -> list[Any]:
    """Run `action` in THREADS threads released together; results (or exceptions)."""
    barrier = threading.Barrier(THREADS)
    results: list[Any] = []
    lock = threading.Lock()

    def run() -> None:
        try:
            barrier.wait()
            value: Any = action()
        except Exception as err:  # collected for the assertions
            value = err
        finally:
            connections.close_all()
        with lock:
            results.append(value)

    threads = [threading.Thread(target=run) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_concurrent_authorizations_make_one(sim, open_order) -> None:
    oro = open_order()
    results = race(lambda: services.authorize(oro, synchronous=True))
    assert all(not isinstance(r, Exception) for r in results), results
    assert {r.authorization.pk for r in results} == {Authorization.objects.get().pk}
    assert len(sim.engine.store.authorizations) == 1


def test_concurrent_captures_make_one(sim, authorized) -> None:
    auth = authorized()
    results = race(lambda: services.capture(auth))
    assert all(not isinstance(r, Exception) for r in results), results
    assert Capture.objects.count() == 1
    assert len(sim.engine.store.captures) == 1
    assert {r.outcome for r in results} <= {"completed", "in_doubt"}


def test_concurrent_full_refunds_make_one(sim, captured) -> None:
    cap = captured()
    results = race(lambda: services.refund(cap))
    assert Refund.objects.count() == 1
    assert len(sim.engine.store.refunds) == 1
    errors = [r for r in results if isinstance(r, Exception)]
    # callers after the first see the refund done: nothing left to refund
    assert all(isinstance(e, services.InvalidStateError) for e in errors), errors


def test_concurrent_starts_of_one_order_reference_make_one_row(sim) -> None:
    """The first start inserts the row; the others lock it (after the unique index made a
    racing insert fail, or found it committed) and record no second transition."""
    oro_id = sim.create_order_reference()
    results = race(lambda: services.start_checkout(oro_id, access_token="Atza|t"))
    assert all(not isinstance(r, Exception) for r in results), results
    assert {r.pk for r in results} == {OrderReference.objects.get().pk}
    assert {r.state for r in results} == {"Draft"}
    assert StateTransition.objects.count() == 1
