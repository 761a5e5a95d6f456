"""Fault-matrix fixtures: the services' simulator fixtures, no backoff sleeps, the table hook.

The matrix records each cell's verdict in RESULTS; `pytest_terminal_summary` prints the
table at the end of the run (and `pytest -s` shows each cell as it finishes).
"""

from __future__ import annotations

from typing import Any

import pytest
import requests
from urllib3.exceptions import ConnectTimeoutError

from django_amazonpay.client import get_client
from tests.services import conftest as service_fixtures

# the service tests' fixtures: simulator on the client's clock, fresh client per test, orders
sim = service_fixtures.sim
_fresh_client = service_fixtures._fresh_client
open_order = service_fixtures.open_order
authorized = service_fixtures.authorized
captured = service_fixtures.captured
configure = service_fixtures.configure

#: (operation, fault, variant) -> "ok" or a short failure text
RESULTS: dict[tuple[str, str, str], str] = {}


class NeverSentAdapter(requests.adapters.BaseAdapter):
    """Wraps the simulator's adapter: the next `times` calls of an action fail to connect.

    The simulator's own faults all happen once the request arrived; a connect timeout is the
    failure the client knows was never sent (`TransportError.sent` is False).
    """

    def __init__(self, inner: Any) -> None:
        super().__init__()
        self.inner = inner
        self.pending: dict[str, int] = {}
        self.fired = 0

    def inject(self, action: str, times: int = 1) -> None:
        self.pending[action] = self.pending.get(action, 0) + times

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        body = request.body or b""
        text = body.decode() if isinstance(body, bytes) else str(body)
        action = next(
            (part[len("Action=") :] for part in text.split("&") if part.startswith("Action=")), ""
        )
        if self.pending.get(action, 0) > 0:
            self.pending[action] -= 1
            self.fired += 1
            raise requests.ConnectTimeout(
                ConnectTimeoutError(None, "simulated connect timeout"), request=request
            )
        return self.inner.send(request, **kwargs)

    def close(self) -> None:
        self.inner.close()


@pytest.fixture
def pauses(sim: Any, monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The client's backoff pauses, recorded instead of slept."""
    slept: list[float] = []
    monkeypatch.setattr(get_client(), "sleep", slept.append)
    return slept


@pytest.fixture
def never_sent(sim: Any, pauses: list[float]) -> NeverSentAdapter:
    session = get_client().session
    prefix = sim.base_url.rstrip("/") + "/"
    wrapper = NeverSentAdapter(session.get_adapter(prefix))
    session.mount(prefix, wrapper)
    return wrapper


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not RESULTS:
        return
    from .test_fault_matrix import render_table

    terminalreporter.write_sep("=", "fault matrix (services against the simulator)")
    for line in render_table(RESULTS).splitlines():
        terminalreporter.write_line(line)
