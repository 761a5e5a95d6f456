"""Fixtures for the wire tests: a client on the in-process simulator, or on a fake transport.

Mocking happens only at the transport (STYLE 13): `FakeAdapter` is a requests adapter mounted
on the client's own session, answering recorded XML or raising what requests would raise.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest
import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

from django_amazonpay.amounts import Amount
from django_amazonpay.mws import ClientConfig, PaymentsClient, RetryPolicy
from django_amazonpay.regions import get_region

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "mws"
SELLER = "A1SELLER0TEST"
ACCESS = "AKIATESTCLIENT"
SECRET = "client-secret/Key+1="


def fixture(operation: str, case: str) -> bytes:
    return (FIXTURES / operation / f"{case}.xml").read_bytes()


def jpy(value: int | str) -> Amount:
    return Amount(Decimal(str(value)), "JPY")


def make_config(**overrides: Any) -> ClientConfig:
    values: dict[str, Any] = {
        "seller_id": SELLER,
        "access_key": ACCESS,
        "secret_key": SECRET,
        "region": get_region("jp"),
        "retry": RetryPolicy(max_retries=3, backoff_base=1.0, backoff_max=30.0),
    }
    values.update(overrides)
    return ClientConfig(**values)


class FakeAdapter(BaseAdapter):
    """Answers queued (status, body) pairs or raises queued exceptions; records every request.

    `handler(request) -> (status, body) | Exception` may be set instead of a queue.
    """

    def __init__(self) -> None:
        super().__init__()
        self.queue: list[tuple[int, bytes] | BaseException] = []
        self.requests: list[requests.PreparedRequest] = []
        self.timeouts: list[Any] = []
        self.handler: Callable[[requests.PreparedRequest], Any] | None = None

    def add(self, status: int, body: bytes | str) -> FakeAdapter:
        self.queue.append((status, body.encode() if isinstance(body, str) else body))
        return self

    def fail(self, exc: BaseException) -> FakeAdapter:
        self.queue.append(exc)
        return self

    def params(self, index: int = -1) -> dict[str, str]:
        body = self.requests[index].body or b""
        text = body.decode() if isinstance(body, bytes) else body
        return dict(parse_qsl(text, keep_blank_values=True))

    def actions(self) -> list[str]:
        return [self.params(i)["Action"] for i in range(len(self.requests))]

    def send(self, request: Any, stream: bool = False, timeout: Any = None, **kw: Any) -> Any:  # type: ignore[override]
        self.requests.append(request)
        self.timeouts.append(timeout)
        answer = self.handler(request) if self.handler else self.queue.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        status, body = answer
        response = requests.Response()
        response.status_code = status
        response._content = body
        response.raw = io.BytesIO(body)
        response.headers = CaseInsensitiveDict({"Content-Type": "text/xml"})
        response.url = request.url
        response.request = request
        return response

    def close(self) -> None:
        pass


class FakeSleep:
    def __init__(self, clock: FakeClock | None = None) -> None:
        self.calls: list[float] = []
        self.clock = clock

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)
        if self.clock is not None:
            self.clock.now += seconds


class FakeClock:
    def __init__(self, start: float = 1_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def fake() -> FakeAdapter:
    return FakeAdapter()


@pytest.fixture
def sleeps() -> FakeSleep:
    return FakeSleep()


@pytest.fixture
def records() -> list[Any]:
    return []


@pytest.fixture
def fake_client(fake: FakeAdapter, sleeps: FakeSleep, records: list[Any]) -> PaymentsClient:
    config = make_config()
    client = PaymentsClient(config, sleep=sleeps, on_call=records.append, rand=lambda: 0.5)
    client.session.mount(config.base_url, fake)
    return client


@pytest.fixture
def sim() -> Iterator[Any]:
    from django_amazonpay.sandbox.clock import Clock
    from django_amazonpay.sandbox.simulator import Simulator

    simulator = Simulator(
        seller_id=SELLER,
        access_key=ACCESS,
        secret_key=SECRET,
        region="jp",
        clock=Clock(start=datetime.now(timezone.utc)),
    )
    yield simulator


@pytest.fixture
def client(sim: Any, sleeps: FakeSleep, records: list[Any]) -> PaymentsClient:
    config = make_config()
    client = PaymentsClient(config, sleep=sleeps, on_call=records.append, rand=lambda: 0.5)
    sim.mount(client.session, config.base_url + "/")
    return client
