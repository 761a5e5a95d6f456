"""A real Celery worker process, a real broker, a real socket: the production shape.

Runs when CELERY_BROKER_URL (e.g. redis://127.0.0.1:6379/15) and DATABASE_URL (PostgreSQL)
are set; skipped otherwise. The fixture starts `celery -A tests.celery_app worker` itself on a
queue of its own, pointed at the simulator server and at the test database.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from django_amazonpay.models import Authorization, StateTransition
from tests.tasks.conftest import pending_authorization

ROOT = Path(__file__).resolve().parents[2]


def _requirements() -> str | None:
    if not os.environ.get("CELERY_BROKER_URL"):
        return "set CELERY_BROKER_URL (e.g. redis://127.0.0.1:6379/15) to run a real worker"
    if connection.vendor != "postgresql":
        return "set DATABASE_URL to PostgreSQL: the worker process must share the test database"
    return None


@pytest.fixture
def celery_worker_process(amazon_pay_simulator_server: str) -> Iterator[tuple[Any, str]]:
    """(producer app, queue): a worker subprocess consuming `queue`, stopped afterwards."""
    reason = _requirements()
    if reason:
        pytest.skip(reason)
    from celery import Celery

    broker = os.environ["CELERY_BROKER_URL"]
    queue = f"amazonpay-test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.tasks.worker_settings",
        "AMAZON_PAY_TEST_ENDPOINT": amazon_pay_simulator_server,
        "TEST_DATABASE_NAME": connection.settings_dict["NAME"],
        "CELERY_WORKER_PROCESS": "1",
        "PYTHONPATH": str(ROOT),
    }
    log = tempfile.NamedTemporaryFile("w+", prefix="celery-worker-", suffix=".log", delete=False)
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "celery", "-A", "tests.celery_app", "worker", "--pool=solo",
         "-Q", queue, "--without-gossip", "--without-mingle", "--without-heartbeat",
         "-l", "INFO", "-n", f"{queue}@%h"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    producer = Celery("producer", broker=broker, backend=broker)
    try:
        yield producer, queue
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
        producer.close()
        log.seek(0)
        sys.stdout.write(f"\n--- worker log ({log.name}) ---\n{log.read()[-4000:]}\n")
        log.close()


@pytest.mark.slow
@pytest.mark.server
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_worker_settles_an_async_authorization(
    sim: Any, celery_worker_process: tuple[Any, str]
) -> None:
    producer, queue = celery_worker_process
    auth = pending_authorization(sim)  # the test process talks to the simulator in-process
    sim.advance(31)  # Amazon has settled it; no IPN reaches us: only the worker's poll
    result = producer.send_task("django_amazonpay.settle_pending", queue=queue)
    report = result.get(timeout=90)
    assert report["polled"] == 1 and report["changed"] == 1, report
    auth = Authorization.objects.get(pk=auth.pk)
    assert auth.state == "Open"
    transition = StateTransition.objects.get(authorization=auth, to_state="Open")
    assert transition.source == "poll"
    assert transition.request_id  # the MWS RequestId of the worker's GetAuthorizationDetails
