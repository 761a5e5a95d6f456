"""Run `manage.py demo` in a subprocess on a free port with its own SQLite file."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
MANAGE = ROOT / "example_project" / "manage.py"
ADMIN_PASSWORD = "browser-test-admin"


@dataclass
class DemoServer:
    url: str
    process: subprocess.Popen
    output: list[str]

    def log(self) -> str:
        return "".join(self.output)


def staff_session(url: str) -> requests.Session:
    """The demo's admin, signed in: the simulator's control routes answer staff only."""
    session = requests.Session()
    session.get(url + "admin/login/", timeout=10).raise_for_status()
    token = session.cookies["csrftoken"]
    signed_in = session.post(
        url + "admin/login/",
        data={"username": "admin", "password": ADMIN_PASSWORD, "csrfmiddlewaretoken": token,
              "next": "/admin/"},
        headers={"Referer": url + "admin/login/"},
        timeout=10,
    )  # fmt: skip
    signed_in.raise_for_status()
    assert "sessionid" in session.cookies, "the demo's admin did not sign in"
    session.headers.update({"X-CSRFToken": session.cookies["csrftoken"], "Referer": url})
    return session


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def demo_env(db_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE",)}
    env.update(
        EXAMPLE_DB_PATH=str(db_path),
        DEMO_ADMIN_PASSWORD=ADMIN_PASSWORD,
        PYTHONUNBUFFERED="1",
    )
    env.pop("CELERY_BROKER_URL", None)
    return env


@contextmanager
def demo_server(tmp_dir: Path, timeout: float = 60) -> Iterator[DemoServer]:
    port = free_port()
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, str(MANAGE), "demo", "--port", str(port)],
        env=demo_env(tmp_dir / "demo.sqlite3"),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=tmp_dir,
    )
    output: list[str] = []
    server = DemoServer(f"http://127.0.0.1:{port}/", process, output)
    try:
        deadline = time.monotonic() + timeout
        assert process.stdout is not None
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line and process.poll() is not None:
                raise RuntimeError("the demo stopped:\n" + server.log())
            output.append(line)
            if "Quit the server" in line:
                break
        else:
            raise RuntimeError("the demo did not start in time:\n" + server.log())
        _drain(process, output)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def _drain(process: subprocess.Popen, output: list[str]) -> None:
    """Keep reading the server's output so its pipe never fills up."""
    import threading

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            output.append(line)

    threading.Thread(target=read, daemon=True).start()
