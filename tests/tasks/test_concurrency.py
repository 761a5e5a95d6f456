"""Two workers at the same moment: every object polled once, every transition recorded once."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from django_amazonpay.models import StateTransition
from django_amazonpay.services import settling
from tests.tasks.conftest import calls, pending_authorization

N = 8


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_settle_runs_at_the_same_moment(sim: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL (set DATABASE_URL): two writer threads cannot share SQLite's "
            "in-memory test database"
        )
    auths = [pending_authorization(sim) for _ in range(N)]
    sim.advance(31)
    before = calls("GetAuthorizationDetails")
    barrier = threading.Barrier(2)
    reports: list[settling.SettleReport] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait(10)
            reports.append(settling.settle_pending())
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    assert sum(r.polled for r in reports) == N
    assert calls("GetAuthorizationDetails") - before == N
    for auth in auths:
        transitions = StateTransition.objects.filter(authorization=auth, to_state="Open")
        assert [t.source for t in transitions] == ["poll"]
