"""The example project routes the simulator only with DEBUG on; with DEBUG off nothing of it
is reachable and `manage.py check` has nothing to report about it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.example.demo_server import MANAGE, demo_env

pytestmark = pytest.mark.slow
PROBE = (
    "from django_amazonpay.checks import routes; from django.urls import resolve, Resolver404\n"
    "try:\n"
    "    resolve('/amazonpay-sandbox/sandbox/state'); print('routed')\n"
    "except Resolver404:\n"
    "    print('not routed')\n"
    "print('simulator' if routes().simulator else 'no simulator')\n"
)


def _manage(tmp_path: Path, debug: str, *args: str) -> subprocess.CompletedProcess:
    env = {**demo_env(tmp_path / "db.sqlite3"), "DEMO_DEBUG": debug}
    return subprocess.run(  # noqa: S603
        [sys.executable, str(MANAGE), *args],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def test_debug_off_routes_no_simulator_and_checks_clean(tmp_path: Path) -> None:
    probe = _manage(tmp_path, "0", "shell", "-c", PROBE)
    assert probe.returncode == 0, probe.stderr
    assert probe.stdout.splitlines()[-2:] == ["not routed", "no simulator"]
    check = _manage(tmp_path, "0", "check")
    assert check.returncode == 0, check.stdout + check.stderr
    assert "E104" not in check.stdout + check.stderr


def test_debug_on_routes_it(tmp_path: Path) -> None:
    probe = _manage(tmp_path, "1", "shell", "-c", PROBE)
    assert probe.returncode == 0, probe.stderr
    assert probe.stdout.splitlines()[-2:] == ["routed", "simulator"]
