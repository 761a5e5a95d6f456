"""Concurrency fixtures: PostgreSQL only, the services' simulator fixtures, a start barrier.

SQLite cannot take part: `select_for_update` is a no-op there and the in-memory test database
is one connection, so concurrent writers would either serialize on the GIL by accident or
fail with "database table is locked"; neither proves anything about row locks.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections

from django_amazonpay.client import get_client
from tests.services import conftest as service_fixtures

sim = service_fixtures.sim
_fresh_client = service_fixtures._fresh_client
open_order = service_fixtures.open_order
authorized = service_fixtures.authorized
captured = service_fixtures.captured


@pytest.fixture(autouse=True)
def _postgres_only(request: pytest.FixtureRequest) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks and concurrent writers need PostgreSQL (set DATABASE_URL)")


@pytest.fixture(autouse=True)
def _no_backoff_sleep(sim: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(get_client(), "sleep", lambda seconds: None)


def race(n: int, action: Callable[[int], Any], *, timeout: float = 120) -> list[Any]:
    """Run `action(i)` in `n` threads released together; results or exceptions, by i."""
    barrier = threading.Barrier(n)
    results: list[Any] = [None] * n

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = action(i)
        except Exception as err:  # collected for the assertions
            results[i] = err
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return results


def errors(results: list[Any]) -> list[Exception]:
    return [r for r in results if isinstance(r, Exception)]
