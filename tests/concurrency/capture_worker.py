"""Concurrent captures from separate processes, for test_capture_race (not a test module).

Usage: python -m tests.concurrency.capture_worker <authorization pk> <processes>
Environment: DJANGO_SETTINGS_MODULE, DATABASE_URL (the test database), SIMULATOR_URL.

Loads Django once, then forks one child per capture (loading Django 50 times would take
minutes on a small machine); every child opens its own database connection and its own HTTP
session to the simulator's socket. The children wait on a pipe and are released together.
Prints one JSON list with each child's outcome.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path


def child(auth_pk: int, release: int, out: Path) -> None:
    from django_amazonpay import services
    from django_amazonpay.models import Authorization

    os.read(release, 1)  # the start barrier
    try:
        result = services.capture(Authorization.objects.get(pk=auth_pk))
        report = {"outcome": result.outcome, "capture": result.capture.pk}
    except Exception as err:  # reported to the test, which judges it
        report = {"error": type(err).__name__, "message": str(err)}
    out.write_text(json.dumps({"pid": os.getpid(), **report}))


def main(auth_pk: int, processes: int) -> list[dict]:
    import django

    django.setup()
    from django.conf import settings
    from django.db import connections

    settings.AMAZON_PAY = {**settings.AMAZON_PAY, "ENDPOINT": os.environ["SIMULATOR_URL"]}
    connections.close_all()  # nothing shared across the fork
    release_r, release_w = os.pipe()
    with tempfile.TemporaryDirectory() as tmp:
        pids = []
        for n in range(processes):
            pid = os.fork()
            if pid == 0:  # the child
                code = 0
                try:
                    child(auth_pk, release_r, Path(tmp) / f"{n}.json")
                except BaseException:
                    code = 1
                finally:
                    connections.close_all()
                    os._exit(code)
            pids.append(pid)
        os.write(release_w, b"x" * processes)
        codes = [os.waitpid(pid, 0)[1] for pid in pids]
        results = []
        for n in range(processes):
            path = Path(tmp) / f"{n}.json"
            results.append(json.loads(path.read_text()) if path.exists() else {"error": "died"})
    return [dict(r, exit=code) for r, code in zip(results, codes, strict=True)]


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]), int(sys.argv[2]))))
