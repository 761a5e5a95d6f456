"""The example project's own settings, for tests of the shop in this process (the storefront
tests, run by test_storefront.py in a pytest of their own): the shop's resolver and signal
receivers, the test suite's database, tasks run eagerly."""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "example_project"))

from example_project.settings import *  # noqa: F403

from tests.settings import DATABASES as _SUITE_DATABASES

DATABASES = {"default": dict(_SUITE_DATABASES["default"])}
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # the outer suite holds its own test database on the same server
    suite_test_name = DATABASES["default"]["TEST"]["NAME"]
    DATABASES["default"]["TEST"] = {"NAME": f"{suite_test_name}_shop"}

CELERY_BROKER_URL = None
CELERY_TASK_ALWAYS_EAGER = True
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
LOGGING_CONFIG = None
os.environ.pop("CELERY_BROKER_URL", None)
