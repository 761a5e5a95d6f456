"""The test project's Celery app (the package never creates one, STYLE 10).

Broker: CELERY_BROKER_URL (e.g. redis://127.0.0.1:6379/15) when set, else in-memory and
eager. The test process forces eager mode (tests/tasks/conftest.py); the real worker started
by tests/tasks/test_worker.py runs `celery -A tests.celery_app worker` against the broker.
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

BROKER_URL = os.environ.get("CELERY_BROKER_URL")

app = Celery("django_amazonpay_tests")
app.conf.update(
    broker_url=BROKER_URL or "memory://",
    result_backend=BROKER_URL or "cache+memory://",
    task_always_eager=BROKER_URL is None,
    task_eager_propagates=True,
    task_acks_late=True,
    worker_prefetch_multiplier=1,
    broker_connection_retry_on_startup=True,
)
app.autodiscover_tasks(["django_amazonpay"])
app.set_default()
