"""Concurrency fixtures: a shared database, the services' simulator fixtures, a start barrier.

The in-memory SQLite test database is one connection, so concurrent writers would either
serialize on the GIL by accident or fail with "database table is locked"; neither proves
anything. These tests run on PostgreSQL (row locks) and on SQLite in a file, where
`select_for_update` is a no-op and every transaction takes the database's write lock when it
begins instead (transaction_mode IMMEDIATE): test_sqlite_file.py runs them that way.
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


def shared_database() -> bool:
    """PostgreSQL, or SQLite in a file (SQLITE_TEST_FILE): every thread has its own connection."""
    return connection.vendor == "postgresql" or not connection.is_in_memory_db()


#: the module that runs this directory's tests on a SQLite file, in a pytest of its own
RUNNER = "test_sqlite_file"


@pytest.fixture(autouse=True)
def _shared_database_only(request: pytest.FixtureRequest) -> None:
    if request.module.__name__.endswith(RUNNER):
        return
    if not shared_database():
        pytest.skip(
            "concurrent writers need a shared database: PostgreSQL (DATABASE_URL), or SQLite in "
            "a file, which test_sqlite_file.py runs these tests on"
        )


@pytest.fixture(autouse=True)
def _no_backoff_sleep(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    if request.module.__name__.endswith(RUNNER):
        return
    request.getfixturevalue("sim")
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
