"""tests.settings for the real Celery worker process (and for parallel local PostgreSQL runs).

- AMAZON_PAY_TEST_ENDPOINT: the simulator server the worker talks to (a real socket).
- TEST_DATABASE_NAME: the name of the test database; the worker uses it as its database, so
  it sees what the test process committed.
"""

from __future__ import annotations

import os

from tests.settings import *  # noqa: F403
from tests.settings import AMAZON_PAY, DATABASES

if os.environ.get("AMAZON_PAY_TEST_ENDPOINT"):
    AMAZON_PAY = {**AMAZON_PAY, "ENDPOINT": os.environ["AMAZON_PAY_TEST_ENDPOINT"]}

if os.environ.get("TEST_DATABASE_NAME"):
    DATABASES = {
        "default": {
            **DATABASES["default"],
            "TEST": {"NAME": os.environ["TEST_DATABASE_NAME"]},
        }
    }
    if os.environ.get("CELERY_WORKER_PROCESS"):  # the worker works on the test database itself
        DATABASES["default"]["NAME"] = os.environ["TEST_DATABASE_NAME"]
