"""50 concurrent capture requests on one authorization make exactly one capture (issue 7 item 2).

Through the service in threads, through the admin's capture button in threads, and through
the service in 50 separate processes that share the database (PostgreSQL, or the SQLite file)
and a simulator on a real socket. Each caller either gets the one capture (new or repeated)
or a clean refusal.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client

from django_amazonpay import services
from django_amazonpay.models import Authorization, Capture
from tests.admin.conftest import admin_url

from .conftest import errors, race

pytestmark = pytest.mark.django_db(transaction=True)

N = 50
ROOT = Path(__file__).resolve().parents[2]


def one_capture_everywhere(sim: Any, auth: Authorization) -> Capture:
    assert Capture.objects.count() == 1
    cap = Capture.objects.get()
    assert cap.authorization_id == auth.pk and cap.state == "Completed"
    remote = sim.get_object(auth.amazon_authorization_id)
    assert remote["id_list"] == [cap.amazon_capture_id]
    assert len(sim.engine.store.captures) == 1
    assert Decimal(sim.get_object(cap.amazon_capture_id)["amount"]) == cap.amount
    return cap


def test_50_threads_through_the_service(sim, authorized) -> None:
    auth = authorized()
    results = race(N, lambda i: services.capture(auth))
    # a caller that finds the authorization already captured (Closed) is refused cleanly
    for err in errors(results):
        assert isinstance(err, services.InvalidStateError), repr(err)
    done = [r for r in results if not isinstance(r, Exception)]
    assert done and {r.outcome for r in done} <= {"completed", "in_doubt"}
    cap = one_capture_everywhere(sim, auth)
    assert {r.capture.pk for r in done} == {cap.pk}
    print(f"\n[concurrency] service threads: {len(done)} got the capture, "
          f"{len(errors(results))} refused (already captured)")  # fmt: skip


def test_50_threads_through_the_admin_button(sim, authorized) -> None:
    auth = authorized()
    user = User.objects.create_superuser("racer", email="racer@example.com")
    clients = []
    for _ in range(N):
        client = Client()
        client.force_login(user)
        clients.append(client)
    url = admin_url("authorization_capture", auth.pk)
    responses = race(
        N, lambda i: clients[i].post(url, {"authorization": auth.pk, "amount": "6500"})
    )
    assert not errors(responses), errors(responses)[:3]
    statuses = sorted({r.status_code for r in responses})
    assert 500 not in statuses, statuses
    one_capture_everywhere(sim, auth)
    print(f"\n[concurrency] admin threads: statuses {statuses}")


def _worker_env(base_url: str) -> dict[str, str]:
    """The workers' settings: this test's database (PostgreSQL's, or the SQLite file)."""
    db = connection.settings_dict
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SQLITE_TEST_FILE")}
    if connection.vendor == "postgresql":
        env["DATABASE_URL"] = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    else:
        env["SQLITE_TEST_FILE"] = db["NAME"]
    return {
        **env,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "SIMULATOR_URL": base_url,
        "PYTHONPATH": str(ROOT),
    }


@pytest.mark.server
def test_50_processes_through_the_service(sim, authorized, amazon_pay_simulator_server) -> None:
    auth = authorized()
    proc = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "tests.concurrency.capture_worker", str(auth.pk), str(N)],
        cwd=ROOT,
        env=_worker_env(amazon_pay_simulator_server),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    results = json.loads(proc.stdout.strip().splitlines()[-1])
    assert len(results) == N and len({r.get("pid") for r in results}) == N
    assert all(r["exit"] == 0 for r in results), results[:3]
    refused = [r for r in results if "error" in r]
    assert all(r["error"] == "InvalidStateError" for r in refused), refused[:3]
    done = [r for r in results if "error" not in r]
    cap = one_capture_everywhere(sim, auth)
    assert {r["capture"] for r in done} == {cap.pk}
    print(f"\n[concurrency] processes: {len(done)} got the capture, {len(refused)} refused")
