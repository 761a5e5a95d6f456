"""The storefront tests (tests/example/storefront) need the example project's settings, with
the shop installed: they run in a pytest of their own, on this run's kind of database."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.example.conftest import SHOP_SETTINGS

ROOT = Path(__file__).resolve().parents[2]


def test_the_storefront_tests_pass_with_the_example_settings() -> None:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": SHOP_SETTINGS, "PYTHONPATH": str(ROOT)}
    env.pop("CELERY_BROKER_URL", None)  # the shop's tasks run eagerly: no worker serves it
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "tests/example/storefront", "-q"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    summary = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
    # every test ran: none skipped, none deselected
    assert re.match(r"\d+ passed", summary), summary
    assert not re.search(r"skipped|deselected|xfail|error", summary), summary
