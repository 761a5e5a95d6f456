"""The concurrency tests on SQLite: in a pytest of their own, on a database file that every
thread and process opens (the in-memory test database is one connection's), with the
settings the example project uses and the docs recommend (tests/settings.py SQLITE_OPTIONS)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().relative_to(ROOT)


def test_the_concurrency_tests_pass_on_a_sqlite_file(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(SQLITE_TEST_FILE=str(tmp_path / "concurrency.sqlite3"), PYTHONPATH=str(ROOT))
    done = subprocess.run(  # noqa: S603 - our own interpreter and tests
        [sys.executable, "-m", "pytest", str(HERE.parent), "-q", f"--ignore={HERE}"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    summary = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr
    assert done.returncode == 0, done.stdout[-8000:] + done.stderr[-2000:]
    # every test ran on the file: none skipped (as they are on the in-memory database)
    assert re.match(r"\d+ passed", summary), summary
    assert not re.search(r"skipped|deselected|xfail|error", summary), summary
